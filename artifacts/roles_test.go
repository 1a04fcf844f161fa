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

// aggregatedRules are the rules base/aggregated-roles.yaml adds to the built-in
// role (view, edit or admin) through the aggregation labels.
func aggregatedRules(t *testing.T, role string) []rbacv1.PolicyRule {
	t.Helper()
	var rules []rbacv1.PolicyRule
	for _, o := range decodeFiles(t, filepath.Join("base", "aggregated-roles.yaml")) {
		cr, ok := o.(*rbacv1.ClusterRole)
		if !ok {
			t.Fatalf("unexpected %T in base/aggregated-roles.yaml", o)
		}
		if cr.Labels["rbac.authorization.k8s.io/aggregate-to-"+role] == "true" {
			rules = append(rules, cr.Rules...)
		}
	}
	return rules
}

// TestAggregatedRoles checks what the built-in view, edit and admin roles gain: view
// reads every policy resource; edit and admin also write them, but never a status.
// Bound with a RoleBinding in a Namespace, only the namespaced Antrea NetworkPolicies
// and Groups are reachable (RBAC semantics; the local-cluster e2e checks it with
// kube-apiserver and strata-apiserver).
func TestAggregatedRoles(t *testing.T) {
	const crd, legacy, cp = "crd.antrea.io", "security.antrea.tanzu.vmware.com", "controlplane.antrea.io"
	type grant struct {
		group, resource, verb string
		want                  bool
	}
	reads := []grant{
		{crd, "networkpolicies", "get", true}, {crd, "networkpolicies", "list", true}, {crd, "networkpolicies", "watch", true},
		{crd, "networkpolicies/status", "get", true},
		{crd, "groups", "get", true}, {crd, "groups", "list", true}, {crd, "groups", "watch", true},
		{crd, "groups/status", "get", true},
		{crd, "clusternetworkpolicies", "list", true}, {crd, "tiers", "list", true}, {crd, "clustergroups", "list", true},
		{legacy, "clusternetworkpolicies", "list", true},
		{cp, "networkpolicies", "list", false}, // the computed API is the agents'
	}
	writes := []string{"create", "update", "patch", "delete", "deletecollection"}
	for _, role := range []string{"view", "edit", "admin"} {
		t.Run(role, func(t *testing.T) {
			rules := aggregatedRules(t, role)
			if len(rules) == 0 {
				t.Fatalf("no ClusterRole aggregates into %s", role)
			}
			grants := append([]grant{}, reads...)
			for _, verb := range writes {
				writer := role != "view"
				grants = append(grants,
					grant{crd, "networkpolicies", verb, writer}, grant{crd, "groups", verb, writer},
					grant{crd, "clusternetworkpolicies", verb, writer}, grant{crd, "tiers", verb, writer},
					grant{crd, "networkpolicies/status", verb, false}, grant{crd, "groups/status", verb, false},
					grant{crd, "clusternetworkpolicies/status", verb, false},
					grant{legacy, "networkpolicies", verb, false}, // not served there
					grant{cp, "networkpolicies", verb, false})
			}
			for _, g := range grants {
				if got := allows(rules, g.group, g.resource, g.verb); got != g.want {
					t.Errorf("%s: %s %s.%s allowed: %v, want %v", role, g.verb, g.resource, g.group, got, g.want)
				}
			}
			// The Tiers an Antrea NetworkPolicy of an editor may be in.
			for tier, want := range map[string]bool{"application": role != "view", "baseline": role != "view",
				"emergency": false, "securityops": false, "networkops": false, "platform": false} {
				if got := allowsNamed(rules, crd, "tiers", tier, "use"); got != want {
					t.Errorf("%s: use tiers/%s allowed: %v, want %v", role, tier, got, want)
				}
			}
		})
	}
}

// allowsNamed tells whether a rule grants verb on the object name of group/resource.
func allowsNamed(rules []rbacv1.PolicyRule, group, resource, name, verb string) bool {
	for _, r := range rules {
		if allows([]rbacv1.PolicyRule{r}, group, resource, verb) && (len(r.ResourceNames) == 0 || slices.Contains(r.ResourceNames, name)) {
			return true
		}
	}
	return false
}
