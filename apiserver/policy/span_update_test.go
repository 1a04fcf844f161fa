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
