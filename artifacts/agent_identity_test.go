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
	"slices"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/strata-net/strata/apiserver/nodeauth"
)

// TestAgentIdentities checks that both agent identities of apiserver/nodeauth get
// the agent's ClusterRole and system:auth-delegator, and that the DaemonSet runs
// with the bound token of the ServiceAccount strata-apiserver knows by default.
func TestAgentIdentities(t *testing.T) {
	a := loadAgent(t)
	if got := a.sa.Namespace + "/" + a.sa.Name; got != nodeauth.DefaultAgentServiceAccount {
		t.Fatalf("the agent ServiceAccount is %s, strata-apiserver's --agent-service-accounts defaults to %s", got, nodeauth.DefaultAgentServiceAccount)
	}
	spec := a.ds.Spec.Template.Spec
	if spec.ServiceAccountName != a.sa.Name {
		t.Fatalf("the DaemonSet runs as ServiceAccount %q, want %q", spec.ServiceAccountName, a.sa.Name)
	}
	if m := spec.AutomountServiceAccountToken; m != nil && !*m {
		t.Fatal("the DaemonSet disables the projected token: the agent would have no Node identity")
	}
	for name, b := range map[string]*rbacv1.ClusterRoleBinding{"strata-agent": a.binding, "system:auth-delegator": a.delegator} {
		if !bindsSA(b, a.sa.Namespace, a.sa.Name) || !bindsGroup(b, nodeauth.AgentGroup) {
			t.Errorf("the binding of %s does not bind ServiceAccount %s/%s and Group %s: %+v", name, a.sa.Namespace, a.sa.Name, nodeauth.AgentGroup, b.Subjects)
		}
	}
}

func bindsSA(b *rbacv1.ClusterRoleBinding, ns, name string) bool {
	return slices.ContainsFunc(b.Subjects, func(s rbacv1.Subject) bool {
		return s.Kind == rbacv1.ServiceAccountKind && s.Namespace == ns && s.Name == name
	})
}

func bindsGroup(b *rbacv1.ClusterRoleBinding, group string) bool {
	return slices.ContainsFunc(b.Subjects, func(s rbacv1.Subject) bool {
		return s.Kind == rbacv1.GroupKind && s.Name == group
	})
}
