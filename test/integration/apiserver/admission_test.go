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
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	restclient "k8s.io/client-go/rest"

	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
	"github.com/strata-net/strata/generated/clientset/versioned"
)

// TestAdmissionRules drives every admission rule through the API: refusals are 403
// (cross-object rules) or 422 (validation) with the field path in the causes.
func TestAdmissionRules(t *testing.T) {
	ctx, c := ctxT(t), shared.Client
	waitSystemTiers(ctx, t, c)
	if _, err := c.CrdV1beta1().Tiers().Create(ctx, tierV1beta1("adm-tier", 40), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CrdV1beta1().ClusterNetworkPolicies().Create(ctx, acnpV1beta1("adm-uses-tier", "adm-tier", 1), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	tiers, policies := c.CrdV1beta1().Tiers(), c.CrdV1beta1().ClusterNetworkPolicies()
	cases := []struct {
		name  string
		do    func() error
		code  int32
		field string
		msg   string
	}{
		{name: "policy of a missing tier", code: 403, field: "spec.tier", msg: "no Tier of this name exists",
			do: func() error {
				_, err := policies.Create(ctx, acnpV1beta1("adm-no-tier", "nosuch", 1), metav1.CreateOptions{})
				return err
			}},
		{name: "tier priority taken", code: 403, field: "spec.priority", msg: `overlaps with the existing Tier "securityops"`,
			do: func() error {
				_, err := tiers.Create(ctx, tierV1beta1("adm-dup", 100), metav1.CreateOptions{})
				return err
			}},
		{name: "reserved tier priority", code: 422, field: "spec.priority", msg: "is reserved",
			do: func() error {
				_, err := tiers.Create(ctx, tierV1beta1("adm-reserved", 252), metav1.CreateOptions{})
				return err
			}},
		{name: "delete a system tier", code: 403, field: "metadata.name", msg: `cannot delete the system Tier "emergency"`,
			do: func() error { return tiers.Delete(ctx, "emergency", metav1.DeleteOptions{}) }},
		{name: "re-prioritise a system tier", code: 422, field: "spec.priority", msg: "cannot be changed",
			do: func() error {
				st, err := tiers.Get(ctx, "platform", metav1.GetOptions{})
				if err != nil {
					return err
				}
				st.Spec.Priority = 201
				_, err = tiers.Update(ctx, st, metav1.UpdateOptions{})
				return err
			}},
		{name: "delete a tier in use", code: 403, field: "metadata.name", msg: `the Tier "adm-tier" is referenced by 1 Antrea policies`,
			do: func() error { return tiers.Delete(ctx, "adm-tier", metav1.DeleteOptions{}) }},
		{name: "Pass in baseline", code: 422, field: "spec.ingress[0].action", msg: "Pass is not allowed in the baseline tier",
			do: func() error {
				p := acnpV1beta1("adm-pass", "baseline", 1)
				pass := crdv1beta1.RuleActionPass
				p.Spec.Ingress[0].Action = &pass
				_, err := policies.Create(ctx, p, metav1.CreateOptions{})
				return err
			}},
		{name: "child group with children", code: 403, field: "spec.childGroups[0]", msg: "cannot be a child group",
			do: func() error {
				groups := c.CrdV1beta1().ClusterGroups()
				if _, err := groups.Create(ctx, &crdv1beta1.ClusterGroup{ObjectMeta: metav1.ObjectMeta{Name: "adm-parent"},
					Spec: crdv1beta1.GroupSpec{ChildGroups: []crdv1beta1.ClusterGroupReference{"adm-leaf"}}}, metav1.CreateOptions{}); err != nil {
					return err
				}
				grandparent := &crdv1beta1.ClusterGroup{ObjectMeta: metav1.ObjectMeta{Name: "adm-grandparent"},
					Spec: crdv1beta1.GroupSpec{ChildGroups: []crdv1beta1.ClusterGroupReference{"adm-parent"}}}
				// The admission caches see adm-parent a moment after its creation: a
				// child that is not known yet is allowed, so retry the dry run until
				// the nesting is refused (or 30s pass).
				var err error
				_ = wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
					_, err = groups.Create(ctx, grandparent, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
					return err != nil, nil
				})
				return err
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.do()
			wantCause(t, err, tc.code, tc.field)
			if !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("message %q lacks %q", err.Error(), tc.msg)
			}
		})
	}
	if _, err := c.CrdV1beta1().ClusterNetworkPolicies().Get(ctx, "adm-pass", metav1.GetOptions{}); err == nil {
		t.Fatal("a refused policy was stored")
	}
}

// TestPolicyDefaults checks the mutating admission: the default tier and the
// generated rule names.
func TestPolicyDefaults(t *testing.T) {
	ctx, c := ctxT(t), shared.Client
	waitSystemTiers(ctx, t, c)
	created, err := c.CrdV1beta1().ClusterNetworkPolicies().Create(ctx, acnpV1beta1("def-policy", "", 7), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if created.Spec.Tier != "application" {
		t.Errorf("tier = %q, want application", created.Spec.Tier)
	}
	name := created.Spec.Ingress[0].Name
	if !strings.HasPrefix(name, "ingress-allow-") || len(name) != len("ingress-allow-")+7 {
		t.Errorf("rule name = %q, want ingress-allow-<7 hex digits>", name)
	}
	if *created.Spec.Ingress[0].Action != crdv1beta1.RuleActionAllow {
		t.Errorf("action changed to %v", *created.Spec.Ingress[0].Action)
	}
}

// TestMaxTiers fills up to 20 Tiers and expects the 21st to be refused.
func TestMaxTiers(t *testing.T) {
	ctx := ctxT(t)
	s := startFresh(t)
	waitSystemTiers(ctx, t, s.Client)
	for i := 0; i < 14; i++ {
		if _, err := s.Client.CrdV1beta1().Tiers().Create(ctx, tierV1beta1(fmt.Sprintf("t%d", i), int32(i)), metav1.CreateOptions{}); err != nil {
			t.Fatalf("tier %d: %v", i, err)
		}
	}
	_, err := s.Client.CrdV1beta1().Tiers().Create(ctx, tierV1beta1("one-too-many", 30), metav1.CreateOptions{})
	wantCause(t, err, 403, "metadata.name")
}

// TestDeleteReferencedClusterGroupWarns deletes a ClusterGroup that a policy uses:
// allowed, with a warning naming the policy.
func TestDeleteReferencedClusterGroupWarns(t *testing.T) {
	ctx := ctxT(t)
	handler := &warningCollector{}
	cfg := restclient.CopyConfig(shared.ClientConfig)
	cfg.WarningHandler = handler
	c, err := versioned.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	waitSystemTiers(ctx, t, c)
	if _, err := c.CrdV1beta1().ClusterGroups().Create(ctx, &crdv1beta1.ClusterGroup{ObjectMeta: metav1.ObjectMeta{Name: "warn-cg"},
		Spec: crdv1beta1.GroupSpec{PodSelector: &metav1.LabelSelector{}}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CrdV1beta1().Tiers().Create(ctx, tierV1beta1("warn-tier", 41), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	p := acnpV1beta1("warn-policy", "warn-tier", 3)
	p.Spec.AppliedTo = []crdv1beta1.AppliedTo{{Group: "warn-cg"}}
	if _, err := c.CrdV1beta1().ClusterNetworkPolicies().Create(ctx, p, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitPolicyCached(ctx, t, c, "warn-tier")
	handler.msgs = nil
	if err := c.CrdV1beta1().ClusterGroups().Delete(ctx, "warn-cg", metav1.DeleteOptions{}); err != nil {
		t.Fatalf("deleting a referenced ClusterGroup must be allowed: %v", err)
	}
	want := "ClusterGroup warn-cg is referenced by 1 ClusterNetworkPolicies (warn-policy)"
	if got := strings.Join(handler.msgs, "\n"); !strings.Contains(got, want) {
		t.Fatalf("warnings %q lack %q", got, want)
	}
}

// waitPolicyCached waits until the admission caches hold a policy of tier: a dry-run
// deletion of the tier is then refused because the tier is in use.
func waitPolicyCached(ctx context.Context, t *testing.T, c versioned.Interface, tier string) {
	t.Helper()
	err := wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		err := c.CrdV1beta1().Tiers().Delete(ctx, tier, metav1.DeleteOptions{DryRun: []string{metav1.DryRunAll}})
		return err != nil && strings.Contains(err.Error(), "is referenced by"), nil
	})
	if err != nil {
		t.Fatalf("waiting 30s for the admission caches to see the policies of tier %s: %v", tier, err)
	}
}

type warningCollector struct{ msgs []string }

func (w *warningCollector) HandleWarningHeader(code int, _ string, text string) {
	if code == http.StatusOK || code == 299 {
		w.msgs = append(w.msgs, text)
	}
}
