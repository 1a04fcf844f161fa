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
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
)

// apiserverRole is strata-apiserver's own ClusterRole in base/rbac.yaml.
func apiserverRole(t *testing.T) *rbacv1.ClusterRole {
	t.Helper()
	for _, o := range decodeFiles(t, filepath.Join("base", "rbac.yaml")) {
		if cr, ok := o.(*rbacv1.ClusterRole); ok && cr.Name == "strata-apiserver" {
			return cr
		}
	}
	t.Fatal("base/rbac.yaml has no ClusterRole strata-apiserver")
	return nil
}

// TestAPIServerUpstreamPolicyStatus checks that strata-apiserver may write the
// status of upstream ClusterNetworkPolicies, and never their spec.
func TestAPIServerUpstreamPolicyStatus(t *testing.T) {
	const npa = "policy.networking.k8s.io"
	rules := apiserverRole(t).Rules
	for _, tc := range []struct {
		name           string
		resource, verb string
		want           bool
	}{
		{"read a policy before writing its status", "clusternetworkpolicies", "get", true},
		{"update the status", "clusternetworkpolicies/status", "update", true},
		{"patch the status", "clusternetworkpolicies/status", "patch", true},
		{"no spec update", "clusternetworkpolicies", "update", false},
		{"no spec patch", "clusternetworkpolicies", "patch", false},
		{"no create", "clusternetworkpolicies", "create", false},
		{"no delete", "clusternetworkpolicies", "delete", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := allows(rules, npa, tc.resource, tc.verb); got != tc.want {
				t.Fatalf("%s %s.%s allowed: %v, want %v", tc.verb, tc.resource, npa, got, tc.want)
			}
		})
	}
}
