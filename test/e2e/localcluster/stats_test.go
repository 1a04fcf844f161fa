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

package localcluster

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	statsv1alpha1 "github.com/strata-net/strata/apis/stats/v1alpha1"
	"github.com/strata-net/strata/test/e2e/framework"
)

const statsNamespace = "e2e-stats"

// statsPolicy: a server, one Allow rule for c-allow (port 80), one Drop rule for
// c-drop, and two rules nothing ever matches (one named, one not).
const statsPolicy = `apiVersion: crd.antrea.io/v1beta1
kind: ClusterNetworkPolicy
metadata: {name: e2e-stats}
spec:
  tier: application
  priority: 3
  appliedTo: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: e2e-stats}}, podSelector: {matchLabels: {app: srv}}}]
  ingress:
  - {action: Allow, name: allow-client, from: [{podSelector: {matchLabels: {role: allow}}, namespaceSelector: {}}], ports: [{protocol: TCP, port: 80}]}
  - {action: Drop, name: drop-client, from: [{podSelector: {matchLabels: {role: drop}}, namespaceSelector: {}}]}
  - {action: Drop, name: never-hit, from: [{podSelector: {matchLabels: {role: nobody}}, namespaceSelector: {}}]}
  - {action: Drop, from: [{ipBlock: {cidr: 192.0.2.0/24}}]}
`

// TestStats makes connections through an ACNP's rules on real traffic and checks
// the stats.antrea.io counters strata-apiserver sums from the agents' reports:
// the Allow rule's sessions rise by exactly the number of connections made (the
// client on the other Node), the Drop rule counts the dropped attempts, the
// other two rules (one named by admission) stay at zero and are listed as dead
// by stratactl get stats --since,
// and kubectl get acnpstats shows the policy.
func TestStats(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dir := t.TempDir()
	pods, policy := filepath.Join(dir, "pods.yaml"), filepath.Join(dir, "policy.yaml")
	writeFile(t, pods, manifests([]string{statsNamespace},
		agnhostPod{statsNamespace, "srv", "app: srv", 1, "netexec, --http-port=80"},
		agnhostPod{statsNamespace, "c-allow", "role: allow", 2, "pause"},
		agnhostPod{statsNamespace, "c-drop", "role: drop", 2, "pause"}))
	writeFile(t, policy, statsPolicy)
	deleteOnCleanup(t, policy, pods)
	kubectl(ctx, t, "apply", "-f", pods)
	eventually(ctx, t, settleTimeout, "the stats test's Pods to be Ready", func(ctx context.Context) error {
		_, err := framework.ReadyPods(ctx, lc.Kubeconfig, statsNamespace, 3)
		return err
	})
	kubectl(ctx, t, "apply", "-f", policy)
	waitPolicyRealized(ctx, t, "e2e-stats", 1)
	server := fmt.Sprintf("%s:80", podIP(ctx, t, statsNamespace, "srv"))

	before := ruleStats(ctx, t)
	const connections, attempts = 5, 2
	for i := range connections {
		if got := connectOutcome(ctx, statsNamespace, "c-allow", server); got != "" {
			t.Fatalf("connection %d of c-allow: %q, want connected", i+1, got)
		}
	}
	for i := range attempts {
		if got := connectOutcome(ctx, statsNamespace, "c-drop", server); got != "TIMEOUT" {
			t.Fatalf("attempt %d of c-drop: %q, want TIMEOUT", i+1, got)
		}
	}
	wantSessions := before["allow-client"].Sessions + connections
	eventually(ctx, t, settleTimeout, fmt.Sprintf("allow-client to count %d sessions and drop-client %d packets more", connections, attempts),
		func(ctx context.Context) error {
			now := ruleStats(ctx, t)
			if s := now["allow-client"].Sessions; s > wantSessions {
				t.Fatalf("allow-client counted %d sessions, more than the %d connections made (from %d)", s, connections, before["allow-client"].Sessions)
			}
			if now["allow-client"].Sessions != wantSessions || now["drop-client"].Packets < before["drop-client"].Packets+attempts {
				return fmt.Errorf("rules %+v (before %+v)", now, before)
			}
			return nil
		})
	after := ruleStats(ctx, t)
	if after["allow-client"].Packets < 3*connections || after["allow-client"].Bytes == 0 {
		t.Errorf("allow-client: %+v, want packets both ways of %d connections", after["allow-client"], connections)
	}
	unnamed := "" // the name admission gave the rule without one (as Antrea: ingress-drop-<hash>)
	for name := range after {
		if name != "allow-client" && name != "drop-client" && name != "never-hit" {
			unnamed = name
		}
	}
	for _, rule := range []string{"never-hit", unnamed} {
		if after[rule] != (statsv1alpha1.TrafficStats{}) {
			t.Errorf("rule %s counted %+v, want nothing", rule, after[rule])
		}
	}

	out := kubectl(ctx, t, "get", "acnpstats", "e2e-stats")
	for _, want := range []string{"SESSIONS", "PACKETS", "BYTES", "RULES", "UNHIT", "e2e-stats"} {
		if !strings.Contains(out, want) {
			t.Errorf("kubectl get acnpstats e2e-stats: no %q in\n%s", want, out)
		}
	}
	out, err := lc.Stratactl(ctx, "get", "stats", "e2e-stats", "--since", "1h")
	if err != nil {
		t.Fatalf("stratactl get stats: %v\n%s", err, out)
	}
	if !strings.Contains(out, "Dead rules (no packet since") || !strings.Contains(out, "): never-hit, "+unnamed+"\n") {
		t.Fatalf("stratactl get stats e2e-stats --since 1h: want never-hit and %s dead, got\n%s", unnamed, out)
	}
}

// ruleStats reads the ACNP e2e-stats's stats, by rule.
func ruleStats(ctx context.Context, t *testing.T) map[string]statsv1alpha1.TrafficStats {
	t.Helper()
	out := kubectl(ctx, t, "get", "antreaclusternetworkpolicystats.stats.antrea.io", "e2e-stats", "-o", "json")
	var s statsv1alpha1.AntreaClusterNetworkPolicyStats
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("decoding the stats: %v\n%s", err, out)
	}
	rules := map[string]statsv1alpha1.TrafficStats{}
	for _, r := range s.RuleTrafficStats {
		rules[r.Name] = r.TrafficStats
	}
	if len(rules) != 4 {
		t.Fatalf("stats of %d rules, want the policy's 4: %+v", len(rules), s.RuleTrafficStats)
	}
	return rules
}
