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

package artifacts

import (
	"path/filepath"
	"slices"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
)

// TestExplainRole checks that base/explain-rbac.yaml grants creating
// networkpolicyevaluations and nothing else, and that no built-in role
// gains it through aggregation.
func TestExplainRole(t *testing.T) {
	const cp = "controlplane.antrea.io"
	objs := decodeFiles(t, filepath.Join("base", "explain-rbac.yaml"))
	if len(objs) != 1 {
		t.Fatalf("base/explain-rbac.yaml holds %d objects, want 1", len(objs))
	}
	role, ok := objs[0].(*rbacv1.ClusterRole)
	if !ok || role.Name != "strata:policy-explainer" {
		t.Fatalf("base/explain-rbac.yaml: %T %v, want ClusterRole strata:policy-explainer", objs[0], objs[0])
	}
	for _, tc := range []struct {
		name                  string
		resource, verb, group string
		want                  bool
	}{
		{"create evaluations", "networkpolicyevaluations", "create", cp, true},
		{"no computed policies", "networkpolicies", "list", cp, false},
		{"no podstartups", "podstartups", "create", cp, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := allows(role.Rules, tc.group, tc.resource, tc.verb); got != tc.want {
				t.Fatalf("%s %s allowed: %v, want %v", tc.verb, tc.resource, got, tc.want)
			}
		})
	}
	traces := false
	for _, r := range role.Rules {
		traces = traces || slices.Contains(r.NonResourceURLs, "/trace") && slices.Contains(r.Verbs, "get")
	}
	if !traces {
		t.Error("strata:policy-explainer may not get the agents' /trace")
	}
	for _, agg := range []string{"view", "edit", "admin"} {
		if allows(aggregatedRules(t, agg), cp, "networkpolicyevaluations", "create") {
			t.Errorf("%s may create networkpolicyevaluations through aggregation", agg)
		}
	}
}
