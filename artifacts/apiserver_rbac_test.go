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

	"github.com/strata-net/strata/apiserver/leader"
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

// TestAPIServerLeaseRole checks that strata-apiserver may hold its status Lease
// (apiserver/leader's default), bound to its ServiceAccount, and no other Lease.
func TestAPIServerLeaseRole(t *testing.T) {
	var role *rbacv1.Role
	var binding *rbacv1.RoleBinding
	for _, o := range decodeFiles(t, filepath.Join("base", "rbac.yaml")) {
		switch x := o.(type) {
		case *rbacv1.Role:
			if x.Name == "strata-apiserver:leader-election" {
				role = x
			}
		case *rbacv1.RoleBinding:
			if x.RoleRef.Kind == "Role" && x.RoleRef.Name == "strata-apiserver:leader-election" {
				binding = x
			}
		}
	}
	if role == nil || binding == nil {
		t.Fatalf("base/rbac.yaml: Role strata-apiserver:leader-election %v, its RoleBinding %v", role != nil, binding != nil)
	}
	if role.Namespace != leader.DefaultNamespace || binding.Namespace != leader.DefaultNamespace {
		t.Fatalf("the Role in %q, its binding in %q, want the Lease's namespace %q", role.Namespace, binding.Namespace, leader.DefaultNamespace)
	}
	if len(binding.Subjects) != 1 || binding.Subjects[0].Kind != rbacv1.ServiceAccountKind ||
		binding.Subjects[0].Namespace+"/"+binding.Subjects[0].Name != "kube-system/strata-apiserver" {
		t.Fatalf("the RoleBinding's subjects %+v, want ServiceAccount kube-system/strata-apiserver", binding.Subjects)
	}
	const coordination = "coordination.k8s.io"
	for _, tc := range []struct {
		name  string
		lease string
		verb  string
		want  bool
	}{
		{"create the Lease", leader.DefaultName, "create", true},
		{"read it", leader.DefaultName, "get", true},
		{"renew it", leader.DefaultName, "update", true},
		{"not renew another Lease", "kube-controller-manager", "update", false},
		{"not read another Lease", "kube-scheduler", "get", false},
		{"not delete it", leader.DefaultName, "delete", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := allowsNamed(role.Rules, coordination, "leases", tc.lease, tc.verb); got != tc.want {
				t.Fatalf("%s lease %s allowed: %v, want %v", tc.verb, tc.lease, got, tc.want)
			}
		})
	}
}
