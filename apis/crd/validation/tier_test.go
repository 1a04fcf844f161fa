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
	"fmt"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/strata-net/strata/apis/crd"
)

func tier(name string, priority int32) *crd.Tier {
	return &crd.Tier{ObjectMeta: metav1.ObjectMeta{Name: name, ResourceVersion: "1"}, Spec: crd.TierSpec{Priority: priority}}
}

func TestValidateTier(t *testing.T) {
	cases := []struct {
		name string
		tier *crd.Tier
		want []wantErr
	}{
		{name: "seed mytier", tier: tier("mytier", 10)},
		{name: "lowest priority", tier: tier("first", 0)},
		{name: "priority 253 is free for custom names too", tier: tier("late", 253)},
		{name: "negative priority", tier: tier("t", -1),
			want: []wantErr{{field.ErrorTypeInvalid, "spec.priority", "must be between 0 and 255"}}},
		{name: "priority above 255", tier: tier("t", 256),
			want: []wantErr{{field.ErrorTypeInvalid, "spec.priority", "must be between 0 and 255"}}},
		{name: "reserved priority", tier: tier("t", 251),
			want: []wantErr{{field.ErrorTypeInvalid, "spec.priority", "is reserved"}}},
		{name: "invalid name", tier: tier("My_Tier", 10),
			want: []wantErr{{field.ErrorTypeInvalid, "metadata.name", "lowercase RFC 1123 subdomain"}}},
		{name: "missing name", tier: tier("", 10),
			want: []wantErr{{field.ErrorTypeRequired, "metadata.name", "name or generateName is required"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { assertErrors(t, ValidateTier(tc.tier), tc.want) })
	}
}

func TestValidateTierUpdate(t *testing.T) {
	old := tier("mytier", 10)
	cases := []struct {
		name   string
		mutate func(*crd.Tier)
		want   []wantErr
	}{
		{name: "description changes", mutate: func(t *crd.Tier) { t.Spec.Description = "new words" }},
		{name: "priority changes", mutate: func(t *crd.Tier) { t.Spec.Priority = 11 },
			want: []wantErr{{field.ErrorTypeForbidden, "spec.priority", "cannot be changed (from 10 to 11)"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			updated := old.DeepCopy()
			tc.mutate(updated)
			assertErrors(t, ValidateTierUpdate(updated, old), tc.want)
		})
	}
}

func TestTierAdmissionHelpers(t *testing.T) {
	existing := []*crd.Tier{tier("securityops", 100), tier("mytier", 10)}
	t.Run("priority unique", func(t *testing.T) {
		assertErrors(t, ValidateTierPriorityUnique(tier("other", 11), existing), nil)
	})
	t.Run("priority taken", func(t *testing.T) {
		assertErrors(t, ValidateTierPriorityUnique(tier("other", 100), existing),
			[]wantErr{{field.ErrorTypeInvalid, "spec.priority", `overlaps with the existing Tier "securityops"`}})
	})
	t.Run("updating itself is not a conflict", func(t *testing.T) {
		assertErrors(t, ValidateTierPriorityUnique(tier("mytier", 10), existing), nil)
	})
	t.Run("room for one more", func(t *testing.T) {
		if err := ValidateTierCount(MaxTiers - 1); err != nil {
			t.Fatalf("unexpected %v", err)
		}
	})
	t.Run("too many tiers", func(t *testing.T) {
		err := ValidateTierCount(MaxTiers)
		assertErrors(t, field.ErrorList{err}, []wantErr{{field.ErrorTypeForbidden, "metadata.name", "maximum number of Tiers (20)"}})
	})
}

func TestValidateTierDeletion(t *testing.T) {
	cases := []struct {
		name      string
		tier      string
		referrers int
		want      string
	}{
		{name: "unused custom tier", tier: "mytier"},
		{name: "system tier", tier: "baseline", want: `cannot delete the system Tier "baseline"`},
		{name: "tier in use", tier: "mytier", referrers: 2, want: `the Tier "mytier" is referenced by 2 Antrea policies`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := fmt.Sprint(ValidateTierDeletion(tc.tier, tc.referrers))
			if tc.want == "" && got != "<nil>" || tc.want != "" && !strings.HasPrefix(got, tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestValidateTierReference(t *testing.T) {
	exists := func(name string) bool { return name == "securityops" || name == "mytier" }
	cases := []struct {
		name string
		tier string
		want []wantErr
	}{
		{name: "defaulted", tier: ""},
		{name: "existing", tier: "mytier"},
		{name: "legacy static name", tier: "SecurityOps"},
		{name: "missing", tier: "nosuchtier",
			want: []wantErr{{field.ErrorTypeInvalid, "spec.tier", "no Tier of this name exists"}}},
		{name: "wrong case is not a legacy name", tier: "SECURITYOPS",
			want: []wantErr{{field.ErrorTypeInvalid, "spec.tier", "no Tier of this name exists"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got field.ErrorList
			if err := ValidateTierReference(tc.tier, exists); err != nil {
				got = append(got, err)
			}
			assertErrors(t, got, tc.want)
		})
	}
}
