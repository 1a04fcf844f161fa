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
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/nodeagent/ovs/openflow"
	"github.com/strata-net/strata/nodeagent/proxy"
	"github.com/strata-net/strata/nodeagent/types"
)

// toServices makes r a toServices egress rule to the default Namespace's
// Services of these names (no other peer).
func toServices(r *types.CompletedRule, names ...string) *types.CompletedRule {
	r.Peers = []types.Address{}
	for _, name := range names {
		r.ToServices = append(r.ToServices, v1beta2.ServiceReference{Namespace: "default", Name: name})
	}
	return r
}

// namedPort is port of Service name at testVIP with the endpoint pods on
// 8080, named portName.
func (n *testNode) namedPort(name, portName string, port uint16, endpoints ...string) proxy.ServicePort {
	sp := n.svc(name, port, proxy.TCP, endpoints...)
	sp.Key.PortName = portName
	return sp
}

// expectVIPDropped: a connection from a pod to addr times out (dropped).
func (n *testNode) expectVIPDropped(from, addr string) {
	n.t.Helper()
	line, err := n.askVIP(from, addr, blockTimeout)
	require.Error(n.t, err, "%s -> %s should be dropped, got %q", from, addr, line)
	require.True(n.t, errors.Is(err, context.DeadlineExceeded) || isTimeout(err),
		"%s -> %s should time out (dropped), got %v", from, addr, err)
}

func (n *testNode) expectVIPAnswers(from, addr, endpoint string) {
	n.t.Helper()
	line, err := n.askVIP(from, addr, allowTimeout)
	require.NoError(n.t, err, "%s -> %s should connect", from, addr)
	require.True(n.t, strings.HasPrefix(line, endpoint+" "), "%s -> %s answered %q, want %s", from, addr, line, endpoint)
}

// serviceIDMatches are the installed flows of the egress policy table that
// match a Service id (reg7), as ovs-ofctl would print them.
func (n *testNode) serviceIDMatches() []string {
	n.t.Helper()
	var out []string
	for _, fs := range n.dumpFlows(openflow.FlowDescRequest{Table: AntreaPolicyEgressRule}) {
		if s := (ofctlFormat{}).flow(fs.Flow); strings.Contains(s, "reg7=") {
			out = append(out, s)
		}
	}
	return out
}

// TestOVSToServices sends real TCP through ClusterIP Services under
// toServices egress rules in a private OVS: the rule (Drop, Reject, Allow)
// matches the connections sent to the Service's ClusterIP and port (before
// DNAT), not those sent to the same endpoint by its Pod IP; it follows the Service's frontends in the
// same bundle, so a Service created (or a port added) after the policy is
// dropped from its first connection, and a deleted Service's frontend id,
// handed to another Service, does not carry the rule along.
func TestOVSToServices(t *testing.T) {
	n := startGatewayNode(t, 3, false)
	n.serveName("pod2", 8080)
	vip, pod2 := testVIP+":80", n.ip("pod2")+":8080"
	n.syncService(n.svc("web", 80, proxy.TCP, "pod2"))

	t.Run("Drop toServices: the ClusterIP is dropped, the Pod IP is not", func(t *testing.T) {
		n.t = t
		dropWeb := toServices(rule(acnp("tosvc-drop", 250, 5, 0, out, drop), targets("pod1"), nil), "web")
		n.reconcile(dropWeb)
		n.expectVIPDropped("pod1", vip)
		n.expectVIPAnswers("pod1", pod2, "pod2")
		n.expectVIPAnswers("pod3", vip, "pod2") // not a target of the rule
		n.forget(dropWeb)
		n.expectVIPAnswers("pod1", vip, "pod2")
		require.Empty(t, n.serviceIDMatches(), "reg7 matches left after the rule is forgotten")
	})
	t.Run("Reject toServices: refused, the reset from the ClusterIP", func(t *testing.T) {
		n.t = t
		stop := n.handlePacketIns(t)
		defer stop()
		rejectWeb := toServices(rule(acnp("tosvc-reject", 250, 5, 0, out, reject), targets("pod1"), nil), "web")
		n.reconcile(rejectWeb)
		n.expectRefused("pod1", vip)
		n.expectVIPAnswers("pod1", pod2, "pod2")
		n.forget(rejectWeb)
		n.expectVIPAnswers("pod1", vip, "pod2")
	})
	t.Run("Allow toServices above a Drop of everything: only the ClusterIP path", func(t *testing.T) {
		n.t = t
		allowWeb := toServices(rule(acnp("tosvc-allow", 250, 5, 0, out, allow), targets("pod1"), nil), "web")
		dropAll := rule(acnp("tosvc-drop-all", 250, 6, 0, out, drop), targets("pod1"), nil)
		n.reconcile(allowWeb, dropAll)
		n.expectVIPAnswers("pod1", vip, "pod2")
		n.expectVIPDropped("pod1", pod2)
		n.forget(allowWeb, dropAll)
		n.expectVIPAnswers("pod1", pod2, "pod2")
	})
	t.Run("a Service created after the policy is dropped from its first connection", func(t *testing.T) {
		n.t = t
		dropLate := toServices(rule(acnp("tosvc-late", 250, 5, 0, out, drop), targets("pod1"), nil), "late")
		n.reconcile(dropLate)
		require.Empty(t, n.serviceIDMatches(), "a Service that does not exist matches nothing")
		late := fmt.Sprintf("%s:%d", testVIP, 81)
		n.syncService(n.namedPort("late", "a", 81, "pod2"))
		n.expectVIPDropped("pod1", late)
		n.expectVIPAnswers("pod3", late, "pod2")
		n.expectVIPAnswers("pod1", vip, "pod2") // another Service

		// A port added later is dropped from its first connection too.
		added := fmt.Sprintf("%s:%d", testVIP, 82)
		n.syncService(n.namedPort("late", "a", 81, "pod2"), n.namedPort("late", "b", 82, "pod2"))
		n.expectVIPDropped("pod1", added)
		n.expectVIPDropped("pod1", late)
		require.Len(t, n.serviceIDMatches(), 2, "one reg7 match per frontend of the Service")

		// Deleted: its matches go, and the Service that gets its ids is not dropped.
		require.NoError(t, n.agent.pl.Services().DeleteService(n.ctx, proxy.ServiceRef{Namespace: "default", Name: "late"}))
		n.settle()
		require.Empty(t, n.serviceIDMatches(), "reg7 matches of a deleted Service")
		other := n.namedPort("other", "", 83, "pod2")
		n.syncService(other)
		id, ok := n.agent.pl.Services().ServiceID(other.Key, netip.MustParseAddr(testVIP))
		require.True(t, ok)
		require.LessOrEqual(t, id, uint32(3), "the new Service reuses a freed id")
		n.expectVIPAnswers("pod1", fmt.Sprintf("%s:%d", testVIP, 83), "pod2")

		// Back again: dropped at once.
		n.syncService(n.namedPort("late", "a", 81, "pod2"))
		n.expectVIPDropped("pod1", late)
		n.forget(dropLate)
		n.expectVIPAnswers("pod1", late, "pod2")
		n.requireInstalled()
	})
}
