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
	"fmt"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/warning"

	"github.com/strata-net/strata/apis/crd"
	"github.com/strata-net/strata/apis/crd/v1beta1"
	"github.com/strata-net/strata/apis/security"
	"github.com/strata-net/strata/generated/clientset/versioned/fake"
	informers "github.com/strata-net/strata/generated/informers/externalversions"
)

// newFactory returns a started, synced informer factory over a fake clientset
// holding objs (v1beta1 objects).
func newFactory(t *testing.T, objs ...runtime.Object) informers.SharedInformerFactory {
	t.Helper()
	f := informers.NewSharedInformerFactory(fake.NewSimpleClientset(objs...), 0)
	// Touch the informers the plugins use so that Start starts them.
	f.Crd().V1beta1().Tiers().Informer()
	f.Crd().V1beta1().ClusterNetworkPolicies().Informer()
	f.Crd().V1beta1().ClusterGroups().Informer()
	f.Crd().V1beta1().NetworkPolicies().Informer()
	f.Crd().V1beta1().Groups().Informer()
	return f
}

func startFactory(t *testing.T, f informers.SharedInformerFactory) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	f.Start(ctx.Done())
	syncCtx, syncCancel := context.WithTimeout(ctx, 10*time.Second)
	defer syncCancel()
	for typ, ok := range f.WaitForCacheSync(syncCtx.Done()) {
		if !ok {
			t.Fatalf("informer for %v did not sync", typ)
		}
	}
}

func initPlugin(t *testing.T, p admission.Interface, f informers.SharedInformerFactory) {
	t.Helper()
	Initializer{Informers: f, Authorizer: allowAll}.Initialize(p)
	if v, ok := p.(admission.InitializationValidator); ok {
		if err := v.ValidateInitialization(); err != nil {
			t.Fatal(err)
		}
	}
	startFactory(t, f)
}

func v1Tier(name string, priority int32) *v1beta1.Tier {
	return &v1beta1.Tier{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: v1beta1.TierSpec{Priority: priority}}
}

func v1Policy(name, tier string, groups ...string) *v1beta1.ClusterNetworkPolicy {
	p := &v1beta1.ClusterNetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: v1beta1.ClusterNetworkPolicySpec{Tier: tier}}
	for _, g := range groups {
		p.Spec.AppliedTo = append(p.Spec.AppliedTo, v1beta1.AppliedTo{Group: g})
	}
	return p
}

func attrs(group, resource, name string, op admission.Operation, obj runtime.Object) admission.Attributes {
	gvr := schema.GroupVersionResource{Group: group, Version: "v1beta1", Resource: resource}
	return admission.NewAttributesRecord(obj, nil, schema.GroupVersionKind{}, "", name, gvr, "", op, nil, false, nil)
}

// collectionDelete is what admission sees for each object of a DELETECOLLECTION:
// no name, the object as the old object (k8s.io/apiserver's
// rest.AdmissionToValidateObjectDeleteFunc).
func collectionDelete(group, resource string, old runtime.Object) admission.Attributes {
	gvr := schema.GroupVersionResource{Group: group, Version: "v1beta1", Resource: resource}
	return admission.NewAttributesRecord(nil, old, schema.GroupVersionKind{}, "", "", gvr, "", admission.Delete, nil, false, nil)
}

// wantForbidden checks a 403 whose message contains msg and, when field is set,
// whose causes name that field.
func wantForbidden(t *testing.T, err error, msg, field string) {
	t.Helper()
	if msg == "" {
		if err != nil {
			t.Fatalf("unexpected refusal: %v", err)
		}
		return
	}
	if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), msg) {
		t.Fatalf("got %v, want a 403 containing %q", err, msg)
	}
	if field == "" {
		return
	}
	for _, c := range err.(apierrors.APIStatus).Status().Details.Causes {
		if c.Field == field {
			return
		}
	}
	t.Fatalf("no cause names field %s: %v", field, err)
}

func TestTiers(t *testing.T) {
	existing := []runtime.Object{v1Tier("securityops", 100), v1Tier("application", 250), v1Tier("baseline", 253),
		v1Tier("mytier", 10), v1Policy("p1", "mytier"), v1Policy("p2", "")}
	many := []runtime.Object{}
	for i := 0; i < 20; i++ {
		many = append(many, v1Tier(fmt.Sprintf("t%d", i), int32(i)))
	}
	cases := []struct {
		name  string
		objs  []runtime.Object
		attrs admission.Attributes
		msg   string
		field string
	}{
		{name: "new priority", objs: existing, attrs: attrs(crd.GroupName, "tiers", "t", admission.Create, &crd.Tier{ObjectMeta: metav1.ObjectMeta{Name: "t"}, Spec: crd.TierSpec{Priority: 20}})},
		{name: "priority taken", objs: existing, attrs: attrs(crd.GroupName, "tiers", "t", admission.Create, &crd.Tier{ObjectMeta: metav1.ObjectMeta{Name: "t"}, Spec: crd.TierSpec{Priority: 100}}),
			msg: `overlaps with the existing Tier "securityops"`, field: "spec.priority"},
		{name: "priority taken through the legacy group", objs: existing, attrs: attrs(security.GroupName, "tiers", "t", admission.Create, &crd.Tier{ObjectMeta: metav1.ObjectMeta{Name: "t"}, Spec: crd.TierSpec{Priority: 10}}),
			msg: `overlaps with the existing Tier "mytier"`, field: "spec.priority"},
		{name: "twenty tiers exist", objs: many, attrs: attrs(crd.GroupName, "tiers", "t", admission.Create, &crd.Tier{ObjectMeta: metav1.ObjectMeta{Name: "t"}, Spec: crd.TierSpec{Priority: 99}}),
			msg: "maximum number of Tiers (20)"},
		{name: "delete an unused tier", objs: append(existing, v1Tier("unused", 30)), attrs: attrs(crd.GroupName, "tiers", "unused", admission.Delete, nil)},
		{name: "delete a system tier", objs: existing, attrs: attrs(crd.GroupName, "tiers", "baseline", admission.Delete, nil),
			msg: `cannot delete the system Tier "baseline"`},
		{name: "delete a tier in use", objs: existing, attrs: attrs(crd.GroupName, "tiers", "mytier", admission.Delete, nil),
			msg: `the Tier "mytier" is referenced by 1 Antrea policies`},
		{name: "delete application counts policies without tier", objs: existing, attrs: attrs(security.GroupName, "tiers", "application", admission.Delete, nil),
			msg: `cannot delete the system Tier "application"`},
		{name: "other resources pass", objs: existing, attrs: attrs("apps", "tiers", "mytier", admission.Delete, nil)},
		{name: "deletecollection reaches a system tier", objs: existing, attrs: collectionDelete(crd.GroupName, "tiers", &crd.Tier{ObjectMeta: metav1.ObjectMeta{Name: "securityops"}}),
			msg: `cannot delete the system Tier "securityops"`},
		{name: "deletecollection reaches a tier in use, legacy group", objs: existing, attrs: collectionDelete(security.GroupName, "tiers", &crd.Tier{ObjectMeta: metav1.ObjectMeta{Name: "mytier"}}),
			msg: `the Tier "mytier" is referenced by 1 Antrea policies`},
		{name: "deletecollection reaches an unused tier", objs: append(existing, v1Tier("unused", 30)), attrs: collectionDelete(crd.GroupName, "tiers", &crd.Tier{ObjectMeta: metav1.ObjectMeta{Name: "unused"}})},
		{name: "a deletion naming no tier is refused", objs: existing, attrs: attrs(crd.GroupName, "tiers", "", admission.Delete, nil),
			msg: "cannot tell which Tier", field: "metadata.name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := NewTiers()
			initPlugin(t, p, newFactory(t, tc.objs...))
			wantForbidden(t, p.Validate(context.Background(), tc.attrs, nil), tc.msg, tc.field)
		})
	}
}

func TestPolicyTier(t *testing.T) {
	policy := func(tier string) *crd.ClusterNetworkPolicy {
		return &crd.ClusterNetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "p"}, Spec: crd.ClusterNetworkPolicySpec{Tier: tier}}
	}
	cases := []struct {
		name string
		tier string
		msg  string
	}{
		{name: "existing tier", tier: "securityops"},
		{name: "legacy static name", tier: "SecurityOps"},
		{name: "missing tier", tier: "nosuch", msg: "no Tier of this name exists"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := NewPolicyTier()
			initPlugin(t, p, newFactory(t, v1Tier("securityops", 100)))
			a := attrs(crd.GroupName, "clusternetworkpolicies", "p", admission.Create, policy(tc.tier))
			wantForbidden(t, p.Validate(context.Background(), a, nil), tc.msg, "spec.tier")
		})
	}
}

func TestClusterGroups(t *testing.T) {
	group := func(name string, children ...crd.ClusterGroupReference) *crd.ClusterGroup {
		return &crd.ClusterGroup{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: crd.GroupSpec{ChildGroups: children}}
	}
	existing := []runtime.Object{
		&v1beta1.ClusterGroup{ObjectMeta: metav1.ObjectMeta{Name: "parent"}, Spec: v1beta1.GroupSpec{ChildGroups: []v1beta1.ClusterGroupReference{"leaf"}}},
		&v1beta1.ClusterGroup{ObjectMeta: metav1.ObjectMeta{Name: "leaf"}},
		v1Policy("uses-leaf", "application", "leaf"),
	}
	cases := []struct {
		name string
		a    admission.Attributes
		msg  string
	}{
		{name: "children that are leaves", a: attrs(crd.GroupName, "clustergroups", "new", admission.Create, group("new", "leaf", "missing"))},
		{name: "child that has children", a: attrs(crd.GroupName, "clustergroups", "new", admission.Create, group("new", "parent")),
			msg: `group "parent" has 1 child groups itself`},
		{name: "children for a group that is a child", a: attrs(crd.GroupName, "clustergroups", "leaf", admission.Update, group("leaf", "other")),
			msg: "is a child group of 1 other groups"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := NewClusterGroups()
			initPlugin(t, p, newFactory(t, existing...))
			wantForbidden(t, p.Validate(context.Background(), tc.a, nil), tc.msg, "")
		})
	}
	t.Run("delete a referenced group warns", func(t *testing.T) {
		p := NewClusterGroups()
		initPlugin(t, p, newFactory(t, existing...))
		recorder := &warnings{}
		ctx := warning.WithWarningRecorder(context.Background(), recorder)
		if err := p.Validate(ctx, attrs(crd.GroupName, "clustergroups", "leaf", admission.Delete, nil), nil); err != nil {
			t.Fatal(err)
		}
		got := strings.Join(recorder.msgs, "\n")
		for _, want := range []string{"referenced by 1 ClusterNetworkPolicies (uses-leaf)", "is a child group of parent"} {
			if !strings.Contains(got, want) {
				t.Fatalf("warnings %q lack %q", got, want)
			}
		}
	})
}

type warnings struct{ msgs []string }

func (w *warnings) AddWarning(_, text string) { w.msgs = append(w.msgs, text) }

func TestPolicyDefaults(t *testing.T) {
	allow := crd.RuleActionAllow
	p := &crd.ClusterNetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "p"}, Spec: crd.ClusterNetworkPolicySpec{
		Ingress: []crd.Rule{{Action: &allow}, {Action: &allow, Name: "mine"}},
		Egress:  []crd.Rule{{Action: &allow}},
	}}
	a := attrs(crd.GroupName, "clusternetworkpolicies", "p", admission.Create, p)
	if err := NewPolicyDefaults().Admit(context.Background(), a, nil); err != nil {
		t.Fatal(err)
	}
	if p.Spec.Tier != "application" {
		t.Errorf("tier = %q, want application", p.Spec.Tier)
	}
	in, eg := p.Spec.Ingress[0].Name, p.Spec.Egress[0].Name
	if !strings.HasPrefix(in, "ingress-allow-") || len(in) != len("ingress-allow-")+7 {
		t.Errorf("ingress rule name = %q, want ingress-allow-<7 hex>", in)
	}
	if !strings.HasPrefix(eg, "egress-allow-") || eg[len(eg)-7:] != in[len(in)-7:] {
		t.Errorf("egress rule name = %q, want egress-allow- and the same hash as the identical ingress rule %q", eg, in)
	}
	if p.Spec.Ingress[1].Name != "mine" {
		t.Errorf("a named rule was renamed to %q", p.Spec.Ingress[1].Name)
	}
	again, _ := GenerateRuleName("ingress", &crd.Rule{Action: &allow})
	if again != in {
		t.Errorf("names are not stable: %q then %q", in, again)
	}
}
