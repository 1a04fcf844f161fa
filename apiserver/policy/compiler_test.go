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
	"net"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/strata-net/strata/apis/controlplane"
	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
	"github.com/strata-net/strata/apiserver/policy/grouping"
)

func sel(kv ...string) *metav1.LabelSelector {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return &metav1.LabelSelector{MatchLabels: m}
}

func groupName(t *testing.T, ns string, nsSel, podSel *metav1.LabelSelector) string {
	t.Helper()
	s, err := grouping.NewSelector(ns, nsSel, podSel)
	if err != nil {
		t.Fatal(err)
	}
	return s.Name()
}

func gpod(ns, name, node, ip string, kv ...string) *grouping.Pod {
	l := labels.Set{}
	for i := 0; i+1 < len(kv); i += 2 {
		l[kv[i]] = kv[i+1]
	}
	p := &grouping.Pod{Namespace: ns, Name: name, NodeName: node, Labels: l}
	if ip != "" {
		p.IPs = [][]byte{net.ParseIP(ip).To4()}
	}
	return p
}

// seedCluster is the seed walkthrough's cluster: guestbook and redis in default
// (project=prod) and guestbook in test (project=test), on nodes n1 and n2.
func seedCluster(c *Compiler) {
	c.UpsertNamespace("default", labels.Set{"project": "prod"})
	c.UpsertNamespace("test", labels.Set{"project": "test"})
	for _, p := range []*grouping.Pod{
		gpod("default", "guestbook-a", "n1", "10.0.1.2", "app", "guestbook"),
		gpod("default", "guestbook-b", "n2", "10.0.2.2", "app", "guestbook"),
		gpod("default", "redis-master", "n1", "10.0.1.3", "app", "redis", "role", "master"),
		gpod("default", "redis-slave-a", "n2", "10.0.2.3", "app", "redis", "role", "slave"),
		gpod("test", "guestbook-t", "n2", "10.0.2.4", "app", "guestbook"),
	} {
		c.UpsertPod(p)
	}
}

func acnp(name, tier string, priority float64, appliedTo []crdv1beta1.AppliedTo, ingress ...crdv1beta1.Rule) *crdv1beta1.ClusterNetworkPolicy {
	return &crdv1beta1.ClusterNetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID("uid-" + name), Generation: 1},
		Spec:       crdv1beta1.ClusterNetworkPolicySpec{Tier: tier, Priority: priority, AppliedTo: appliedTo, Ingress: ingress},
	}
}

func ruleFrom(action crdv1beta1.RuleAction, name string, from ...crdv1beta1.NetworkPolicyPeer) crdv1beta1.Rule {
	return crdv1beta1.Rule{Action: &action, Name: name, From: from}
}

func newTestCompiler() (*Compiler, *fakeSources, *fakeSink) {
	src, sink := newFakeSources(), newFakeSink()
	return NewCompiler(sink, src), src, sink
}

func TestClusterNetworkPolicy(t *testing.T) {
	c, src, sink := newTestCompiler()
	seedCluster(c)
	src.acnps["acnp1"] = acnp("acnp1", "securityops", 5, []crdv1beta1.AppliedTo{{PodSelector: sel("app", "redis")}},
		ruleFrom(crdv1beta1.RuleActionDrop, "DropFromGuestbook", crdv1beta1.NetworkPolicyPeer{PodSelector: sel("app", "guestbook")}))
	c.ClusterNetworkPolicyChanged("acnp1")
	c.Process()

	atg, ag := groupName(t, "", nil, sel("app", "redis")), groupName(t, "", nil, sel("app", "guestbook"))
	np := sink.policies["uid-acnp1"]
	if np == nil {
		t.Fatal("the policy was not published")
	}
	drop := controlplane.RuleActionDrop
	wantRules := []controlplane.NetworkPolicyRule{{Direction: controlplane.DirectionIn, Action: &drop, Name: "DropFromGuestbook",
		From: controlplane.NetworkPolicyPeer{AddressGroups: []string{ag}}}}
	if diff := cmp.Diff(wantRules, np.Rules); diff != "" {
		t.Fatalf("rules (-want +got):\n%s", diff)
	}
	if *np.TierPriority != 100 || *np.Priority != 5 || np.SourceRef.Name != "acnp1" || !cmp.Equal(np.AppliedToGroups, []string{atg}) {
		t.Fatalf("policy %+v", np)
	}
	if got := sets.List(sink.spans["uid-acnp1"]); !cmp.Equal(got, []string{"n1", "n2"}) {
		t.Fatalf("policy span %v", got)
	}
	if got := sink.appliedMembers(atg); !cmp.Equal(got, []string{"n1:default/redis-master", "n2:default/redis-slave-a"}) {
		t.Fatalf("AppliedToGroup members %v", got)
	}
	if got := sink.addressMembers(ag); !cmp.Equal(got, []string{"default/guestbook-a", "default/guestbook-b", "test/guestbook-t"}) {
		t.Fatalf("AddressGroup members %v", got)
	}
	if got := sets.List(sink.address[ag].Span); !cmp.Equal(got, []string{"n1", "n2"}) {
		t.Fatalf("AddressGroup span %v", got)
	}

	// A label change moves a Pod out of the AppliedToGroup and shrinks the span.
	c.UpsertPod(gpod("default", "redis-slave-a", "n2", "10.0.2.3", "app", "cache"))
	c.Process()
	if got := sets.List(sink.spans["uid-acnp1"]); !cmp.Equal(got, []string{"n1"}) {
		t.Fatalf("policy span after the label change %v", got)
	}
	if got := sets.List(sink.address[ag].Span); !cmp.Equal(got, []string{"n1"}) {
		t.Fatalf("AddressGroup span after the label change %v", got)
	}

	// Deleting the policy removes it and its groups.
	delete(src.acnps, "acnp1")
	c.ClusterNetworkPolicyChanged("acnp1")
	c.Process()
	checkNothingLeft(t, c, sink)
}

// checkNothingLeft fails unless a deleted policy left nothing published and
// nothing in the Compiler's state: no policy, group or selector user.
func checkNothingLeft(t *testing.T, c *Compiler, sink *fakeSink) {
	t.Helper()
	if len(sink.policies)+len(sink.address)+len(sink.applied) != 0 {
		t.Fatalf("left behind: %d policies, %d address groups, %d appliedTo groups", len(sink.policies), len(sink.address), len(sink.applied))
	}
	if len(c.groups.groups) != 0 || len(c.groups.selectorUsers) != 0 || len(c.policies) != 0 {
		t.Fatalf("internal state left behind: %d groups, %d selectors, %d policies",
			len(c.groups.groups), len(c.groups.selectorUsers), len(c.policies))
	}
}

func TestPolicyWaitsForItsTier(t *testing.T) {
	c, src, sink := newTestCompiler()
	seedCluster(c)
	src.acnps["p"] = acnp("p", "mytier", 1, []crdv1beta1.AppliedTo{{PodSelector: sel("app", "redis")}})
	c.ClusterNetworkPolicyChanged("p")
	c.Process()
	if len(sink.policies) != 0 {
		t.Fatal("a policy of a missing Tier was published")
	}
	if tier := c.waitingForTier[acnpKey("p")]; tier != "mytier" {
		t.Fatalf("waiting for Tier %q, want mytier", tier)
	}
	src.tiers["mytier"] = &crdv1beta1.Tier{Spec: crdv1beta1.TierSpec{Priority: 10}}
	c.TierChanged("mytier")
	c.Process()
	if np := sink.policies["uid-p"]; np == nil || *np.TierPriority != 10 {
		t.Fatalf("after the Tier appeared: %+v", np)
	}
	if len(c.waitingForTier) != 0 {
		t.Fatalf("still waiting once computed: %v", c.waitingForTier)
	}
}

func TestPolicyWaitingForTierDeletedIsForgotten(t *testing.T) {
	c, src, sink := newTestCompiler()
	seedCluster(c)
	src.acnps["p"] = acnp("p", "mytier", 1, []crdv1beta1.AppliedTo{{PodSelector: sel("app", "redis")}})
	c.ClusterNetworkPolicyChanged("p")
	c.Process()
	delete(src.acnps, "p")
	c.ClusterNetworkPolicyChanged("p")
	c.Process()
	if len(c.waitingForTier) != 0 || len(sink.policies) != 0 {
		t.Fatalf("a deleted policy is still waiting (%v) or published (%d)", c.waitingForTier, len(sink.policies))
	}
}

func TestK8sNetworkPolicy(t *testing.T) {
	c, src, sink := newTestCompiler()
	seedCluster(c)
	tcp := corev1.ProtocolTCP
	port := intOrString(6379)
	src.k8snps["default/np1"] = &networkingv1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "np1", Namespace: "default", UID: "uid-np1"},
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: *sel("app", "redis"),
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
			Ingress: []networkingv1.NetworkPolicyIngressRule{{
				From:  []networkingv1.NetworkPolicyPeer{{PodSelector: sel("app", "guestbook")}, {NamespaceSelector: sel("project", "test")}},
				Ports: []networkingv1.NetworkPolicyPort{{Protocol: &tcp, Port: &port}},
			}},
		},
	}
	c.K8sNetworkPolicyChanged("default", "np1")
	c.Process()
	np := sink.policies["uid-np1"]
	if np == nil || np.Priority != nil || np.TierPriority != nil || np.SourceRef.Type != controlplane.K8sNetworkPolicy {
		t.Fatalf("policy %+v", np)
	}
	sameNS, otherNS := groupName(t, "default", nil, sel("app", "guestbook")), groupName(t, "", sel("project", "test"), nil)
	proto := controlplane.ProtocolTCP
	want := []controlplane.NetworkPolicyRule{
		{Direction: controlplane.DirectionIn, From: controlplane.NetworkPolicyPeer{AddressGroups: []string{sameNS, otherNS}},
			Services: []controlplane.Service{{Protocol: &proto, Port: &port}}},
		{Direction: controlplane.DirectionOut}, // isolation only: Egress without rules
	}
	if diff := cmp.Diff(want, np.Rules); diff != "" {
		t.Fatalf("rules (-want +got):\n%s", diff)
	}
	if got := sink.addressMembers(sameNS); !cmp.Equal(got, []string{"default/guestbook-a", "default/guestbook-b"}) {
		t.Fatalf("same-namespace peers %v", got)
	}
	if got := sink.addressMembers(otherNS); !cmp.Equal(got, []string{"test/guestbook-t"}) {
		t.Fatalf("namespaceSelector peers %v", got)
	}
}

func TestClusterGroups(t *testing.T) {
	c, src, sink := newTestCompiler()
	seedCluster(c)
	src.services["default/redis-master"] = &corev1.Service{Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "redis", "role": "master"}}}
	src.groups["cg-redis-master"] = &crdv1beta1.ClusterGroup{ObjectMeta: metav1.ObjectMeta{Name: "cg-redis-master", UID: "cg1"},
		Spec: crdv1beta1.GroupSpec{ServiceReference: &crdv1beta1.NamespacedName{Name: "redis-master", Namespace: "default"}}}
	src.groups["cg-nested"] = &crdv1beta1.ClusterGroup{ObjectMeta: metav1.ObjectMeta{Name: "cg-nested", UID: "cg2"},
		Spec: crdv1beta1.GroupSpec{ChildGroups: []crdv1beta1.ClusterGroupReference{"cg-redis-master", "cg-ips"}}}
	src.groups["cg-ips"] = &crdv1beta1.ClusterGroup{ObjectMeta: metav1.ObjectMeta{Name: "cg-ips", UID: "cg3"},
		Spec: crdv1beta1.GroupSpec{IPBlocks: []crdv1beta1.IPBlock{{CIDR: "192.168.0.0/16"}}}}
	src.acnps["p"] = acnp("p", "securityops", 5, []crdv1beta1.AppliedTo{{Group: "cg-nested"}},
		ruleFrom(crdv1beta1.RuleActionAllow, "r", crdv1beta1.NetworkPolicyPeer{Group: "cg-nested"}))
	c.ClusterNetworkPolicyChanged("p")
	for name := range src.groups {
		c.ClusterGroupChanged(name)
	}
	c.Process()
	if got := sink.appliedMembers("cg-nested"); !cmp.Equal(got, []string{"n1:default/redis-master"}) {
		t.Fatalf("appliedTo from the nested group %v", got)
	}
	np := sink.policies["uid-p"]
	if np == nil || len(np.Rules[0].From.IPBlocks) != 1 || !cmp.Equal(np.Rules[0].From.AddressGroups, []string{"cg-nested"}) {
		t.Fatalf("peer of the nested group: %+v", np)
	}
	// The Service's selector changes: the members follow.
	src.services["default/redis-master"] = &corev1.Service{Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "guestbook"}}}
	c.ServiceChanged("default", "redis-master")
	c.Process()
	if got := sink.addressMembers("cg-nested"); !cmp.Equal(got, []string{"default/guestbook-a", "default/guestbook-b"}) {
		t.Fatalf("members after the Service changed %v", got)
	}
}

func TestNamespacesMatchSelf(t *testing.T) {
	c, src, sink := newTestCompiler()
	seedCluster(c)
	self := crdv1beta1.NetworkPolicyPeer{Namespaces: &crdv1beta1.PeerNamespaces{Match: crdv1beta1.NamespaceMatchSelf}}
	src.acnps["self"] = acnp("self", "application", 1, []crdv1beta1.AppliedTo{{PodSelector: sel("app", "guestbook")}},
		ruleFrom(crdv1beta1.RuleActionAllow, "same-ns", self))
	c.ClusterNetworkPolicyChanged("self")
	c.Process()
	np := sink.policies["uid-self"]
	if np == nil || len(np.AppliedToGroups) != 0 || len(np.Rules) != 2 {
		t.Fatalf("want one rule per namespace and no policy-level appliedTo: %+v", np)
	}
	for i, ns := range []string{"default", "test"} {
		r := np.Rules[i]
		wantATG := groupName(t, ns, nil, sel("app", "guestbook"))
		wantAG := groupName(t, ns, nil, &metav1.LabelSelector{})
		if !cmp.Equal(r.AppliedToGroups, []string{wantATG}) || !cmp.Equal(r.From.AddressGroups, []string{wantAG}) {
			t.Fatalf("rule %d for %s: %+v", i, ns, r)
		}
	}
	c.UpsertNamespace("new", labels.Set{})
	c.Process()
	if got := len(sink.policies["uid-self"].Rules); got != 3 {
		t.Fatalf("after a new namespace: %d rules, want 3", got)
	}
}

func TestMemberExclusions(t *testing.T) {
	c, src, sink := newTestCompiler()
	hostNet := gpod("default", "host", "n1", "10.0.0.9", "app", "x")
	hostNet.HostNetwork = true
	terminated := gpod("default", "done", "n1", "10.0.1.9", "app", "x")
	terminated.Terminated = true
	for _, p := range []*grouping.Pod{hostNet, terminated, gpod("default", "pending", "", "", "app", "x"),
		gpod("default", "no-ip", "n2", "", "app", "x"), gpod("default", "ok", "n1", "10.0.1.10", "app", "x")} {
		c.UpsertPod(p)
	}
	c.UpsertNamespace("default", labels.Set{})
	src.acnps["p"] = acnp("p", "", 1, []crdv1beta1.AppliedTo{{PodSelector: sel("app", "x")}},
		ruleFrom(crdv1beta1.RuleActionAllow, "r", crdv1beta1.NetworkPolicyPeer{PodSelector: sel("app", "x")}))
	c.ClusterNetworkPolicyChanged("p")
	c.Process()
	name := groupName(t, "", nil, sel("app", "x"))
	if got := sink.appliedMembers(name); !cmp.Equal(got, []string{"n1:default/ok", "n2:default/no-ip"}) {
		t.Fatalf("appliedTo members %v (unscheduled, host-network and terminated Pods are excluded)", got)
	}
	if got := sink.addressMembers(name); !cmp.Equal(got, []string{"default/ok"}) {
		t.Fatalf("address members %v (IP-less, host-network and terminated Pods are excluded)", got)
	}
}
