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
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/strata-net/strata/nodeagent/ovs/openflow"
	"github.com/strata-net/strata/nodeagent/proxy"
)

// affinityTestTimeout is the sessionAffinity timeout of the test Service.
const affinityTestTimeout = 2 * time.Second

// learnedFlows returns the SessionAffinity flows OVS learned for a client.
func (n *testNode) learnedFlows(client string) []openflow.FlowStats {
	n.t.Helper()
	ip := netip.MustParseAddr(n.ip(client)).As4()
	var out []openflow.FlowStats
	for _, fs := range n.dumpFlows(openflow.FlowDescRequest{Table: SessionAffinity}) {
		src, ok := fs.Match.Get(openflow.FieldIPv4Src)
		if ok && (fs.Cookie&categoryMask)>>categoryShift == categoryAffinity && [4]byte(src.Value[:4]) == ip {
			out = append(out, fs)
		}
	}
	return out
}

// stuckTo makes k connections from a client and requires them all to land
// on one endpoint, which it returns.
func (n *testNode) stuckTo(client, addr string, k int) string {
	n.t.Helper()
	counts := n.spread(client, addr, k)
	require.Len(n.t, counts, 1, "endpoints of %d connections from %s with ClientIP affinity: %v", k, client, counts)
	for ep := range counts {
		return ep
	}
	return ""
}

// awaitExpiry polls until the client's learned flow is gone and returns
// how long that took.
func (n *testNode) awaitExpiry(client string) time.Duration {
	n.t.Helper()
	start := time.Now()
	err := wait.PollUntilContextTimeout(n.ctx, 100*time.Millisecond, affinityTestTimeout+5*time.Second, true,
		func(context.Context) (bool, error) { return len(n.learnedFlows(client)) == 0, nil })
	require.NoError(n.t, err, "the learned affinity flow of %s expiring (hard_timeout %s)", client, affinityTestTimeout)
	return time.Since(start)
}

// TestOVSServiceAffinity sends real TCP through a ClusterIP Service with
// sessionAffinity ClientIP: every connection of a client lands on one
// endpoint while the learned flow lives, the flow expires hard_timeout
// after the client's last new connection and the client is balanced again,
// and removing the endpoint a client is pinned to moves it at once.
func TestOVSServiceAffinity(t *testing.T) {
	n := startGatewayNode(t, 5, false)
	vip := testVIP + ":80"
	for _, p := range []string{"pod3", "pod4", "pod5"} {
		n.serveName(p, 8080)
	}
	sticky := n.svc("sticky", 80, "TCP", "pod3", "pod4", "pod5")
	sticky.AffinityTimeout = affinityTestTimeout
	n.syncService(sticky)

	t.Run("every connection of a client lands on one endpoint", func(t *testing.T) {
		n.t = t
		first := n.stuckTo("pod1", vip, 20)
		n.stuckTo("pod2", vip, 20)
		learned := n.learnedFlows("pod1")
		require.Len(t, learned, 1, "learned flows of pod1")
		require.EqualValues(t, affinityTestTimeout/time.Second, learned[0].HardTimeout)
		require.Equal(t, first, n.stuckTo("pod1", vip, 5), "pod1 after pod2's connections")
		n.requireInstalled()
	})
	t.Run("without affinity the same client is spread", func(t *testing.T) {
		n.t = t
		plain := sticky
		plain.AffinityTimeout = 0
		n.syncService(plain)
		require.Empty(t, n.learnedFlows("pod1"), "learned flows once the Service has no affinity")
		require.Len(t, n.spread("pod1", vip, 30), 3, "endpoints of 30 connections without affinity")
		n.syncService(sticky)
	})
	t.Run("the affinity ends the timeout after the last new connection", func(t *testing.T) {
		n.t = t
		first := n.stuckTo("pod1", vip, 3)
		// Each new connection restarts the timeout: the flow learned by the
		// first connection outlives it when connections keep coming.
		deadline := time.Now().Add(affinityTestTimeout + time.Second)
		for time.Now().Before(deadline) {
			require.Equal(t, first, n.stuckTo("pod1", vip, 1), "pod1 while its connections keep the affinity alive")
		}
		took := n.awaitExpiry("pod1")
		require.Greater(t, took, affinityTestTimeout/2, "the learned flow expired early")
		// Balanced again: across expiries the client reaches another endpoint.
		seen := map[string]bool{first: true}
		for i := 0; i < 10 && len(seen) == 1; i++ {
			seen[n.stuckTo("pod1", vip, 1)] = true
			n.awaitExpiry("pod1")
		}
		require.Greater(t, len(seen), 1, "pod1 reached only %v over 10 expiries of its affinity", seen)
	})
	t.Run("removing the pinned endpoint moves the client at once", func(t *testing.T) {
		n.t = t
		pinned := n.stuckTo("pod1", vip, 3)
		var rest []string
		for _, p := range []string{"pod3", "pod4", "pod5"} {
			if p != pinned {
				rest = append(rest, p)
			}
		}
		fewer := n.svc("sticky", 80, "TCP", rest...)
		fewer.AffinityTimeout = affinityTestTimeout
		n.syncService(fewer)
		// No learned flow sends pod1 to the removed endpoint (OVS may already
		// have relearned pod1's last connection to a remaining one when it
		// revalidated its cached flows against the new tables).
		removed := netip.MustParseAddr(n.ip(pinned))
		for _, fs := range n.learnedFlows("pod1") {
			require.NotContains(t, fs.Flow.String(), fmt.Sprintf("set_field:%#x->reg3", ipv4Uint(removed)),
				"a learned flow to the removed endpoint %s", pinned)
			require.NotEqual(t, uint64(endpointHash(proxy.Endpoint{IP: removed, Port: 8080})), fs.Cookie&affinityEndpointMask,
				"the cookie of a learned flow to the removed endpoint %s", pinned)
		}
		moved := n.stuckTo("pod1", vip, 10)
		require.NotEqual(t, pinned, moved, "pod1 after its endpoint %s was removed", pinned)
		require.Contains(t, rest, moved)
		n.syncService(sticky)
	})
}
