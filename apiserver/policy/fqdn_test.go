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

	"github.com/strata-net/strata/apis/controlplane"
	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
)

// TestFQDNPeers: an egress rule's fqdn peers go into the controlplane rule's
// to.fqdns as written (the agents learn their addresses), beside the
// rule's other peers; a rule of FQDN peers only has no AddressGroup nor
// ipBlock (it does not match every address).
func TestFQDNPeers(t *testing.T) {
	c, src, sink := newTestCompiler()
	seedCluster(c)
	allow, drop := crdv1beta1.RuleActionAllow, crdv1beta1.RuleActionDrop
	p := acnp("fqdn", "securityops", 5, []crdv1beta1.AppliedTo{{PodSelector: sel("app", "guestbook")}})
	p.Spec.Egress = []crdv1beta1.Rule{
		{Action: &allow, Name: "AllowExample", To: []crdv1beta1.NetworkPolicyPeer{{FQDN: "*.Example.com"}, {FQDN: "example.org"}}},
		{Action: &drop, Name: "DropRedisAndBad", To: []crdv1beta1.NetworkPolicyPeer{{PodSelector: sel("app", "redis")}, {FQDN: "bad.example.net"}}},
	}
	src.acnps["fqdn"] = p
	c.ClusterNetworkPolicyChanged("fqdn")
	c.Process()
	np := sink.policies["uid-fqdn"]
	if np == nil {
		t.Fatal("the policy was not published")
	}
	ag := groupName(t, "", nil, sel("app", "redis"))
	callow, cdrop := controlplane.RuleActionAllow, controlplane.RuleActionDrop
	want := []controlplane.NetworkPolicyRule{
		{Direction: controlplane.DirectionOut, Action: &callow, Name: "AllowExample",
			To: controlplane.NetworkPolicyPeer{FQDNs: []string{"*.Example.com", "example.org"}}},
		{Direction: controlplane.DirectionOut, Action: &cdrop, Name: "DropRedisAndBad", Priority: 1,
			To: controlplane.NetworkPolicyPeer{AddressGroups: []string{ag}, FQDNs: []string{"bad.example.net"}}},
	}
	if diff := cmp.Diff(want, np.Rules); diff != "" {
		t.Fatalf("rules (-want +got):\n%s", diff)
	}
}
