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

package policy

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"

	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
)

// TestUpdateToNewAddressGroup is the seed walkthrough's step 3.2: a policy whose
// AppliedTo (and so span) stays the same is updated to a rule with a new peer.
// The new AddressGroup must get the policy's span, or no agent receives it and
// the rule is never realized.
func TestUpdateToNewAddressGroup(t *testing.T) {
	c, src, sink := newTestCompiler()
	seedCluster(c)
	appliedTo := []crdv1beta1.AppliedTo{{PodSelector: sel("app", "redis")}}
	src.acnps["p"] = acnp("p", "securityops", 5, appliedTo,
		ruleFrom(crdv1beta1.RuleActionAllow, "AllowFromOther", crdv1beta1.NetworkPolicyPeer{PodSelector: sel("app", "other")}))
	c.ClusterNetworkPolicyChanged("p")
	c.Process()

	updated := acnp("p", "securityops", 5, appliedTo,
		ruleFrom(crdv1beta1.RuleActionDrop, "DropFromGuestbook", crdv1beta1.NetworkPolicyPeer{PodSelector: sel("app", "guestbook")}))
	updated.Generation = 2
	src.acnps["p"] = updated
	c.ClusterNetworkPolicyChanged("p")
	c.Process()

	ag := groupName(t, "", nil, sel("app", "guestbook"))
	if got := sink.policies["uid-p"].Rules[0].From.AddressGroups; !cmp.Equal(got, []string{ag}) {
		t.Fatalf("the updated rule uses AddressGroups %v, want [%s]", got, ag)
	}
	g := sink.address[ag]
	if g == nil {
		t.Fatalf("AddressGroup %s was not published", ag)
	}
	if got, want := sets.List(g.Span), sets.List(sink.spans["uid-p"]); !cmp.Equal(got, want) || len(want) == 0 {
		t.Fatalf("AddressGroup span %v, want the policy's span %v", got, want)
	}
}

// TestReleasedAppliedToGroupKeepsAddressSpan updates two policies in one pass:
// p1 stops applying to ClusterGroup cg-x (its AppliedToGroup cg-x goes away)
// while p2 starts using cg-x as a peer (a new AddressGroup cg-x, whose span is
// p2's). The AppliedToGroup and the AddressGroup of one ClusterGroup share its
// name: releasing the AppliedToGroup must not drop the AddressGroup's span
// computation, or no agent receives the AddressGroup and p2's Drop is never
// enforced. The pass handles the policies in no set order, so the case runs
// until both orders occurred.
func TestReleasedAppliedToGroupKeepsAddressSpan(t *testing.T) {
	for i := range 40 {
		c, src, sink := newTestCompiler()
		seedCluster(c)
		for name, app := range map[string]string{"cg-x": "redis", "cg-y": "guestbook", "cg-z": "redis"} {
			src.groups[name] = &crdv1beta1.ClusterGroup{ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID("uid-" + name)},
				Spec: crdv1beta1.GroupSpec{PodSelector: sel("app", app), NamespaceSelector: &metav1.LabelSelector{}}}
			c.ClusterGroupChanged(name)
		}
		policy := func(name string, gen int64, appliedTo, peer string) {
			p := acnp(name, "securityops", 5, []crdv1beta1.AppliedTo{{Group: appliedTo}},
				ruleFrom(crdv1beta1.RuleActionDrop, "r", crdv1beta1.NetworkPolicyPeer{Group: peer}))
			p.Generation = gen
			src.acnps[name] = p
			c.ClusterNetworkPolicyChanged(name)
		}
		policy("p1", 1, "cg-x", "cg-y")
		policy("p2", 1, "cg-y", "cg-z")
		c.Process()
		policy("p1", 2, "cg-z", "cg-y")
		policy("p2", 2, "cg-y", "cg-x")
		c.Process()
		g := sink.address["cg-x"]
		if g == nil {
			t.Fatalf("run %d: AddressGroup cg-x was not published", i)
		}
		if got, want := sets.List(g.Span), sets.List(sink.spans["uid-p2"]); len(want) == 0 || !cmp.Equal(got, want) {
			t.Fatalf("run %d: AddressGroup cg-x span %v, want p2's span %v", i, got, want)
		}
	}
}

// TestClusterGroupsSwapRoles updates a policy so that the ClusterGroup it was
// applied to becomes its peer and the other way round, with the same span. The
// AppliedToGroup and the AddressGroup of one ClusterGroup share its name: the
// AppliedToGroup released by the update must not take the new AddressGroup's
// span computation with it, or no agent receives the AddressGroup and the Drop
// is never enforced.
func TestClusterGroupsSwapRoles(t *testing.T) {
	c, src, sink := newTestCompiler()
	seedCluster(c)
	for name, app := range map[string]string{"cg-x": "redis", "cg-y": "guestbook"} {
		src.groups[name] = &crdv1beta1.ClusterGroup{ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID("uid-" + name)},
			Spec: crdv1beta1.GroupSpec{PodSelector: sel("app", app), NamespaceSelector: &metav1.LabelSelector{}}}
		c.ClusterGroupChanged(name)
	}
	src.acnps["p"] = acnp("p", "securityops", 5, []crdv1beta1.AppliedTo{{Group: "cg-x"}},
		ruleFrom(crdv1beta1.RuleActionDrop, "r", crdv1beta1.NetworkPolicyPeer{Group: "cg-y"}))
	c.ClusterNetworkPolicyChanged("p")
	c.Process()
	before := sets.List(sink.spans["uid-p"])

	swapped := acnp("p", "securityops", 5, []crdv1beta1.AppliedTo{{Group: "cg-y"}},
		ruleFrom(crdv1beta1.RuleActionDrop, "r", crdv1beta1.NetworkPolicyPeer{Group: "cg-x"}))
	swapped.Generation = 2
	src.acnps["p"] = swapped
	c.ClusterNetworkPolicyChanged("p")
	c.Process()

	span := sets.List(sink.spans["uid-p"])
	if len(span) == 0 || !cmp.Equal(span, before) {
		t.Fatalf("the policy's span %v, want the same as before the swap %v (the case under test)", span, before)
	}
	g := sink.address["cg-x"]
	if g == nil {
		t.Fatal("AddressGroup cg-x was not published")
	}
	if got := sets.List(g.Span); !cmp.Equal(got, span) {
		t.Fatalf("AddressGroup cg-x span %v, want the policy's span %v", got, span)
	}
}
