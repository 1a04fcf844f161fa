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

package apiserver

import (
	"context"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestTierDeleteCollection deletes Tiers with DELETECOLLECTION through both served
// groups: system Tiers and Tiers that policies use are refused exactly as a plain
// DELETE is, and stay; an unused Tier goes.
func TestTierDeleteCollection(t *testing.T) {
	ctx, c := ctxT(t), shared.Client
	waitSystemTiers(ctx, t, c)
	for _, tier := range []struct {
		name     string
		priority int32
	}{{"dc-used", 141}, {"dc-free", 142}, {"dc-free-legacy", 143}} {
		if _, err := c.CrdV1beta1().Tiers().Create(ctx, tierV1beta1(tier.name, tier.priority), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.CrdV1beta1().ClusterNetworkPolicies().Create(ctx, acnpV1beta1("dc-uses-tier", "dc-used", 1), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitPolicyCached(ctx, t, c, "dc-used")

	crdGroup := func(ctx context.Context, opts metav1.DeleteOptions, list metav1.ListOptions) error {
		return c.CrdV1beta1().Tiers().DeleteCollection(ctx, opts, list)
	}
	legacyGroup := func(ctx context.Context, opts metav1.DeleteOptions, list metav1.ListOptions) error {
		return c.SecurityV1alpha1().Tiers().DeleteCollection(ctx, opts, list)
	}
	crdV1alpha1 := func(ctx context.Context, opts metav1.DeleteOptions, list metav1.ListOptions) error {
		return c.CrdV1alpha1().Tiers().DeleteCollection(ctx, opts, list)
	}
	cases := []struct {
		name   string
		delete func(context.Context, metav1.DeleteOptions, metav1.ListOptions) error
		tier   string
		msg    string
	}{
		{name: "system tier, crd.antrea.io", delete: crdGroup, tier: "securityops", msg: `cannot delete the system Tier "securityops"`},
		{name: "system tier, legacy group", delete: legacyGroup, tier: "emergency", msg: `cannot delete the system Tier "emergency"`},
		{name: "baseline tier, crd.antrea.io", delete: crdGroup, tier: "baseline", msg: `cannot delete the system Tier "baseline"`},
		{name: "system tier, crd.antrea.io/v1alpha1", delete: crdV1alpha1, tier: "application", msg: `cannot delete the system Tier "application"`},
		{name: "tier in use, crd.antrea.io/v1alpha1", delete: crdV1alpha1, tier: "dc-used", msg: `the Tier "dc-used" is referenced by 1 Antrea policies`},
		{name: "tier in use, crd.antrea.io", delete: crdGroup, tier: "dc-used", msg: `the Tier "dc-used" is referenced by 1 Antrea policies`},
		{name: "tier in use, legacy group", delete: legacyGroup, tier: "dc-used", msg: `the Tier "dc-used" is referenced by 1 Antrea policies`},
		{name: "unused tier, crd.antrea.io", delete: crdGroup, tier: "dc-free"},
		{name: "unused tier, legacy group", delete: legacyGroup, tier: "dc-free-legacy"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			list := metav1.ListOptions{FieldSelector: "metadata.name=" + tc.tier}
			err := tc.delete(ctx, metav1.DeleteOptions{}, list)
			_, getErr := c.CrdV1beta1().Tiers().Get(ctx, tc.tier, metav1.GetOptions{})
			if tc.msg == "" {
				if err != nil {
					t.Fatalf("deleting the unused Tier %s: %v", tc.tier, err)
				}
				if !apierrors.IsNotFound(getErr) {
					t.Fatalf("the unused Tier %s is still there after its deletion: %v", tc.tier, getErr)
				}
				return
			}
			if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("DELETECOLLECTION of Tier %s: got %v, want a 403 containing %q", tc.tier, err, tc.msg)
			}
			if getErr != nil {
				t.Fatalf("the protected Tier %s is gone after a refused DELETECOLLECTION: %v", tc.tier, getErr)
			}
		})
	}
}
