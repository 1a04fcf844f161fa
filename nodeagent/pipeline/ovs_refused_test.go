/*
Copyright The Strata Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/strata-net/strata/nodeagent/ovs/openflow"
	"github.com/strata-net/strata/nodeagent/ovs/ovstest"
	"github.com/strata-net/strata/nodeagent/types"
)

// policyTableLimit is the flow limit of AntreaPolicyIngressRule in the
// refusal tests: the static bypass flows and a few small rules (four flows
// each in that table) fit, a rule with bigPeers peers does not.
const (
	policyTableLimit = 30
	bigPeers         = 40
)

var errTableFull = openflow.ErrorMsg{Type: 5, Code: 1} // OFPFMFC_TABLE_FULL

// limitTable makes OVS refuse flow additions to a table beyond limit flows
// (OVSDB Flow_Table flow_limit with overflow_policy=refuse): OVS answers
// OFPFMFC_TABLE_FULL and the bundle is not committed. The row is the one
// NameTables created; ovs-vswitchd reads it again after a restart.
func (n *testNode) limitTable(table uint8, limit int) {
	n.t.Helper()
	uuid, err := n.ovs.VSCtl("get", "Bridge", n.br, fmt.Sprintf("flow_tables:%d", table))
	require.NoError(n.t, err, uuid)
	out, err := n.ovs.VSCtl("set", "Flow_Table", strings.TrimSpace(uuid),
		fmt.Sprintf("flow_limit=%d", limit), "overflow_policy=refuse")
	require.NoError(n.t, err, out)
}

// farPeers are n /32 peers outside the pods' subnet: each is one more match
// flow in the rule's table.
func farPeers(n int) []types.Address {
	out := make([]types.Address, n)
	for i := range out {
		out[i] = types.Address{CIDR: fmt.Sprintf("10.99.%d.%d/32", i/250, 1+i%250)}
	}
	return out
}

// restartVSwitchdAndReplay restarts ovs-vswitchd, which loses every flow,
// and waits until the agent's client has reconnected, which needs a
// successful replay (OnConnect).
func (n *testNode) restartVSwitchdAndReplay() {
	n.t.Helper()
	connects := n.agent.client.Connects()
	require.NoError(n.t, n.ovs.RestartVSwitchd())
	require.NoError(n.t, wait.PollUntilContextTimeout(n.ctx, 50*time.Millisecond, 30*time.Second, true,
		func(context.Context) (bool, error) { return n.agent.client.Connects() > connects, nil }),
		"waiting for the client to reconnect, which takes a successful replay")
	n.settle()
}

// reconcileEach reconciles rules one at a time, as the policy controller
// retries a failed batch, and returns the error of each.
func (n *testNode) reconcileEach(rules ...*types.CompletedRule) map[types.RuleID]error {
	n.t.Helper()
	errs := map[types.RuleID]error{}
	for _, r := range rules {
		errs[r.ID] = n.agent.pl.Policies().Reconcile(n.ctx, []*types.CompletedRule{r})
	}
	n.settle()
	return errs
}

// TestOVSRefusedRule has OVS really refuse one rule (its table is full):
// that rule fails with OVS's error and its name, while its installed version
// (if any) keeps enforcing; every other rule of the batch installs when
// retried on its own, later updates install, and a replay after an
// ovs-vswitchd restart installs everything but the refused rule.
func TestOVSRefusedRule(t *testing.T) {
	tests := []struct {
		name string
		// installed are reconciled before the table is limited.
		installed func(n *testNode) []*types.CompletedRule
		// batch is reconciled with the limit; refused is the rule OVS refuses.
		batch   func(n *testNode) (batch []*types.CompletedRule, refused *types.CompletedRule)
		traffic func(n *testNode)
	}{
		{
			name: "new rule in a batch of good rules",
			installed: func(n *testNode) []*types.CompletedRule {
				return []*types.CompletedRule{rule(acnp("drop-9090", 250, 5, 0, in, drop), targets("pod2"), n.peer("pod1"), tcp(9090))}
			},
			batch: func(n *testNode) ([]*types.CompletedRule, *types.CompletedRule) {
				big := rule(acnp("big", 250, 5, 2, in, drop), targets("pod2"), append(farPeers(bigPeers), n.peer("pod1")...), tcp(9092))
				return []*types.CompletedRule{
					rule(acnp("drop-9091", 250, 5, 1, in, drop), targets("pod2"), n.peer("pod1"), tcp(9091)),
					big,
					rule(acnp("drop-9093", 250, 5, 3, in, drop), targets("pod2"), n.peer("pod1"), tcp(9093)),
				}, big
			},
			traffic: func(n *testNode) {
				n.expectBlocked("pod1", "pod2", 9090) // installed before
				n.expectBlocked("pod1", "pod2", 9091) // good rules of the batch
				n.expectBlocked("pod1", "pod2", 9093)
				n.expectConnect("pod1", "pod2", 9092) // the refused rule is not there
				n.expectConnect("pod3", "pod2", 9091)
			},
		},
		{
			name: "installed rule that grows keeps its installed version",
			installed: func(n *testNode) []*types.CompletedRule {
				return []*types.CompletedRule{rule(acnp("grows", 250, 5, 0, in, drop), targets("pod2"), n.peer("pod1"), tcp(9190))}
			},
			batch: func(n *testNode) ([]*types.CompletedRule, *types.CompletedRule) {
				grown := rule(acnp("grows", 250, 5, 0, in, drop), targets("pod2"), append(farPeers(bigPeers), n.peer("pod1", "pod3")...), tcp(9190))
				return []*types.CompletedRule{
					grown,
					rule(acnp("drop-9191", 250, 5, 1, in, drop), targets("pod2"), n.peer("pod1"), tcp(9191)),
				}, grown
			},
			traffic: func(n *testNode) {
				n.expectBlocked("pod1", "pod2", 9190) // the installed version still drops
				n.expectConnect("pod3", "pod2", 9190) // the refused version would drop pod3
				n.expectBlocked("pod1", "pod2", 9191)
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := startNode(t, 3)
			n.reconcile(tc.installed(n)...)
			n.limitTable(AntreaPolicyIngressRule, policyTableLimit)
			batch, refused := tc.batch(n)

			err := n.agent.pl.Policies().Reconcile(n.ctx, batch)
			require.ErrorIs(t, err, errTableFull, "OVS refuses the batch")
			assert.Contains(t, err.Error(), string(refused.ID), "the error names the refused rule")
			assert.Contains(t, err.Error(), "OFPFMFC_TABLE_FULL", "the error carries OVS's error")
			n.requireInstalled() // the desired state is what OVS holds again

			// The controller retries the rules of a failed batch one by one.
			errs := n.reconcileEach(batch...)
			for _, r := range batch {
				if r == refused {
					require.ErrorIs(t, errs[r.ID], errTableFull, "rule %s alone", r.ID)
					continue
				}
				require.NoError(t, errs[r.ID], "rule %s alone", r.ID)
			}
			n.requireInstalled()
			tc.traffic(n)

			// Later updates install: a rule in another table, and a new Pod.
			later := rule(acnp("later", 250, 5, 0, out, drop), targets("pod3"), n.peer("pod1"), tcp(9290))
			n.reconcile(later)
			pod4, err := n.ovs.AddPod(n.br, ovstest.PodConfig{Name: "pod4", IP: "10.77.0.14/24", MAC: "02:00:00:00:00:14", OFPort: 4})
			require.NoError(t, err)
			n.pods["pod4"] = pod4
			n.addPods(n.agent)
			n.expectBlocked("pod3", "pod1", 9290)
			n.expectConnect("pod4", "pod1", 9290)
			n.requireInstalled()

			// A replay after a restart installs everything but the refused rule.
			n.restartVSwitchdAndReplay()
			n.requireInstalled()
			tc.traffic(n)
			n.expectBlocked("pod3", "pod1", 9290)
			n.expectConnect("pod4", "pod1", 9290)
		})
	}
}

// brokenOnce is a Switch whose next connection is already closed, as when
// the connection breaks while a bundle is sent: no answer from OVS.
type brokenOnce struct {
	Switch
	dead *openflow.Conn
	used atomic.Bool
}

func (s *brokenOnce) Conn(ctx context.Context) (*openflow.Conn, error) {
	if s.used.CompareAndSwap(false, true) {
		return s.dead, nil
	}
	return s.Switch.Conn(ctx)
}

// TestOVSRefusedReplayAfterBrokenInstall sends a batch with a rule OVS would
// refuse over a broken connection: without an answer the batch stays
// pending (unconfirmed), and the replay after the reconnect holds it. OVS
// refuses that replay; the pipeline rolls the unconfirmed batch back and
// replays again instead of failing every reconnect. Retried one by one, the
// rules of the batch install but the refused one.
func TestOVSRefusedReplayAfterBrokenInstall(t *testing.T) {
	n := startNode(t, 3)
	n.reconcile(rule(acnp("drop-9090", 250, 5, 0, in, drop), targets("pod2"), n.peer("pod1"), tcp(9090)))
	n.limitTable(AntreaPolicyIngressRule, policyTableLimit)
	dead, err := openflow.Dial(n.ctx, openflow.Config{Addr: "unix:" + n.mgmt})
	require.NoError(t, err)
	require.NoError(t, dead.Close())
	n.agent.pl.cfg.Switch = &brokenOnce{Switch: n.agent.client, dead: dead}

	good := rule(acnp("drop-9091", 250, 5, 1, in, drop), targets("pod2"), n.peer("pod1"), tcp(9091))
	big := rule(acnp("big", 250, 5, 2, in, drop), targets("pod2"), append(farPeers(bigPeers), n.peer("pod1")...), tcp(9092))
	err = n.agent.pl.Policies().Reconcile(n.ctx, []*types.CompletedRule{good, big})
	require.Error(t, err)
	var refused *RefusedError
	require.False(t, errors.As(err, &refused), "no answer from OVS, no refusal: %v", err)

	n.restartVSwitchdAndReplay()
	n.requireInstalled()
	n.expectBlocked("pod1", "pod2", 9090)
	n.expectConnect("pod1", "pod2", 9091) // rolled back with the batch, until retried

	errs := n.reconcileEach(good, big)
	require.NoError(t, errs[good.ID])
	require.ErrorIs(t, errs[big.ID], errTableFull)
	n.requireInstalled()
	n.expectBlocked("pod1", "pod2", 9091)
	n.expectConnect("pod1", "pod2", 9092)
}

// TestOVSRefusedPod has OVS refuse the flows of a new Pod (its Classifier
// table is full): AddPod fails naming the Pod, the Pod is not known to the
// pipeline, and rules, other Pods and a replay install as before.
func TestOVSRefusedPod(t *testing.T) {
	n := startNode(t, 3)
	n.limitTable(Classifier, 4) // the miss flow and pod1..pod3
	pod4 := Pod{Ref: podRef("pod4"), OFPort: 4, MAC: mac("02:00:00:00:00:14"), IPs: ips("10.77.0.14")}
	err := n.agent.pl.Pods().AddPod(n.ctx, pod4)
	require.ErrorIs(t, err, errTableFull)
	assert.Contains(t, err.Error(), "Open vSwitch refused the flows of Pod default/pod4: OFPFMFC_TABLE_FULL")
	_, known := n.agent.pl.Pods().Lookup(pod4.Ref)
	assert.False(t, known, "the refused Pod is rolled back")
	n.requireInstalled()

	r := rule(acnp("drop", 250, 5, 0, in, drop), targets("pod2", "pod4"), n.peer("pod1"), tcp(9390))
	n.reconcile(r)
	n.addPods(n.agent)
	n.expectBlocked("pod1", "pod2", 9390)
	n.expectConnect("pod3", "pod2", 9390)
	n.requireInstalled()

	n.restartVSwitchdAndReplay()
	n.requireInstalled()
	n.expectBlocked("pod1", "pod2", 9390)
	n.expectConnect("pod3", "pod2", 9390)
}
