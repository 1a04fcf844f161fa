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

package networkpolicy

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"

	"github.com/strata-net/strata/apis/crd"
	"github.com/strata-net/strata/apis/scheme"
)

func TestPrepareForCreate(t *testing.T) {
	p := validPolicy("p")
	p.Generation = 7
	p.Status = realized(3)
	NewStrategy(scheme.Scheme).PrepareForCreate(context.Background(), p)
	assert.Equal(t, int64(1), p.Generation, "generation")
	assert.Equal(t, crd.NetworkPolicyStatus{}, p.Status, "status is cleared")
}

func TestPrepareForUpdate(t *testing.T) {
	tests := []struct {
		name           string
		update         func(*crd.NetworkPolicy)
		wantGeneration int64
	}{
		{name: "no change keeps the generation", update: func(*crd.NetworkPolicy) {}, wantGeneration: 3},
		{name: "label change keeps the generation", update: func(p *crd.NetworkPolicy) { p.Labels = map[string]string{"a": "b"} }, wantGeneration: 3},
		{name: "status change is dropped", update: func(p *crd.NetworkPolicy) { p.Status = realized(9) }, wantGeneration: 3},
		{name: "priority change bumps the generation", update: func(p *crd.NetworkPolicy) { p.Spec.Priority = 6 }, wantGeneration: 4},
		{name: "rule change bumps the generation", update: func(p *crd.NetworkPolicy) { p.Spec.Ingress[0].Name = "Other" }, wantGeneration: 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			old := validPolicy("p")
			old.Generation = 3
			old.Status = realized(2)
			obj := old.DeepCopy()
			tc.update(obj)
			NewStrategy(scheme.Scheme).PrepareForUpdate(context.Background(), obj, old)
			assert.Equal(t, tc.wantGeneration, obj.Generation, "generation")
			assert.Equal(t, realized(2), obj.Status, "the stored status is kept")
		})
	}
}

func TestStatusPrepareForUpdate(t *testing.T) {
	old := validPolicy("p")
	old.Generation = 3
	obj := old.DeepCopy()
	obj.Spec.Priority = 9
	obj.Spec.Tier = "other"
	obj.Status = realized(4)
	NewStatusStrategy(NewStrategy(scheme.Scheme)).PrepareForUpdate(context.Background(), obj, old)
	assert.Equal(t, old.Spec, obj.Spec, "the stored spec is kept")
	assert.Equal(t, realized(4), obj.Status, "the new status is taken")
	assert.Equal(t, int64(3), obj.Generation, "generation")
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name       string
		mutate     func(*crd.NetworkPolicy)
		wantFields []string
	}{
		{name: "valid", mutate: func(*crd.NetworkPolicy) {}},
		{name: "priority too low", mutate: func(p *crd.NetworkPolicy) { p.Spec.Priority = 0 }, wantFields: []string{"spec.priority"}},
		{name: "no appliedTo", mutate: func(p *crd.NetworkPolicy) { p.Spec.AppliedTo = nil }, wantFields: []string{"spec.appliedTo"}},
		{name: "invalid name", mutate: func(p *crd.NetworkPolicy) { p.Name = "Bad_Name" }, wantFields: []string{"metadata.name"}},
		{name: "no namespace", mutate: func(p *crd.NetworkPolicy) { p.Namespace = "" }, wantFields: []string{"metadata.namespace"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := validPolicy("p")
			tc.mutate(p)
			errs := NewStrategy(scheme.Scheme).Validate(context.Background(), p)
			assert.Equal(t, tc.wantFields, errorFields(errs))
		})
	}
}

func TestValidateUpdate(t *testing.T) {
	tests := []struct {
		name       string
		mutate     func(*crd.NetworkPolicy)
		wantFields []string
	}{
		{name: "valid spec change", mutate: func(p *crd.NetworkPolicy) { p.Spec.Priority = 10 }},
		{name: "priority too high", mutate: func(p *crd.NetworkPolicy) { p.Spec.Priority = 10001 }, wantFields: []string{"spec.priority"}},
		{name: "rule without action", mutate: func(p *crd.NetworkPolicy) { p.Spec.Ingress[0].Action = nil }, wantFields: []string{"spec.ingress[0].action"}},
		{name: "name change", mutate: func(p *crd.NetworkPolicy) { p.Name = "q" }, wantFields: []string{"metadata.name"}},
		{name: "namespace change", mutate: func(p *crd.NetworkPolicy) { p.Namespace = "other" }, wantFields: []string{"metadata.namespace"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			old := validPolicy("p")
			old.ResourceVersion = "1"
			obj := old.DeepCopy()
			tc.mutate(obj)
			errs := NewStrategy(scheme.Scheme).ValidateUpdate(context.Background(), obj, old)
			assert.Equal(t, tc.wantFields, errorFields(errs))
		})
	}
}

func TestStatusValidateUpdate(t *testing.T) {
	tests := []struct {
		name       string
		mutate     func(*crd.NetworkPolicy)
		wantFields []string
	}{
		{name: "valid status", mutate: func(p *crd.NetworkPolicy) { p.Status = realized(2) }},
		{name: "unknown phase", mutate: func(p *crd.NetworkPolicy) { p.Status.Phase = "Done" }, wantFields: []string{"status.phase"}},
		{name: "negative count", mutate: func(p *crd.NetworkPolicy) { p.Status.DesiredNodesRealized = -1 }, wantFields: []string{"status.desiredNodesRealized"}},
		{name: "invalid label", mutate: func(p *crd.NetworkPolicy) { p.Labels = map[string]string{"a b": "c"} }, wantFields: []string{"metadata.labels"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			old := validPolicy("p")
			old.ResourceVersion = "1"
			obj := old.DeepCopy()
			tc.mutate(obj)
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
	assert.Nil(t, s.WarningsOnCreate(ctx, validPolicy("p")))
	assert.Nil(t, s.WarningsOnUpdate(ctx, validPolicy("p"), validPolicy("p")))
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
	p := validPolicy("p")
	p.Labels = map[string]string{"team": "sec"}
	tests := []struct {
		name  string
		label string
		field string
		want  bool
	}{
		{name: "everything", want: true},
		{name: "by name", field: "metadata.name=p", want: true},
		{name: "by namespace", field: "metadata.namespace=default", want: true},
		{name: "by other namespace", field: "metadata.namespace=kube-system", want: false},
		{name: "by tier", field: "spec.tier=securityops", want: true},
		{name: "by other tier", field: "spec.tier=application", want: false},
		{name: "by tier and label", label: "team=sec", field: "spec.tier=securityops", want: true},
		{name: "by other label", label: "team=dev", want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ls, err := labels.Parse(tc.label)
			assert.NoError(t, err)
			fs, err := fields.ParseSelector(tc.field)
			assert.NoError(t, err)
			predicate := Matcher(ls, fs)
			got, err := predicate.Matches(p)
			assert.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
	_, _, err := GetAttrs(&crd.Tier{})
	assert.Error(t, err)
}
