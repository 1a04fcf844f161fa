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
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/strata-net/strata/nodeagent/types"
)

// TestOVSAuditMode runs real TCP through audit rules in a private OVS with
// the agent's packet-in handler writing np.log: an audited Drop (and an
// audited egress Reject) lets connections through, writes AUDIT lines
// naming the rule and raises the rule's counters; an audited Allow does
// not open an enforced Drop; switching the policy to enforce (its rules
// replaced, nothing else touched in the bridge) drops.
func TestOVSAuditMode(t *testing.T) {
	n := startNode(t, 3)
	logPath := t.TempDir() + "/np.log"
	stop := n.handlePacketInsLogging(t, logPath)
	defer stop()

	// The audited Drop also covers 8482, where an enforced Allow behind it
	// commits the connection: the audit group's continuation must keep the
	// packet's conntrack and recirculation intact.
	auditDrop := audited(rule(acnp("audit-drop", 250, 5, 0, in, drop), targets("pod2"), n.peer("pod1"), tcp(8480), tcp(8482)))
	auditReject := audited(rule(acnp("audit-reject", 100, 1, 0, out, reject), targets("pod3"), nil, tcp(8481)))
	other := rule(acnp("other", 250, 5, 1, in, allow), targets("pod2"), n.peer("pod1"), tcp(8482))
	auditAllow := audited(rule(acnp("audit-allow", 50, 1, 0, in, allow), targets("pod1"), nil, tcp(8483)))
	enforcedDrop := rule(acnp("enforced-drop", 250, 1, 0, in, drop), targets("pod1"), nil, tcp(8483))
	n.reconcile(auditDrop, auditReject, other, auditAllow, enforcedDrop)

	t.Run("audited Drop and Reject let traffic through, log and count", func(t *testing.T) {
		n.t = t
		n.expectConnect("pod1", "pod2", 8480)
		n.expectConnect("pod1", "pod2", 8480)
		n.expectConnect("pod3", "pod1", 8481) // the handler runs: an audit Reject sends no reset
		n.expectConnect("pod1", "pod2", 8482)
		waitForLog(t, logPath, "AuditIngressRule AntreaClusterNetworkPolicy:acnp-audit-drop rule-audit-drop Ingress AUDIT:Drop",
			"default/pod2 "+n.ip("pod1"))
		waitForLog(t, logPath, "AuditEgressRule AntreaClusterNetworkPolicy:acnp-audit-reject rule-audit-reject Egress AUDIT:Reject",
			"default/pod3 "+n.ip("pod3"))
		// OVS pushes the counters of packets handled in the datapath (rather
		// than by an upcall) to its flows every revalidation: poll for them.
		stats := waitForSessions(t, n, auditDrop.ID, 3)
		assert.Equal(t, uint64(3), stats[auditDrop.ID].Sessions, "one session per new connection: %+v", stats[auditDrop.ID])
		assert.Equal(t, stats[auditDrop.ID].Sessions, stats[auditDrop.ID].Packets)
		assert.Positive(t, stats[auditDrop.ID].Bytes)
		assert.Equal(t, uint64(1), stats[auditReject.ID].Sessions)
		assert.Equal(t, uint64(1), stats[other.ID].Sessions, "the enforcing rule behind counts as before")
	})
	t.Run("audited Allow opens nothing", func(t *testing.T) {
		n.t = t
		n.expectBlocked("pod2", "pod1", 8483)
		waitForLog(t, logPath, "acnp-audit-allow rule-audit-allow Ingress AUDIT:Allow")
	})
	t.Run("switching to enforce replaces that policy's flows only, and drops", func(t *testing.T) {
		n.t = t
		before := n.flowLines()
		n.forget(auditDrop)
		enforced := rule(acnp("audit-drop-enforced", 250, 5, 0, in, drop), targets("pod2"), n.peer("pod1"), tcp(8480), tcp(8482))
		n.reconcile(enforced)
		defer n.forget(enforced)
		after := n.flowLines()
		conj := strconv.Itoa(int(conjOf(t, n.agent.pl, enforced.ID)))
		cookie := "cookie=0x" + strconv.FormatUint(n.agent.pl.build.policyCookie(conjOf(t, n.agent.pl, enforced.ID)), 16) + ","
		for _, f := range before {
			if !slices.Contains(after, f) {
				assert.Contains(t, f, "table=AuditIngressRule", "only the audited rule's flows go: %s", f)
			}
		}
		for _, f := range after {
			if !slices.Contains(before, f) {
				assert.True(t, strings.Contains(f, cookie) || strings.Contains(f, "conjunction("+conj+","),
					"only the enforced rule's flows come: %s", f)
			}
		}
		n.expectBlocked("pod1", "pod2", 8480)
		n.expectBlocked("pod1", "pod2", 8482) // the enforced Drop comes before the Allow
		n.expectConnect("pod3", "pod2", 8482) // no rule for pod3
		n.requireInstalled()
	})
	n.forget(auditReject, other, auditAllow, enforcedDrop)
}

// flowLines returns the bridge's flows without counters, one per line.
func (n *testNode) flowLines() []string {
	n.t.Helper()
	out, err := n.ovs.OFCtl("-O", "OpenFlow15", "--names", "--no-stats", "dump-flows", n.br)
	require.NoError(n.t, err)
	var flows []string
	for _, l := range strings.Split(out, "\n") {
		if l = strings.TrimSpace(l); strings.Contains(l, "actions=") {
			flows = append(flows, l)
		}
	}
	return flows
}

// waitForLog waits until a line of the np.log at path contains every part.
func waitForLog(t *testing.T, path string, parts ...string) {
	t.Helper()
	var last string
	err := wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, 5*time.Second, true,
		func(context.Context) (bool, error) {
			b, err := os.ReadFile(path)
			if err != nil {
				return false, nil //nolint:nilerr // not written yet
			}
			last = string(b)
			for _, l := range strings.Split(last, "\n") {
				if !slices.ContainsFunc(parts, func(p string) bool { return !strings.Contains(l, p) }) {
					return true, nil
				}
			}
			return false, nil
		})
	require.NoError(t, err, "waiting for an np.log line with %q; np.log:\n%s", parts, last)
}

// waitForSessions polls the rule stats until rule id has at least want sessions
// (or 10 s pass) and returns the last stats read.
func waitForSessions(t *testing.T, n *testNode, id types.RuleID, want uint64) map[types.RuleID]RuleMetric {
	t.Helper()
	var stats map[types.RuleID]RuleMetric
	err := wait.PollUntilContextTimeout(n.ctx, 100*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		var err error
		stats, err = n.agent.pl.Policies().RuleStats(ctx)
		return err == nil && stats[id].Sessions >= want, err
	})
	require.NoError(t, err, "waiting for rule %s to count %d sessions (last: %+v)", id, want, stats[id])
	return stats
}
