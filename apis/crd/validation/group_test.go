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

package validation

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/strata-net/strata/apis/crd"
)

func clusterGroupWith(spec crd.GroupSpec) *crd.ClusterGroup {
	return &crd.ClusterGroup{ObjectMeta: metav1.ObjectMeta{Name: "cg-redis-nested"}, Spec: spec}
}

func TestValidateClusterGroup(t *testing.T) {
	svc := &crd.NamespacedName{Name: "redis-master", Namespace: "default"}
	cases := []struct {
		name string
		spec crd.GroupSpec
		want []wantErr
	}{
		{name: "podSelector", spec: crd.GroupSpec{PodSelector: sel("app", "guestbook")}},
		{name: "namespaceSelector with podSelector", spec: crd.GroupSpec{PodSelector: sel("app", "a"), NamespaceSelector: sel("env", "prod")}},
		{name: "namespaceSelector with externalEntitySelector", spec: crd.GroupSpec{ExternalEntitySelector: sel("a", "b"), NamespaceSelector: sel("env", "prod")}},
		{name: "nodeSelector", spec: crd.GroupSpec{NodeSelector: sel("role", "edge")}},
		{name: "serviceReference", spec: crd.GroupSpec{ServiceReference: svc}},
		{name: "ipBlocks", spec: crd.GroupSpec{IPBlocks: []crd.IPBlock{{CIDR: "10.0.0.0/8", Except: []string{"10.1.0.0/16"}}, {CIDR: "fd00::/8"}}}},
		{name: "childGroups", spec: crd.GroupSpec{ChildGroups: []crd.ClusterGroupReference{"cg-redis-master", "cg-redis-slave"}}},
		{name: "empty spec", spec: crd.GroupSpec{}},
		{name: "podSelector with serviceReference", spec: crd.GroupSpec{PodSelector: sel("a", "b"), ServiceReference: svc},
			want: []wantErr{{field.ErrorTypeInvalid, "spec", "at most one of podSelector, nodeSelector"}}},
		{name: "three kinds", spec: crd.GroupSpec{PodSelector: sel("a", "b"), NamespaceSelector: sel("a", "b"), ChildGroups: []crd.ClusterGroupReference{"x"}},
			want: []wantErr{{field.ErrorTypeInvalid, "spec", "at most one of"}}},
		{name: "invalid selector", spec: crd.GroupSpec{PodSelector: sel("app", "no spaces")},
			want: []wantErr{{field.ErrorTypeInvalid, "spec.podSelector.matchLabels", "no spaces"}}},
		{name: "invalid ipBlock", spec: crd.GroupSpec{IPBlocks: []crd.IPBlock{{CIDR: "10.0.0.0/8"}, {CIDR: "10.0.0.0/8", Except: []string{"11.0.0.0/16"}}}},
			want: []wantErr{{field.ErrorTypeInvalid, "spec.ipBlocks[1].except[0]", "strict subset"}}},
		{name: "multicast with unicast", spec: crd.GroupSpec{IPBlocks: []crd.IPBlock{{CIDR: "10.0.0.0/8"}, {CIDR: "224.1.1.1/32"}}},
			want: []wantErr{{field.ErrorTypeForbidden, "spec.ipBlocks", "cannot mix multicast and unicast"}}},
		{name: "serviceReference without namespace", spec: crd.GroupSpec{ServiceReference: &crd.NamespacedName{Name: "s"}},
			want: []wantErr{{field.ErrorTypeRequired, "spec.serviceReference.namespace", "namespace of the referenced object"}}},
		{name: "own child group", spec: crd.GroupSpec{ChildGroups: []crd.ClusterGroupReference{"cg-redis-nested"}},
			want: []wantErr{{field.ErrorTypeInvalid, "spec.childGroups[0]", "cannot be its own child group"}}},
		{name: "child group twice", spec: crd.GroupSpec{ChildGroups: []crd.ClusterGroupReference{"a", "a"}},
			want: []wantErr{{field.ErrorTypeDuplicate, "spec.childGroups[1]", `"a"`}}},
		{name: "invalid child group name", spec: crd.GroupSpec{ChildGroups: []crd.ClusterGroupReference{"Bad_Name"}},
			want: []wantErr{{field.ErrorTypeInvalid, "spec.childGroups[0]", "is not a valid group name"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { assertErrors(t, ValidateClusterGroup(clusterGroupWith(tc.spec)), tc.want) })
	}
}

func TestValidateGroup(t *testing.T) {
	cases := []struct {
		name string
		spec crd.GroupSpec
		want []wantErr
	}{
		{name: "serviceReference in its namespace", spec: crd.GroupSpec{ServiceReference: &crd.NamespacedName{Name: "s"}}},
		{name: "nodeSelector", spec: crd.GroupSpec{NodeSelector: sel("a", "b")},
			want: []wantErr{{field.ErrorTypeForbidden, "spec.nodeSelector", "only allowed in ClusterGroups"}}},
		{name: "serviceReference in another namespace", spec: crd.GroupSpec{ServiceReference: &crd.NamespacedName{Name: "s", Namespace: "other"}},
			want: []wantErr{{field.ErrorTypeInvalid, "spec.serviceReference.namespace", `its own namespace "default"`}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := &crd.Group{ObjectMeta: metav1.ObjectMeta{Name: "g", Namespace: "default"}, Spec: tc.spec}
			assertErrors(t, ValidateGroup(g), tc.want)
		})
	}
}

func TestValidateChildGroupsHierarchy(t *testing.T) {
	groups := map[string]GroupInfo{"leaf": {}, "parent": {Children: 2}}
	lookup := func(name string) (GroupInfo, bool) { g, ok := groups[name]; return g, ok }
	spec := func(children ...crd.ClusterGroupReference) *crd.GroupSpec {
		return &crd.GroupSpec{ChildGroups: children}
	}
	cases := []struct {
		name    string
		spec    *crd.GroupSpec
		parents int
		want    []wantErr
	}{
		{name: "existing leaf and missing child", spec: spec("leaf", "not-yet")},
		{name: "no children under parents", spec: spec(), parents: 1},
		{name: "child group that has parents", spec: spec("leaf"), parents: 1,
			want: []wantErr{{field.ErrorTypeForbidden, "spec.childGroups", "is a child group of 1 other groups"}}},
		{name: "child that has children", spec: spec("leaf", "parent"),
			want: []wantErr{{field.ErrorTypeForbidden, "spec.childGroups[1]", `group "parent" has 2 child groups itself`}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assertErrors(t, ValidateChildGroupsHierarchy(tc.spec, tc.parents, lookup), tc.want)
		})
	}
}

func TestValidateGroupStatus(t *testing.T) {
	cond := crd.GroupCondition{Type: crd.GroupMembersComputed, Status: metav1.ConditionTrue}
	assertErrors(t, ValidateGroupStatus(&crd.GroupStatus{Conditions: []crd.GroupCondition{cond}}), nil)
	assertErrors(t, ValidateGroupStatus(&crd.GroupStatus{Conditions: []crd.GroupCondition{cond, cond}}),
		[]wantErr{{field.ErrorTypeDuplicate, "status.conditions[1].type", "GroupMembersComputed"}})
}
