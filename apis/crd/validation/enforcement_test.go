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

// TestEnforcementAnnotation: none, "enforce" and "audit" are accepted; any other
// value (the case matters) is not supported, on create and update of both kinds,
// with the annotation named.
func TestEnforcementAnnotation(t *testing.T) {
	const path = "metadata.annotations[policy.strata.io/enforcement]"
	cases := []struct {
		name  string
		value *string
		want  []wantErr
	}{
		{"no annotation", nil, nil},
		{"enforce", ptrTo("enforce"), nil},
		{"audit", ptrTo("audit"), nil},
		{"unknown value", ptrTo("Audit"), []wantErr{{field.ErrorTypeNotSupported, path, `"Audit"`}}},
		{"empty value", ptrTo(""), []wantErr{{field.ErrorTypeNotSupported, path, `supported values: "enforce", "audit"`}}},
	}
	annotate := func(m *metav1.ObjectMeta, v *string) {
		if v != nil {
			m.Annotations = map[string]string{EnforcementAnnotation: *v}
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			acnp := validACNP(func(p *crd.ClusterNetworkPolicy) { annotate(&p.ObjectMeta, tc.value) })
			assertErrors(t, ValidateClusterNetworkPolicy(acnp), tc.want)
			old := validACNP(nil)
			old.ResourceVersion, acnp.ResourceVersion = "1", "1"
			assertErrors(t, ValidateClusterNetworkPolicyUpdate(acnp, old), tc.want)

			a := validACNP(nil)
			annp := &crd.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "annp", Namespace: "default", ResourceVersion: "1"},
				Spec: crd.NetworkPolicySpec{Tier: a.Spec.Tier, Priority: a.Spec.Priority, AppliedTo: a.Spec.AppliedTo,
					Ingress: a.Spec.Ingress, Egress: a.Spec.Egress}}
			oldANNP := annp.DeepCopy()
			annotate(&annp.ObjectMeta, tc.value)
			assertErrors(t, ValidateNetworkPolicy(annp), tc.want)
			assertErrors(t, ValidateNetworkPolicyUpdate(annp, oldANNP), tc.want)
		})
	}
}

func ptrTo(s string) *string { return &s }
