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

package policy

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/nodeagent/ovs/openflow"
	"github.com/strata-net/strata/nodeagent/ovs/ovstest"
	"github.com/strata-net/strata/nodeagent/pipeline"
	"github.com/strata-net/strata/nodeagent/types"
)

// ovsNode is the real pipeline on a private Open vSwitch bridge whose
// AntreaPolicyIngressRule table holds at most tableLimit flows: OVS refuses
// (OFPFMFC_TABLE_FULL) a rule with many peers, small rules fit.
type ovsNode struct {
	ovs *ovstest.Instance
	br  string
	pl  *pipeline.Pipeline
}

const tableLimit = 30

func startOVSNode(t *testing.T) *ovsNode {
	t.Helper()
	ovstest.Require(t)
	n := &ovsNode{ovs: ovstest.StartOVS(t), br: ovstest.UniqueName("br")}
	mgmt, err := n.ovs.AddBridge(n.br)
	require.NoError(t, err)
	out, err := n.ovs.VSCtl("--", "--id=@ft", "create", "Flow_Table", fmt.Sprintf("flow_limit=%d", tableLimit),
		"overflow_policy=refuse", "--", "set", "Bridge", n.br,
		fmt.Sprintf("flow_tables:%d=@ft", pipeline.AntreaPolicyIngressRule))
	require.NoError(t, err, out)

	client, err := openflow.NewClient(openflow.ClientConfig{
		Conn: openflow.Config{Addr: "unix:" + mgmt},
		OnConnect: func(ctx context.Context, c *openflow.Conn, reconnect bool) error {
			return n.pl.OnConnect(ctx, c, reconnect)
		},
	})
	require.NoError(t, err)
	n.pl, err = pipeline.New(pipeline.Config{Switch: client})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = client.Run(ctx)
	}()
	t.Cleanup(func() { cancel(); <-done })

	waitCtx, waitCancel := context.WithTimeout(ctx, 30*time.Second)
	defer waitCancel()
	_, err = client.Conn(waitCtx)
	require.NoError(t, err, "waiting for the first OpenFlow connection and replay")
	// The appliedTo Pod of the test policies; its port need not exist.
	require.NoError(t, n.pl.Pods().AddPod(waitCtx, pipeline.Pod{Ref: types.PodRef{Namespace: "ns1", Name: "web-1"},
		OFPort: 1, MAC: net.HardwareAddr{2, 0, 0, 0, 0, 1}, IPs: []net.IP{net.ParseIP("10.0.0.1")}}))
	return n
}

// policyFlows returns the flows of AntreaPolicyIngressRule as ovs-ofctl
// prints them.
func (n *ovsNode) policyFlows(t *testing.T) string {
	t.Helper()
	out, err := n.ovs.OFCtl("-O", "OpenFlow15", "dump-flows", n.br, fmt.Sprintf("table=%d", pipeline.AntreaPolicyIngressRule))
	require.NoError(t, err, out)
	return out
}

// manyPods is an AddressGroup of n Pods: one match flow each in a rule.
func manyPods(name string, n int) *v1beta2.AddressGroup {
	members := make([]v1beta2.GroupMember, n)
	for i := range members {
		members[i] = pod("ns2", fmt.Sprintf("client-%d", i), fmt.Sprintf("10.0.9.%d", i+1))
	}
	return ag(name, members...)
}

// TestOVSRefusedRuleStatus runs the controller on the real pipeline: the one
// rule that Open vSwitch refuses fails, and its policy's status names that
// rule and OVS's error; the other rule of the same policy, the other
// policies and a later policy are installed and realized.
func TestOVSRefusedRuleStatus(t *testing.T) {
	n := startOVSNode(t)
	h := newHarness(t, func(c *Config) {
		c.Reconciler = n.pl.Policies()
		c.RetryBackoff = Backoff{Initial: 50 * time.Millisecond, Max: time.Second}
	})
	h.start()
	huge := ingress(1, 82, "ag-many")
	huge.Name = "huge"
	small := acnp("small", 1, []string{"atg1"}, ingress(0, 80, "ag1"))
	big := acnp("big", 3, []string{"atg1"}, ingress(0, 81, "ag1"), huge)
	ws := h.syncAll([]*v1beta2.NetworkPolicy{small, big},
		[]*v1beta2.AppliedToGroup{atg("atg1", pod("ns1", "web-1"))},
		[]*v1beta2.AddressGroup{ag("ag1", pod("ns2", "client-1", "10.0.1.1")), manyPods("ag-many", 40)})

	eventually(t, func(c *assert.CollectT) {
		assert.Equal(c, []v1beta2.NetworkPolicyNodeStatus{realized(1)}, h.reporter.of("small"))
		reports := h.reporter.of("big")
		if assert.NotEmpty(c, reports) {
			st := reports[len(reports)-1]
			assert.True(c, st.RealizationFailure)
			assert.Equal(c, int64(3), st.Generation)
			assert.Contains(c, st.Message, `In rule 1 "huge": `, "the rule's name")
			assert.Contains(c, st.Message, "OFPFMFC_TABLE_FULL (flow not added because of full table(s))", "OVS's error")
			assert.NotContains(c, st.Message, "In rule 0", "the other rule of the policy is installed")
		}
	}, "small realized, big failed in rule huge")
	flows := n.policyFlows(t)
	assert.Contains(t, flows, "tp_dst=80 ", "rule 0 of small")
	assert.Contains(t, flows, "tp_dst=81 ", "rule 0 of big")
	assert.NotContains(t, flows, "tp_dst=82 ", "the refused rule")

	// A later policy installs while the refused rule keeps failing.
	ws[kindPolicies].Add(acnp("later", 1, []string{"atg1"}, ingress(0, 83, "ag1")))
	eventually(t, func(c *assert.CollectT) {
		assert.Equal(c, []v1beta2.NetworkPolicyNodeStatus{realized(1)}, h.reporter.of("later"))
	}, "later realized")
	assert.Contains(t, n.policyFlows(t), "tp_dst=83 ")

	// Without the huge rule the policy is realized.
	ws[kindPolicies].Modify(acnp("big", 4, []string{"atg1"}, ingress(0, 81, "ag1")))
	eventually(t, func(c *assert.CollectT) {
		reports := h.reporter.of("big")
		assert.Equal(c, realized(4), reports[len(reports)-1])
	}, "big realized at generation 4")
}
