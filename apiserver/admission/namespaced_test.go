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

package admission

import (
	"context"
	"errors"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	"k8s.io/apiserver/pkg/warning"

	"github.com/strata-net/strata/apis/crd"
	"github.com/strata-net/strata/apis/crd/v1beta1"
)

// The admission of the namespaced kinds: Antrea NetworkPolicies (tier, defaults,
// Tier deletion) and Groups (nesting and referrers within their Namespace).

func v1NamespacedPolicy(namespace, name, tier string, groups ...string) *v1beta1.NetworkPolicy {
	p := &v1beta1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name}, Spec: v1beta1.NetworkPolicySpec{Tier: tier}}
	for _, g := range groups {
		p.Spec.AppliedTo = append(p.Spec.AppliedTo, v1beta1.AppliedTo{Group: g})
	}
	return p
}

func v1Group(namespace, name string, children ...v1beta1.ClusterGroupReference) *v1beta1.Group {
	return &v1beta1.Group{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name}, Spec: v1beta1.GroupSpec{ChildGroups: children}}
}

// nsAttrs are the attributes of a request for a namespaced crd.antrea.io/v1beta1
// resource.
func nsAttrs(resource, namespace, name string, op admission.Operation, obj runtime.Object) admission.Attributes {
	gvr := schema.GroupVersionResource{Group: crd.GroupName, Version: "v1beta1", Resource: resource}
	return admission.NewAttributesRecord(obj, nil, schema.GroupVersionKind{}, namespace, name, gvr, "", op, nil, false, nil)
}

func TestTierDeletionCountsNetworkPolicies(t *testing.T) {
	tiers := []runtime.Object{v1Tier("application", 250), v1Tier("nstier", 10), v1Tier("both", 11), v1Tier("free", 12)}
	objs := append(tiers,
		v1NamespacedPolicy("ns1", "p", "nstier"),
		v1NamespacedPolicy("ns1", "q", "both"), v1NamespacedPolicy("ns2", "q", "both"), v1Policy("c", "both"))
	for _, tc := range []struct{ tier, msg string }{
		{"nstier", `the Tier "nstier" is referenced by 1 Antrea policies`},
		{"both", `the Tier "both" is referenced by 3 Antrea policies`},
		{"free", ""},
	} {
		t.Run(tc.tier, func(t *testing.T) {
			p := NewTiers()
			initPlugin(t, p, newFactory(t, objs...))
			wantForbidden(t, p.Validate(context.Background(), attrs(crd.GroupName, "tiers", tc.tier, admission.Delete, nil), nil), tc.msg, "")
		})
	}
}

func TestPolicyTierNetworkPolicy(t *testing.T) {
	for _, tc := range []struct{ tier, msg string }{
		{"securityops", ""},
		{"SecurityOps", ""},
		{"nosuch", "no Tier of this name exists"},
	} {
		t.Run(tc.tier, func(t *testing.T) {
			p := NewPolicyTier()
			initPlugin(t, p, newFactory(t, v1Tier("securityops", 100)))
			obj := &crd.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: "ns1", Name: "p"}, Spec: crd.NetworkPolicySpec{Tier: tc.tier}}
			wantForbidden(t, p.Validate(context.Background(), nsAttrs("networkpolicies", "ns1", "p", admission.Create, obj), nil), tc.msg, "spec.tier")
		})
	}
}

func TestPolicyDefaultsNetworkPolicy(t *testing.T) {
	drop := crd.RuleActionDrop
	p := &crd.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: "ns1", Name: "p"}, Spec: crd.NetworkPolicySpec{
		Egress: []crd.Rule{{Action: &drop}},
	}}
	if err := NewPolicyDefaults().Admit(context.Background(), nsAttrs("networkpolicies", "ns1", "p", admission.Create, p), nil); err != nil {
		t.Fatal(err)
	}
	if p.Spec.Tier != crd.TierApplication {
		t.Errorf("tier = %q, want application", p.Spec.Tier)
	}
	if name := p.Spec.Egress[0].Name; !strings.HasPrefix(name, "egress-drop-") || len(name) != len("egress-drop-")+7 {
		t.Errorf("rule name = %q, want egress-drop-<7 hex>", name)
	}
}

func TestGroups(t *testing.T) {
	group := func(namespace, name string, children ...crd.ClusterGroupReference) *crd.Group {
		return &crd.Group{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name}, Spec: crd.GroupSpec{ChildGroups: children}}
	}
	existing := []runtime.Object{
		v1Group("ns1", "parent", "leaf"), v1Group("ns1", "leaf"),
		v1NamespacedPolicy("ns1", "uses-leaf", "application", "leaf"),
		v1NamespacedPolicy("ns2", "other-leaf", "application", "leaf"),
		v1Group("ns2", "leaf"), v1Group("ns2", "parent"),
		// A ClusterGroup of the same name is another object.
		&v1beta1.ClusterGroup{ObjectMeta: metav1.ObjectMeta{Name: "parent"}, Spec: v1beta1.GroupSpec{ChildGroups: []v1beta1.ClusterGroupReference{"leaf"}}},
	}
	cases := []struct {
		name string
		a    admission.Attributes
		msg  string
	}{
		{name: "children that are leaves", a: nsAttrs("groups", "ns1", "new", admission.Create, group("ns1", "new", "leaf", "missing"))},
		{name: "child that has children", a: nsAttrs("groups", "ns1", "new", admission.Create, group("ns1", "new", "parent")),
			msg: `group "parent" has 1 child groups itself`},
		{name: "a child of the same name in another namespace has none", a: nsAttrs("groups", "ns2", "new", admission.Create, group("ns2", "new", "parent"))},
		{name: "children for a group that is a child", a: nsAttrs("groups", "ns1", "leaf", admission.Update, group("ns1", "leaf", "other")),
			msg: "is a child group of 1 other groups"},
		{name: "a group of the same name in another namespace is no child", a: nsAttrs("groups", "ns2", "leaf", admission.Update, group("ns2", "leaf", "other"))},
		{name: "other resources pass", a: nsAttrs("clustergroups", "", "new", admission.Create, group("ns1", "new", "parent"))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := NewGroups()
			initPlugin(t, p, newFactory(t, existing...))
			wantForbidden(t, p.Validate(context.Background(), tc.a, nil), tc.msg, "")
		})
	}
	deleteWarnings := func(t *testing.T, a admission.Attributes) string {
		t.Helper()
		p := NewGroups()
		initPlugin(t, p, newFactory(t, existing...))
		recorder := &warnings{}
		if err := p.Validate(warning.WithWarningRecorder(context.Background(), recorder), a, nil); err != nil {
			t.Fatalf("deleting a referenced Group must be allowed: %v", err)
		}
		return strings.Join(recorder.msgs, "\n")
	}
	t.Run("delete a referenced group warns", func(t *testing.T) {
		got := deleteWarnings(t, nsAttrs("groups", "ns1", "leaf", admission.Delete, nil))
		for _, want := range []string{
			"Group leaf is referenced by 1 Antrea NetworkPolicies of Namespace ns1 (uses-leaf)",
			"Group leaf is a child group of parent in Namespace ns1",
		} {
			if !strings.Contains(got, want) {
				t.Fatalf("warnings %q lack %q", got, want)
			}
		}
		if strings.Contains(got, "other-leaf") {
			t.Fatalf("warnings %q name a policy of another Namespace", got)
		}
	})
	t.Run("deletecollection warns per group", func(t *testing.T) {
		a := admission.NewAttributesRecord(nil, group("ns2", "leaf"), schema.GroupVersionKind{}, "ns2", "",
			schema.GroupVersionResource{Group: crd.GroupName, Version: "v1beta1", Resource: "groups"}, "", admission.Delete, nil, false, nil)
		if got, want := deleteWarnings(t, a), "referenced by 1 Antrea NetworkPolicies of Namespace ns2 (other-leaf)"; !strings.Contains(got, want) {
			t.Fatalf("warnings %q lack %q", got, want)
		}
	})
	t.Run("delete an unreferenced group", func(t *testing.T) {
		if got := deleteWarnings(t, nsAttrs("groups", "ns2", "parent", admission.Delete, nil)); got != "" {
			t.Fatalf("unexpected warnings %q", got)
		}
	})
}

// allowAll is the authorizer of the plugin tests that are not about authorization.
var allowAll = authorizer.AuthorizerFunc(func(context.Context, authorizer.Attributes) (authorizer.Decision, string, error) {
	return authorizer.DecisionAllow, "", nil
})

// tierUsers allows user "owner" the verb use on tiers/application and
// tiers/baseline in namespace ns1, and "broken" nothing, with an error; it records
// what it was asked in asked.
func tierUsers(asked *[]authorizer.Attributes) authorizer.Authorizer {
	return authorizer.AuthorizerFunc(func(_ context.Context, a authorizer.Attributes) (authorizer.Decision, string, error) {
		*asked = append(*asked, a)
		if a.GetUser().GetName() == "broken" {
			return authorizer.DecisionNoOpinion, "", errors.New("SubjectAccessReview failed")
		}
		if a.GetUser().GetName() == "owner" && a.GetVerb() == VerbUse && a.GetAPIGroup() == crd.GroupName && a.GetResource() == "tiers" &&
			a.GetNamespace() == "ns1" && (a.GetName() == "application" || a.GetName() == "baseline") {
			return authorizer.DecisionAllow, "", nil
		}
		return authorizer.DecisionNoOpinion, "no RBAC policy matched", nil
	})
}

func TestPolicyTierUse(t *testing.T) {
	policy := func(tier string, priority float64) *crd.NetworkPolicy {
		return &crd.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: "ns1", Name: "p"}, Spec: crd.NetworkPolicySpec{Tier: tier, Priority: priority}}
	}
	gvr := schema.GroupVersionResource{Group: crd.GroupName, Version: "v1beta1", Resource: "networkpolicies"}
	request := func(userName string, op admission.Operation, obj, old *crd.NetworkPolicy, subresource string) admission.Attributes {
		var oldObj runtime.Object
		if old != nil {
			oldObj = old
		}
		return admission.NewAttributesRecord(obj, oldObj, schema.GroupVersionKind{}, "ns1", "p", gvr, subresource, op, nil, false,
			&user.DefaultInfo{Name: userName})
	}
	cases := []struct {
		name string
		a    admission.Attributes
		msg  string
	}{
		{name: "application", a: request("owner", admission.Create, policy("application", 1), nil, "")},
		{name: "baseline, legacy static name", a: request("owner", admission.Create, policy("Baseline", 1), nil, "")},
		{name: "a tier before the administrators'", a: request("owner", admission.Create, policy("securityops", 1), nil, ""),
			msg: `user "owner" may not use the Tier "securityops" in namespace "ns1": an Antrea NetworkPolicy needs the verb "use" on tiers/securityops`},
		{name: "another user", a: request("other", admission.Create, policy("application", 1), nil, ""),
			msg: `user "other" may not use the Tier "application"`},
		{name: "moving a policy into a tier", a: request("owner", admission.Update, policy("securityops", 1), policy("application", 1), ""),
			msg: `may not use the Tier "securityops"`},
		{name: "moving a policy out of a tier", a: request("owner", admission.Update, policy("application", 1), policy("securityops", 1), ""),
			msg: `may not use the Tier "securityops"`},
		{name: "changing a policy of a tier", a: request("owner", admission.Update, policy("securityops", 2), policy("securityops", 1), ""),
			msg: `may not use the Tier "securityops"`},
		{name: "labels of a policy of a tier", a: request("owner", admission.Update, policy("securityops", 1), policy("securityops", 1), "")},
		{name: "status", a: request("other", admission.Update, policy("securityops", 1), policy("securityops", 1), "status")},
		{name: "an authorization error refuses", a: request("broken", admission.Create, policy("application", 1), nil, ""),
			msg: "SubjectAccessReview failed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := NewPolicyTier()
			f := newFactory(t, v1Tier("application", 250), v1Tier("baseline", 253), v1Tier("securityops", 100))
			Initializer{Informers: f}.Initialize(p)
			var asked []authorizer.Attributes
			p.SetAuthorizer(tierUsers(&asked))
			if err := p.ValidateInitialization(); err != nil {
				t.Fatal(err)
			}
			startFactory(t, f)
			wantForbidden(t, p.Validate(context.Background(), tc.a, nil), tc.msg, "spec.tier")
		})
	}
	t.Run("ClusterNetworkPolicies need no tier use", func(t *testing.T) {
		p := NewPolicyTier()
		initPlugin(t, p, newFactory(t, v1Tier("securityops", 100)))
		var asked []authorizer.Attributes
		p.SetAuthorizer(tierUsers(&asked))
		acnp := &crd.ClusterNetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "c"}, Spec: crd.ClusterNetworkPolicySpec{Tier: "securityops"}}
		if err := p.Validate(context.Background(), attrs(crd.GroupName, "clusternetworkpolicies", "c", admission.Create, acnp), nil); err != nil {
			t.Fatal(err)
		}
		if len(asked) != 0 {
			t.Fatalf("asked the authorizer %v", asked)
		}
	})
	t.Run("without an authorizer the plugin does not start", func(t *testing.T) {
		p := NewPolicyTier()
		Initializer{Informers: newFactory(t)}.Initialize(p)
		if err := p.ValidateInitialization(); err == nil || !strings.Contains(err.Error(), "missing the authorizer") {
			t.Fatalf("ValidateInitialization: %v", err)
		}
	})
}
