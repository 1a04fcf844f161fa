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

package clustergroup

import (
	"context"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/strata-net/strata/apis/crd"
	"github.com/strata-net/strata/apis/crd/support"
	"github.com/strata-net/strata/apis/scheme"
)

// TestRefusedFields: a field this Strata version does not enforce is refused on
// create and on every update that still carries it, but neither the status writes
// nor the deletion of an object that carries it (written by an older version) are.
func TestRefusedFields(t *testing.T) {
	const path = "spec.externalEntitySelector"
	withRefused := func(g *crd.ClusterGroup) *crd.ClusterGroup {
		g = g.DeepCopy()
		g.Spec = crd.GroupSpec{ExternalEntitySelector: &metav1.LabelSelector{MatchLabels: map[string]string{"vm": "db"}}}
		return g
	}
	s := NewStrategy(scheme.Scheme)
	ctx := context.Background()
	stored := func(g *crd.ClusterGroup) *crd.ClusterGroup {
		g.ResourceVersion = "1"
		return g
	}
	now := metav1.Now()
	tests := []struct {
		name        string
		validate    func() field.ErrorList
		wantRefused bool
	}{
		{name: "create", wantRefused: true,
			validate: func() field.ErrorList { return s.Validate(ctx, withRefused(validGroup("a"))) }},
		{name: "create without it", wantRefused: false,
			validate: func() field.ErrorList { return s.Validate(ctx, validGroup("a")) }},
		{name: "update that adds it", wantRefused: true,
			validate: func() field.ErrorList {
				old := stored(validGroup("a"))
				return s.ValidateUpdate(ctx, withRefused(old), old)
			}},
		{name: "update of an old object that keeps it", wantRefused: true,
			validate: func() field.ErrorList {
				old := stored(withRefused(validGroup("a")))
				obj := old.DeepCopy()
				obj.Labels = map[string]string{"touched": "yes"}
				return s.ValidateUpdate(ctx, obj, old)
			}},
		{name: "update of an old object that removes it", wantRefused: false,
			validate: func() field.ErrorList {
				old := stored(withRefused(validGroup("a")))
				return s.ValidateUpdate(ctx, stored(validGroup("a")), old)
			}},
		{name: "removal of the finalizers of an old object being deleted", wantRefused: false,
			validate: func() field.ErrorList {
				old := stored(withRefused(validGroup("a")))
				old.DeletionTimestamp, old.Finalizers = &now, []string{"example.com/cleanup"}
				obj := old.DeepCopy()
				obj.Finalizers = nil
				return s.ValidateUpdate(ctx, obj, old)
			}},
		{name: "spec change of an old object being deleted", wantRefused: true,
			validate: func() field.ErrorList {
				old := stored(validGroup("a"))
				old.DeletionTimestamp, old.Finalizers = &now, []string{"example.com/cleanup"}
				return s.ValidateUpdate(ctx, withRefused(old), old)
			}},
		{name: "status write of an old object", wantRefused: false,
			validate: func() field.ErrorList {
				old := stored(withRefused(validGroup("a")))
				obj := old.DeepCopy()
				obj.Status = computed()
				return NewStatusStrategy(s).ValidateUpdate(ctx, obj, old)
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			errs := tc.validate()
			var refused bool
			for _, e := range errs {
				if e.Field == path && strings.Contains(e.Error(), support.Detail) {
					refused = true
				} else {
					t.Errorf("unexpected error: %v", e)
				}
			}
			if refused != tc.wantRefused {
				t.Fatalf("refused %s: %v, want %v (errors: %v)", path, refused, tc.wantRefused, errs)
			}
		})
	}
}
