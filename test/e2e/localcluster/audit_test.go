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
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cpv1beta2 "github.com/strata-net/strata/apis/controlplane/v1beta2"
	statsv1alpha1 "github.com/strata-net/strata/apis/stats/v1alpha1"
	"github.com/strata-net/strata/test/e2e/framework"
)

const auditNamespace = "e2e-audit"

// auditPolicy drops the client's connections to the server, in audit mode.
const auditPolicy = `apiVersion: crd.antrea.io/v1beta1
kind: ClusterNetworkPolicy
metadata:
  name: e2e-audit
  annotations: {policy.strata.io/enforcement: audit}
spec:
  tier: application
  priority: 3
  appliedTo: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: e2e-audit}}, podSelector: {matchLabels: {app: srv}}}]
  ingress:
  - {action: Drop, name: drop-cli, from: [{podSelector: {matchLabels: {role: cli}}, namespaceSelector: {}}], ports: [{protocol: TCP, port: 80}]}
`

// TestAuditMode: an ACNP Drop annotated policy.strata.io/enforcement: audit
// does not block the client (on the other Node), writes AUDIT:Drop lines in
// the np.log of the server's Node, counts every connection in the rule's
// stats, says Audited in its status and is shown as audit-only by explain;
// an invalid value is refused naming the annotation; after the annotation is
// switched to enforce, the same connections time out and the status no
// longer says Audited.
func TestAuditMode(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dir := t.TempDir()
	pods, policy := filepath.Join(dir, "pods.yaml"), filepath.Join(dir, "policy.yaml")
	writeFile(t, pods, manifests([]string{auditNamespace},
		agnhostPod{auditNamespace, "srv", "app: srv", 1, "netexec, --http-port=80"},
		agnhostPod{auditNamespace, "cli", "role: cli", 2, "pause"}))
	writeFile(t, policy, auditPolicy)
	deleteOnCleanup(t, policy, pods)
	kubectl(ctx, t, "apply", "-f", pods)
	eventually(ctx, t, settleTimeout, "the audit test's Pods to be Ready", func(ctx context.Context) error {
		_, err := framework.ReadyPods(ctx, lc.Kubeconfig, auditNamespace, 2)
		return err
	})
	kubectl(ctx, t, "apply", "-f", policy)
	waitPolicyRealized(ctx, t, "e2e-audit", 1)
	expectAuditedCondition(ctx, t, "True")
	srvIP, cliIP := podIP(ctx, t, auditNamespace, "srv"), podIP(ctx, t, auditNamespace, "cli")
	server := srvIP + ":80"

	before := auditRuleStats(ctx, t)
	const connections = 3
	for i := range connections {
		if got := connectOutcome(ctx, auditNamespace, "cli", server); got != "" {
			t.Fatalf("connection %d through the audited Drop: %q, want connected", i+1, got)
		}
	}
	expectAuditLine(ctx, t, 1, "AntreaClusterNetworkPolicy:e2e-audit", "drop-cli", "Ingress", "AUDIT:Drop", cliIP, srvIP)
	want := before.Sessions + connections
	eventually(ctx, t, settleTimeout, fmt.Sprintf("drop-cli to count %d sessions", want), func(ctx context.Context) error {
		now := auditRuleStats(ctx, t)
		if now.Sessions > want {
			t.Fatalf("drop-cli counted %d sessions, more than the %d connections made (from %d)", now.Sessions, connections, before.Sessions)
		}
		if now.Sessions != want || now.Packets != now.Sessions {
			return fmt.Errorf("drop-cli %+v (before %+v)", now, before)
		}
		return nil
	})
	expectExplainAudit(ctx, t)

	out, err := kubectlOut(ctx, "annotate", "--overwrite", "acnp", "e2e-audit", "policy.strata.io/enforcement=Audit")
	if err == nil || !strings.Contains(out, "policy.strata.io/enforcement") || !strings.Contains(out, `"Audit"`) {
		t.Fatalf("annotating enforcement=Audit: err %v, want a refusal naming the annotation and the value:\n%s", err, out)
	}

	kubectl(ctx, t, "annotate", "--overwrite", "acnp", "e2e-audit", "policy.strata.io/enforcement=enforce")
	eventuallyOutcome(ctx, t, func(ctx context.Context) string { return connectOutcome(ctx, auditNamespace, "cli", server) },
		"TIMEOUT", "cli's connection to be dropped once e2e-audit is enforced")
	expectAuditedCondition(ctx, t, "")
}

// expectAuditedCondition waits for the Audited condition of e2e-audit to
// have the status want ("" for no such condition).
func expectAuditedCondition(ctx context.Context, t *testing.T, want string) {
	t.Helper()
	eventually(ctx, t, settleTimeout, fmt.Sprintf("e2e-audit's Audited condition to be %q", want), func(ctx context.Context) error {
		out, err := kubectlOut(ctx, "get", "acnp", "e2e-audit", "-o", `jsonpath={.status.conditions[?(@.type=="Audited")].status}`)
		if err != nil {
			return err
		}
		if strings.TrimSpace(out) != want {
			return fmt.Errorf("Audited condition %q", out)
		}
		return nil
	})
}

// expectAuditLine waits for an np.log line on worker node with every part.
func expectAuditLine(ctx context.Context, t *testing.T, node int, parts ...string) {
	t.Helper()
	path := filepath.Join(lc.NodeDir(node), "log", "np.log")
	eventually(ctx, t, settleTimeout, fmt.Sprintf("worker%d's np.log to have a line with %q", node, parts), func(context.Context) error {
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, line := range strings.Split(string(data), "\n") {
			fields := strings.Fields(line)
			all := true
			for _, p := range parts {
				all = all && containsField(fields, p)
			}
			if all {
				return nil
			}
		}
		return fmt.Errorf("no such line in %s", path)
	})
}

func containsField(fields []string, f string) bool {
	for _, x := range fields {
		if x == f {
			return true
		}
	}
	return false
}

// expectExplainAudit: explain's verdict on cli -> srv:80 is Allow (allowed
// by default), with the audited rule as a step of the Audit stage whose
// outcome is AuditDrop.
func expectExplainAudit(ctx context.Context, t *testing.T) {
	t.Helper()
	out, err := lc.Stratactl(ctx, "explain", auditNamespace+"/cli", auditNamespace+"/srv", "--port", "80", "-o", "json")
	if err != nil {
		t.Fatalf("stratactl explain: %v\n%s", err, out)
	}
	var ev cpv1beta2.NetworkPolicyEvaluation
	if err := json.Unmarshal([]byte(out), &ev); err != nil || ev.Response == nil {
		t.Fatalf("decoding stratactl explain's JSON: %v\n%s", err, out)
	}
	if ev.Response.Verdict != "Allow" || !ev.Response.AllowedByDefault {
		t.Fatalf("explain: verdict %q (allowed by default %v), want Allow by default:\n%s", ev.Response.Verdict, ev.Response.AllowedByDefault, out)
	}
	for _, st := range ev.Response.Ingress.Steps {
		if st.NetworkPolicy.Name == "e2e-audit" && st.Stage == "Audit" && st.Outcome == "AuditDrop" {
			return
		}
	}
	t.Fatalf("explain: no Audit step with outcome AuditDrop for e2e-audit:\n%s", out)
}

// auditRuleStats reads the stats of e2e-audit's rule drop-cli.
func auditRuleStats(ctx context.Context, t *testing.T) statsv1alpha1.TrafficStats {
	t.Helper()
	out := kubectl(ctx, t, "get", "antreaclusternetworkpolicystats.stats.antrea.io", "e2e-audit", "-o", "json")
	var s statsv1alpha1.AntreaClusterNetworkPolicyStats
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("decoding the stats: %v\n%s", err, out)
	}
	for _, r := range s.RuleTrafficStats {
		if r.Name == "drop-cli" {
			return r.TrafficStats
		}
	}
	return statsv1alpha1.TrafficStats{}
}
