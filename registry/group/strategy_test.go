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

package group

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"

	"github.com/strata-net/strata/apis/crd"
	"github.com/strata-net/strata/apis/scheme"
)

func TestPrepareForCreate(t *testing.T) {
	g := validGroup("g")
	g.Generation = 7
	g.Status = computed()
	NewStrategy(scheme.Scheme).PrepareForCreate(context.Background(), g)
	assert.Equal(t, int64(1), g.Generation, "generation")
	assert.Equal(t, crd.GroupStatus{}, g.Status, "status is cleared")
}

func TestPrepareForUpdate(t *testing.T) {
	tests := []struct {
		name           string
		update         func(*crd.Group)
		wantGeneration int64
	}{
		{name: "no change keeps the generation", update: func(*crd.Group) {}, wantGeneration: 3},
		{name: "label change keeps the generation", update: func(g *crd.Group) { g.Labels = map[string]string{"a": "b"} }, wantGeneration: 3},
		{name: "status change is dropped", update: func(g *crd.Group) { g.Status = crd.GroupStatus{} }, wantGeneration: 3},
		{name: "selector change bumps the generation", update: func(g *crd.Group) { g.Spec.PodSelector.MatchLabels["app"] = "db" }, wantGeneration: 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			old := validGroup("g")
			old.Generation = 3
			old.Status = computed()
			obj := old.DeepCopy()
			tc.update(obj)
			NewStrategy(scheme.Scheme).PrepareForUpdate(context.Background(), obj, old)
			assert.Equal(t, tc.wantGeneration, obj.Generation, "generation")
			assert.Equal(t, computed(), obj.Status, "the stored status is kept")
		})
	}
}

func TestStatusPrepareForUpdate(t *testing.T) {
	old := validGroup("g")
	old.Generation = 3
	obj := old.DeepCopy()
	obj.Spec.PodSelector = nil
	obj.Spec.IPBlocks = []crd.IPBlock{{CIDR: "10.0.0.0/8"}}
	obj.Status = computed()
	NewStatusStrategy(NewStrategy(scheme.Scheme)).PrepareForUpdate(context.Background(), obj, old)
	assert.Equal(t, old.Spec, obj.Spec, "the stored spec is kept")
	assert.Equal(t, computed(), obj.Status, "the new status is taken")
	assert.Equal(t, int64(3), obj.Generation, "generation")
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name       string
		mutate     func(*crd.Group)
		wantFields []string
	}{
		{name: "valid", mutate: func(*crd.Group) {}},
		{name: "two kinds of members", mutate: func(g *crd.Group) { g.Spec.IPBlocks = []crd.IPBlock{{CIDR: "10.0.0.0/8"}} }, wantFields: []string{"spec"}},
		{name: "own child", mutate: func(g *crd.Group) {
			g.Spec.PodSelector, g.Spec.ChildGroups = nil, []crd.ClusterGroupReference{"g"}
		}, wantFields: []string{"spec.childGroups[0]"}},
		{name: "invalid name", mutate: func(g *crd.Group) { g.Name = "Bad_Name" }, wantFields: []string{"metadata.name"}},
		{name: "node selector", mutate: func(g *crd.Group) { g.Spec.PodSelector, g.Spec.NodeSelector = nil, g.Spec.PodSelector }, wantFields: []string{"spec.nodeSelector"}},
		{name: "service of another namespace", mutate: func(g *crd.Group) {
			g.Spec.PodSelector, g.Spec.ServiceReference = nil, &crd.NamespacedName{Name: "svc", Namespace: "other"}
		}, wantFields: []string{"spec.serviceReference.namespace"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := validGroup("g")
			tc.mutate(g)
			assert.Equal(t, tc.wantFields, errorFields(NewStrategy(scheme.Scheme).Validate(context.Background(), g)))
		})
	}
}

func TestValidateUpdate(t *testing.T) {
	tests := []struct {
		name       string
		mutate     func(*crd.Group)
		wantFields []string
	}{
		{name: "valid spec change", mutate: func(g *crd.Group) { g.Spec.PodSelector.MatchLabels["app"] = "db" }},
		{name: "invalid cidr", mutate: func(g *crd.Group) { g.Spec.PodSelector, g.Spec.IPBlocks = nil, []crd.IPBlock{{CIDR: "nope"}} }, wantFields: []string{"spec.ipBlocks[0].cidr"}},
		{name: "name change", mutate: func(g *crd.Group) { g.Name = "h" }, wantFields: []string{"metadata.name"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			old := validGroup("g")
			old.ResourceVersion = "1"
			obj := old.DeepCopy()
			tc.mutate(obj)
			assert.Equal(t, tc.wantFields, errorFields(NewStrategy(scheme.Scheme).ValidateUpdate(context.Background(), obj, old)))
		})
	}
}

func TestStatusValidateUpdate(t *testing.T) {
	tests := []struct {
		name       string
		status     crd.GroupStatus
		wantFields []string
	}{
		{name: "valid status", status: computed()},
		{name: "condition without type", status: crd.GroupStatus{Conditions: []crd.GroupCondition{{Status: metav1.ConditionTrue}}}, wantFields: []string{"status.conditions[0].type"}},
		{name: "duplicate condition", status: crd.GroupStatus{Conditions: append(computed().Conditions, computed().Conditions...)}, wantFields: []string{"status.conditions[1].type"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			old := validGroup("g")
			old.ResourceVersion = "1"
			obj := old.DeepCopy()
			obj.Status = tc.status
			errs := NewStatusStrategy(NewStrategy(scheme.Scheme)).ValidateUpdate(context.Background(), obj, old)
			assert.Equal(t, tc.wantFields, errorFields(errs))
		})
	}
}

func TestStrategyFlags(t *testing.T) {
	s := NewStrategy(scheme.Scheme)
	ctx := context.Background()
	assert.True(t, s.NamespaceScoped())
	assert.False(t, s.AllowCreateOnUpdate(ctx))
	assert.False(t, s.AllowUnconditionalUpdate(ctx))
	assert.Nil(t, s.WarningsOnCreate(ctx, validGroup("g")))
	assert.Nil(t, s.WarningsOnUpdate(ctx, validGroup("g"), validGroup("g")))
}

func TestGetResetFields(t *testing.T) {
	versions := []fieldpath.APIVersion{"crd.antrea.io/v1beta1"}
	tests := []struct {
		name   string
		fields map[fieldpath.APIVersion]*fieldpath.Set
		want   string
	}{
		{name: "main strategy resets the status", fields: NewStrategy(scheme.Scheme).GetResetFields(), want: "status"},
		{name: "status strategy resets the spec", fields: NewStatusStrategy(NewStrategy(scheme.Scheme)).GetResetFields(), want: "spec"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Len(t, tc.fields, len(versions))
			for _, v := range versions {
				if assert.Contains(t, tc.fields, v) {
					assert.True(t, fieldpath.NewSet(fieldpath.MakePathOrDie(tc.want)).Equals(tc.fields[v]), "%s: %s", v, tc.fields[v])
				}
			}
		})
	}
}

func TestMatcher(t *testing.T) {
	g := validGroup("g")
	g.Labels = map[string]string{"team": "sec"}
	tests := []struct {
		name  string
		label string
		field string
		want  bool
	}{
		{name: "everything", want: true},
		{name: "by name", field: "metadata.name=g", want: true},
		{name: "by other name", field: "metadata.name=h", want: false},
		{name: "by namespace", field: "metadata.namespace=default", want: true},
		{name: "by other namespace", field: "metadata.namespace=other", want: false},
		{name: "by label", label: "team=sec", want: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ls, err := labels.Parse(tc.label)
			assert.NoError(t, err)
			fs, err := fields.ParseSelector(tc.field)
			assert.NoError(t, err)
			predicate := Matcher(ls, fs)
			got, err := predicate.Matches(g)
			assert.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
	_, _, err := GetAttrs(&crd.Tier{})
	assert.Error(t, err)
}
