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
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"

	crdv1alpha1 "github.com/strata-net/strata/apis/crd/v1alpha1"
	crdv1alpha2 "github.com/strata-net/strata/apis/crd/v1alpha2"
	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
	securityv1alpha1 "github.com/strata-net/strata/apis/security/v1alpha1"
)

// TestTierThroughEveryVersion creates a Tier through each served version and reads it
// through every other one: one storage, every version converts to and from it.
func TestTierThroughEveryVersion(t *testing.T) {
	ctx, c := ctxT(t), shared.Client
	type reader func(name string) (int32, string, error)
	readers := map[string]reader{
		"crd.antrea.io/v1beta1": func(n string) (int32, string, error) {
			o, err := c.CrdV1beta1().Tiers().Get(ctx, n, metav1.GetOptions{})
			return o.Spec.Priority, o.Spec.Description, err
		},
		"crd.antrea.io/v1alpha1": func(n string) (int32, string, error) {
			o, err := c.CrdV1alpha1().Tiers().Get(ctx, n, metav1.GetOptions{})
			return o.Spec.Priority, o.Spec.Description, err
		},
		"security.antrea.tanzu.vmware.com/v1alpha1": func(n string) (int32, string, error) {
			o, err := c.SecurityV1alpha1().Tiers().Get(ctx, n, metav1.GetOptions{})
			return o.Spec.Priority, o.Spec.Description, err
		},
	}
	cases := []struct {
		name     string
		priority int32
		create   func() error
	}{
		{name: "tier-v1beta1", priority: 31, create: func() error {
			_, err := c.CrdV1beta1().Tiers().Create(ctx, &crdv1beta1.Tier{ObjectMeta: metav1.ObjectMeta{Name: "tier-v1beta1"},
				Spec: crdv1beta1.TierSpec{Priority: 31, Description: "d"}}, metav1.CreateOptions{})
			return err
		}},
		{name: "tier-v1alpha1", priority: 32, create: func() error {
			_, err := c.CrdV1alpha1().Tiers().Create(ctx, &crdv1alpha1.Tier{ObjectMeta: metav1.ObjectMeta{Name: "tier-v1alpha1"},
				Spec: crdv1alpha1.TierSpec{Priority: 32, Description: "d"}}, metav1.CreateOptions{})
			return err
		}},
		{name: "tier-legacy", priority: 33, create: func() error {
			_, err := c.SecurityV1alpha1().Tiers().Create(ctx, &securityv1alpha1.Tier{ObjectMeta: metav1.ObjectMeta{Name: "tier-legacy"},
				Spec: securityv1alpha1.TierSpec{Priority: 33, Description: "d"}}, metav1.CreateOptions{})
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.create(); err != nil {
				t.Fatalf("create: %v", err)
			}
			for version, read := range readers {
				priority, description, err := read(tc.name)
				if err != nil || priority != tc.priority || description != "d" {
					t.Errorf("through %s: priority %d description %q err %v", version, priority, description, err)
				}
			}
			if err := c.SecurityV1alpha1().Tiers().Delete(ctx, tc.name, metav1.DeleteOptions{}); err != nil {
				t.Fatalf("delete through the legacy group: %v", err)
			}
			if _, err := c.CrdV1beta1().Tiers().Get(ctx, tc.name, metav1.GetOptions{}); err == nil {
				t.Fatal("deleted through the legacy group but still there in crd.antrea.io")
			}
		})
	}
}

// TestPolicyAcrossGroups creates a policy through crd.antrea.io/v1alpha1 (as the
// seed does) and watches, updates and deletes it through the legacy group.
func TestPolicyAcrossGroups(t *testing.T) {
	ctx, c := ctxT(t), shared.Client
	waitSystemTiers(ctx, t, c)
	w, err := c.SecurityV1alpha1().ClusterNetworkPolicies().Watch(ctx, metav1.ListOptions{FieldSelector: "metadata.name=across-groups"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	allow := crdv1alpha1.RuleActionAllow
	created, err := c.CrdV1alpha1().ClusterNetworkPolicies().Create(ctx, &crdv1alpha1.ClusterNetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "across-groups"},
		Spec: crdv1alpha1.ClusterNetworkPolicySpec{Tier: "securityops", Priority: 5,
			AppliedTo: []crdv1alpha1.AppliedTo{{PodSelector: &metav1.LabelSelector{}}},
			Ingress:   []crdv1alpha1.Rule{{Action: &allow, Name: "a"}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	expectEvent(t, w, watch.Added)
	legacy, err := c.SecurityV1alpha1().ClusterNetworkPolicies().Get(ctx, created.Name, metav1.GetOptions{})
	if err != nil || legacy.Spec.Tier != "securityops" || legacy.Spec.Ingress[0].Name != "a" {
		t.Fatalf("through the legacy group: %+v, %v", legacy, err)
	}
	legacy.Spec.Priority = 6
	if _, err := c.SecurityV1alpha1().ClusterNetworkPolicies().Update(ctx, legacy, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("update through the legacy group: %v", err)
	}
	expectEvent(t, w, watch.Modified)
	got, err := c.CrdV1beta1().ClusterNetworkPolicies().Get(ctx, created.Name, metav1.GetOptions{})
	if err != nil || got.Spec.Priority != 6 || got.Generation != 2 {
		t.Fatalf("after the legacy update: priority %v generation %d err %v", got.Spec.Priority, got.Generation, err)
	}
	if err := c.SecurityV1alpha1().ClusterNetworkPolicies().Delete(ctx, created.Name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	expectEvent(t, w, watch.Deleted)
}

func expectEvent(t *testing.T, w watch.Interface, want watch.EventType) {
	t.Helper()
	select {
	case ev, ok := <-w.ResultChan():
		if !ok || ev.Type != want {
			t.Fatalf("watch event %v (open %v), want %v", ev.Type, ok, want)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("no %v watch event within 30s", want)
	}
}

// TestClusterGroupSingularIPBlock creates a ClusterGroup with v1alpha2's singular
// ipBlock and reads ipBlocks back through v1beta1.
func TestClusterGroupSingularIPBlock(t *testing.T) {
	ctx, c := ctxT(t), shared.Client
	_, err := c.CrdV1alpha2().ClusterGroups().Create(ctx, &crdv1alpha2.ClusterGroup{
		ObjectMeta: metav1.ObjectMeta{Name: "cg-singular"},
		Spec:       crdv1alpha2.GroupSpec{IPBlock: &crdv1alpha2.IPBlock{CIDR: "10.1.0.0/16"}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.CrdV1beta1().ClusterGroups().Get(ctx, "cg-singular", metav1.GetOptions{})
	if err != nil || len(got.Spec.IPBlocks) != 1 || got.Spec.IPBlocks[0].CIDR != "10.1.0.0/16" {
		t.Fatalf("through v1beta1: %+v, %v", got, err)
	}
	back, err := c.CrdV1alpha2().ClusterGroups().Get(ctx, "cg-singular", metav1.GetOptions{})
	if err != nil || back.Spec.IPBlock != nil || len(back.Spec.IPBlocks) != 1 {
		t.Fatalf("through v1alpha2: ipBlock %v ipBlocks %v, %v", back.Spec.IPBlock, back.Spec.IPBlocks, err)
	}
}
