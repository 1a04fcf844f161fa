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

package explain

import (
	"context"
	"testing"

	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/registry/controlplane/store"
)

// TestEvaluateAudit: an audited Drop of the server's ingress from the client,
// in the highest tier, is shown as an Audit step with the outcome AuditDrop
// and decides nothing: the verdict stays the K8s NetworkPolicy's Allow (port
// 80) and its isolation Drop (port 81).
func TestEvaluateAudit(t *testing.T) {
	x := newTestExplainer(t)
	drop, t50, prio := controlplane.RuleActionDrop, int32(50), 1.0
	np := cpPolicy("acnp-audit", controlplane.AntreaClusterNetworkPolicy, &t50, "atg-server", controlplane.NetworkPolicyRule{
		Direction: controlplane.DirectionIn, From: controlplane.NetworkPolicyPeer{AddressGroups: []string{"ag-client"}},
		Action: &drop, Name: "audit-drop"})
	np.Priority, np.Audit = &prio, true
	must(t, x.cfg.NetworkPolicies.Upsert(&store.NetworkPolicy{Span: sets.New("n2"), Policy: np}))
	for _, tc := range []struct {
		port                 int32
		verdict, decidedBy   string
		wantAuditDropOutcome string
	}{
		{80, "Allow", "Rule", "AuditDrop"},
		{81, "Drop", "K8sIsolation", "AuditDrop"},
	} {
		ev := &controlplane.NetworkPolicyEvaluation{Request: &controlplane.NetworkPolicyEvaluationRequest{
			Source: pod("ns", "client"), Destination: pod("ns", "server"), Port: tc.port}}
		resp, err := x.Evaluate(context.Background(), ev)
		must(t, err)
		if resp.Ingress.Verdict != tc.verdict || resp.Ingress.DecidedBy != tc.decidedBy || resp.NetworkPolicy.Name == "acnp-audit" {
			t.Fatalf("port %d: ingress %s by %s (policy %q), want %s by %s: the audit rule decided?\nsteps %+v", tc.port,
				resp.Ingress.Verdict, resp.Ingress.DecidedBy, resp.NetworkPolicy.Name, tc.verdict, tc.decidedBy, resp.Ingress.Steps)
		}
		st := resp.Ingress.Steps[0]
		if st.NetworkPolicy.Name != "acnp-audit" || st.Stage != "Audit" || st.Outcome != tc.wantAuditDropOutcome || st.Action != "Drop" {
			t.Fatalf("port %d: first ingress step %+v, want acnp-audit in stage Audit with outcome %s", tc.port, st, tc.wantAuditDropOutcome)
		}
	}
}
