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
	const path = "spec.egress[0].to[0].fqdn"
	withRefused := func(p *crd.NetworkPolicy) *crd.NetworkPolicy {
		p = p.DeepCopy()
		drop := crd.RuleActionDrop
		p.Spec.Egress = []crd.Rule{{Action: &drop, Name: "DropDNS", To: []crd.NetworkPolicyPeer{{FQDN: "example.com"}}}}
		return p
	}
	s := NewStrategy(scheme.Scheme)
	ctx := context.Background()
	stored := func(p *crd.NetworkPolicy) *crd.NetworkPolicy {
		p.ResourceVersion = "1"
		return p
	}
	now := metav1.Now()
	tests := []struct {
		name        string
		validate    func() field.ErrorList
		wantRefused bool
	}{
		{name: "create", wantRefused: true,
			validate: func() field.ErrorList { return s.Validate(ctx, withRefused(validPolicy("a"))) }},
		{name: "create without it", wantRefused: false,
			validate: func() field.ErrorList { return s.Validate(ctx, validPolicy("a")) }},
		{name: "update that adds it", wantRefused: true,
			validate: func() field.ErrorList {
				old := stored(validPolicy("a"))
				return s.ValidateUpdate(ctx, withRefused(old), old)
			}},
		{name: "update of an old object that keeps it", wantRefused: true,
			validate: func() field.ErrorList {
				old := stored(withRefused(validPolicy("a")))
				obj := old.DeepCopy()
				obj.Labels = map[string]string{"touched": "yes"}
				return s.ValidateUpdate(ctx, obj, old)
			}},
		{name: "update of an old object that removes it", wantRefused: false,
			validate: func() field.ErrorList {
				old := stored(withRefused(validPolicy("a")))
				return s.ValidateUpdate(ctx, stored(validPolicy("a")), old)
			}},
		{name: "removal of the finalizers of an old object being deleted", wantRefused: false,
			validate: func() field.ErrorList {
				old := stored(withRefused(validPolicy("a")))
				old.DeletionTimestamp, old.Finalizers = &now, []string{"example.com/cleanup"}
				obj := old.DeepCopy()
				obj.Finalizers = nil
				return s.ValidateUpdate(ctx, obj, old)
			}},
		{name: "spec change of an old object being deleted", wantRefused: true,
			validate: func() field.ErrorList {
				old := stored(validPolicy("a"))
				old.DeletionTimestamp, old.Finalizers = &now, []string{"example.com/cleanup"}
				return s.ValidateUpdate(ctx, withRefused(old), old)
			}},
		{name: "status write of an old object", wantRefused: false,
			validate: func() field.ErrorList {
				old := stored(withRefused(validPolicy("a")))
				obj := old.DeepCopy()
				obj.Status = realized(2)
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
