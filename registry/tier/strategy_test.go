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

package tier

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/strata-net/strata/apis/crd"
	"github.com/strata-net/strata/apis/scheme"
)

func newTier(name string, priority int32) *crd.Tier {
	return &crd.Tier{
		ObjectMeta: metav1.ObjectMeta{Name: name, ResourceVersion: "1"},
		Spec:       crd.TierSpec{Priority: priority, Description: "d"},
	}
}

func errorFields(errs field.ErrorList) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Field)
	}
	return out
}

func TestPrepareForCreate(t *testing.T) {
	tier := newTier("t", 10)
	tier.Generation = 7
	NewStrategy(scheme.Scheme).PrepareForCreate(context.Background(), tier)
	assert.Equal(t, int64(1), tier.Generation)
}

func TestPrepareForUpdate(t *testing.T) {
	tests := []struct {
		name           string
		update         func(*crd.Tier)
		wantGeneration int64
	}{
		{name: "no change keeps the generation", update: func(*crd.Tier) {}, wantGeneration: 3},
		{name: "label change keeps the generation", update: func(t *crd.Tier) { t.Labels = map[string]string{"a": "b"} }, wantGeneration: 3},
		{name: "description change bumps the generation", update: func(t *crd.Tier) { t.Spec.Description = "new" }, wantGeneration: 4},
		{name: "priority change bumps the generation", update: func(t *crd.Tier) { t.Spec.Priority = 11 }, wantGeneration: 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			old := newTier("t", 10)
			old.Generation = 3
			obj := old.DeepCopy()
			tc.update(obj)
			NewStrategy(scheme.Scheme).PrepareForUpdate(context.Background(), obj, old)
			assert.Equal(t, tc.wantGeneration, obj.Generation)
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name       string
		tier       *crd.Tier
		wantFields []string
	}{
		{name: "valid", tier: newTier("t", 10)},
		{name: "priority above 255", tier: newTier("t", 300), wantFields: []string{"spec.priority"}},
		{name: "reserved priority", tier: newTier("t", 251), wantFields: []string{"spec.priority"}},
		{name: "invalid name", tier: newTier("Not_A_Name", 10), wantFields: []string{"metadata.name"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			errs := NewStrategy(scheme.Scheme).Validate(context.Background(), tc.tier)
			assert.Equal(t, tc.wantFields, errorFields(errs))
		})
	}
}

func TestValidateUpdate(t *testing.T) {
	tests := []struct {
		name       string
		update     func(*crd.Tier)
		wantFields []string
	}{
		{name: "description change is valid", update: func(t *crd.Tier) { t.Spec.Description = "new" }},
		{name: "priority is immutable", update: func(t *crd.Tier) { t.Spec.Priority = 11 }, wantFields: []string{"spec.priority"}},
		{name: "invalid label", update: func(t *crd.Tier) { t.Labels = map[string]string{"a b": "c"} }, wantFields: []string{"metadata.labels"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			old := newTier("t", 10)
			obj := old.DeepCopy()
			tc.update(obj)
			errs := NewStrategy(scheme.Scheme).ValidateUpdate(context.Background(), obj, old)
			assert.Equal(t, tc.wantFields, errorFields(errs))
		})
	}
}

func TestStrategyFlags(t *testing.T) {
	s := NewStrategy(scheme.Scheme)
	ctx := context.Background()
	assert.False(t, s.NamespaceScoped())
	assert.False(t, s.AllowCreateOnUpdate(ctx))
	assert.False(t, s.AllowUnconditionalUpdate(ctx))
	assert.Nil(t, s.WarningsOnCreate(ctx, newTier("t", 1)))
	assert.Nil(t, s.WarningsOnUpdate(ctx, newTier("t", 1), newTier("t", 1)))
}

func TestMatcher(t *testing.T) {
	tier := newTier("emergency", 50)
	tier.Labels = map[string]string{"system": "true"}
	tests := []struct {
		name  string
		label string
		field string
		want  bool
	}{
		{name: "everything", want: true},
		{name: "by name", field: "metadata.name=emergency", want: true},
		{name: "other name", field: "metadata.name=platform", want: false},
		{name: "by label", label: "system=true", want: true},
		{name: "other label", label: "system=false", want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ls, err := labels.Parse(tc.label)
			assert.NoError(t, err)
			fs, err := fields.ParseSelector(tc.field)
			assert.NoError(t, err)
			predicate := Matcher(ls, fs)
			got, err := predicate.Matches(tier)
			assert.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
	_, _, err := GetAttrs(&crd.ClusterGroup{})
	assert.Error(t, err)
}
