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
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/strata-net/strata/apis/controlplane"
	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
)

func annp(ns, name, tier string, priority float64, appliedTo []crdv1beta1.AppliedTo, ingress ...crdv1beta1.Rule) *crdv1beta1.NetworkPolicy {
	return &crdv1beta1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID("uid-" + ns + "-" + name), Generation: 1},
		Spec:       crdv1beta1.NetworkPolicySpec{Tier: tier, Priority: priority, AppliedTo: appliedTo, Ingress: ingress},
	}
}

// recordingSink is a fakeSink that also records the policies' issues.
type recordingSink struct {
	*fakeSink
	issues         map[string][]Issue
	waitingForTier map[string]bool
}

func (s *recordingSink) PolicyIssues(name string, _ controlplane.NetworkPolicyReference, _ int64, issues []Issue, waitingForTier bool) {
	s.issues[name], s.waitingForTier[name] = issues, waitingForTier
}

func (s *recordingSink) ForgetPolicy(name string) {
	delete(s.issues, name)
	delete(s.waitingForTier, name)
}

func newIssueCompiler() (*Compiler, *fakeSources, *recordingSink) {
	src := newFakeSources()
	sink := &recordingSink{fakeSink: newFakeSink(), issues: map[string][]Issue{}, waitingForTier: map[string]bool{}}
	return NewCompiler(sink, src), src, sink
}

// TestAntreaNetworkPolicy: an ANNP applies to its own Namespace only; a peer's
// podSelector alone selects its own Namespace; a Group (with childGroups) is of its
// Namespace; its source reference names the Namespace.
func TestAntreaNetworkPolicy(t *testing.T) {
	c, src, sink := newIssueCompiler()
	seedCluster(c)
	src.nsgroups["test/parent"] = &crdv1beta1.Group{ObjectMeta: metav1.ObjectMeta{Namespace: "test", Name: "parent", UID: "g1"},
		Spec: crdv1beta1.GroupSpec{ChildGroups: []crdv1beta1.ClusterGroupReference{"child"}}}
	src.nsgroups["test/child"] = &crdv1beta1.Group{ObjectMeta: metav1.ObjectMeta{Namespace: "test", Name: "child", UID: "g2"},
		Spec: crdv1beta1.GroupSpec{PodSelector: sel("app", "guestbook")}}
	c.GroupChanged("test", "parent")
	c.GroupChanged("test", "child")
	src.annps["test/p"] = annp("test", "p", "application", 3, []crdv1beta1.AppliedTo{{PodSelector: sel("app", "guestbook")}},
		ruleFrom(crdv1beta1.RuleActionAllow, "same-ns", crdv1beta1.NetworkPolicyPeer{PodSelector: sel("app", "guestbook")}),
		ruleFrom(crdv1beta1.RuleActionDrop, "group", crdv1beta1.NetworkPolicyPeer{Group: "parent"}),
		ruleFrom(crdv1beta1.RuleActionDrop, "all-ns", crdv1beta1.NetworkPolicyPeer{NamespaceSelector: &metav1.LabelSelector{},
			PodSelector: sel("app", "guestbook")}))
	c.AntreaNetworkPolicyChanged("test", "p")
	c.Process()

	np := sink.policies["uid-test-p"]
	if np == nil {
		t.Fatal("the ANNP was not published")
	}
	if np.SourceRef.Type != controlplane.AntreaNetworkPolicy || np.SourceRef.Namespace != "test" || *np.TierPriority != 250 {
		t.Fatalf("source %+v tier %d", np.SourceRef, *np.TierPriority)
	}
	if got := sink.appliedMembers(np.AppliedToGroups[0]); !cmp.Equal(got, []string{"n2:test/guestbook-t"}) {
		t.Fatalf("applied to %v, want the test Namespace's guestbook only", got)
	}
	wantPeers := [][]string{
		{"Pod:test/guestbook-t@10.0.2.4"},
		{"Pod:test/guestbook-t@10.0.2.4"},
		{"Pod:default/guestbook-a@10.0.1.2", "Pod:default/guestbook-b@10.0.2.2", "Pod:test/guestbook-t@10.0.2.4"},
	}
	for i, want := range wantPeers {
		if got := memberKeys(sink.fakeSink, np.Rules[i].From.AddressGroups[0]); !cmp.Equal(got, want) {
			t.Errorf("rule %s peers %v, want %v", np.Rules[i].Name, got, want)
		}
	}
	if np.Rules[1].From.AddressGroups[0] != "test:parent" {
		t.Errorf("the Group's AddressGroup is %q, want test:parent", np.Rules[1].From.AddressGroups[0])
	}
	if len(sink.issues["uid-test-p"]) != 0 {
		t.Fatalf("issues %v", sink.issues["uid-test-p"])
	}
}

// TestNodeSelectorMembers: a nodeSelector peer and a ClusterGroup's nodeSelector stand
// for the selected Nodes' addresses and the gateways of their Pod CIDRs, and follow
// the Nodes' labels.
func TestNodeSelectorMembers(t *testing.T) {
	c, src, sink := newIssueCompiler()
	seedCluster(c)
	c.UpsertNode("n1", labels.Set{"role": "a"}, []net.IP{net.ParseIP("192.168.0.1"), net.ParseIP("10.0.1.1")})
	c.UpsertNode("n2", labels.Set{"role": "b"}, []net.IP{net.ParseIP("192.168.0.2")})
	src.groups["nodes-b"] = &crdv1beta1.ClusterGroup{ObjectMeta: metav1.ObjectMeta{Name: "nodes-b", UID: "cg"},
		Spec: crdv1beta1.GroupSpec{NodeSelector: sel("role", "b")}}
	c.ClusterGroupChanged("nodes-b")
	p := acnp("p", "securityops", 1, []crdv1beta1.AppliedTo{{PodSelector: sel("app", "guestbook")}})
	drop := crdv1beta1.RuleActionDrop
	p.Spec.Egress = []crdv1beta1.Rule{
		{Action: &drop, Name: "to-a", To: []crdv1beta1.NetworkPolicyPeer{{NodeSelector: sel("role", "a")}}},
		{Action: &drop, Name: "to-b", To: []crdv1beta1.NetworkPolicyPeer{{Group: "nodes-b"}}},
	}
	src.acnps["p"] = p
	c.ClusterNetworkPolicyChanged("p")
	c.Process()
	np := sink.policies["uid-p"]
	peer := func(i int) []string { return memberKeys(sink.fakeSink, np.Rules[i].To.AddressGroups[0]) }
	if got := peer(0); !cmp.Equal(got, []string{"Node:n1@192.168.0.1,10.0.1.1"}) {
		t.Fatalf("nodeSelector peer %v", got)
	}
	if got := peer(1); !cmp.Equal(got, []string{"Node:n2@192.168.0.2"}) {
		t.Fatalf("ClusterGroup nodeSelector peer %v", got)
	}
	c.UpsertNode("n2", labels.Set{"role": "a"}, []net.IP{net.ParseIP("192.168.0.2")})
	c.Process()
	if got := peer(0); !cmp.Equal(got, []string{"Node:n1@192.168.0.1,10.0.1.1", "Node:n2@192.168.0.2"}) {
		t.Fatalf("after n2 was relabelled: nodeSelector peer %v", got)
	}
	if got := peer(1); len(got) != 0 {
		t.Fatalf("after n2 was relabelled: ClusterGroup peer %v, want none", got)
	}
	c.DeleteNode("n1")
	c.Process()
	if got := peer(0); !cmp.Equal(got, []string{"Node:n2@192.168.0.2"}) {
		t.Fatalf("after n1 was deleted: nodeSelector peer %v", got)
	}
	// A ClusterGroup of Nodes as an appliedTo: Node policies are not supported.
	src.acnps["q"] = acnp("q", "securityops", 1, []crdv1beta1.AppliedTo{{Group: "nodes-b"}},
		ruleFrom(crdv1beta1.RuleActionDrop, "r"))
	c.ClusterNetworkPolicyChanged("q")
	c.Process()
	if is := sink.issues["uid-q"]; len(is) != 1 || is[0].Reason != reasonUnsupportedField || !strings.Contains(is[0].Message, "Nodes") {
		t.Fatalf("issues of a policy applied to a ClusterGroup of Nodes: %v", is)
	}
}

func TestNodeAddresses(t *testing.T) {
	n := &corev1.Node{Spec: corev1.NodeSpec{PodCIDRs: []string{"10.0.1.0/24", "fd00:1::/64"}},
		Status: corev1.NodeStatus{Addresses: []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "192.168.0.1"},
			{Type: corev1.NodeHostName, Address: "n1"}, {Type: corev1.NodeExternalIP, Address: "192.168.0.1"}}}}
	var got []string
	for _, ip := range NodeAddresses(n) {
		got = append(got, ip.String())
	}
	if want := []string{"10.0.1.1", "192.168.0.1", "fd00:1::1"}; !cmp.Equal(got, want) {
		t.Fatalf("NodeAddresses = %v, want %v", got, want)
	}
}

// TestSameLabels: namespaces.sameLabels selects, for the workloads of each
// Namespace, the peers of the Namespaces with the same values of those keys; a
// Namespace without one of the keys gets no rule.
func TestSameLabels(t *testing.T) {
	c, src, sink := newIssueCompiler()
	c.UpsertNamespace("a1", labels.Set{"team": "a"})
	c.UpsertNamespace("a2", labels.Set{"team": "a"})
	c.UpsertNamespace("b1", labels.Set{"team": "b"})
	c.UpsertNamespace("none", labels.Set{})
	for _, p := range []struct{ ns, ip string }{{"a1", "10.0.0.1"}, {"a2", "10.0.0.2"}, {"b1", "10.0.0.3"}, {"none", "10.0.0.4"}} {
		c.UpsertPod(gpod(p.ns, "web", "n1", p.ip, "app", "web"))
	}
	src.acnps["p"] = acnp("p", "securityops", 1, []crdv1beta1.AppliedTo{{NamespaceSelector: &metav1.LabelSelector{}}},
		ruleFrom(crdv1beta1.RuleActionAllow, "same-team", crdv1beta1.NetworkPolicyPeer{
			Namespaces: &crdv1beta1.PeerNamespaces{SameLabels: []string{"team"}}}))
	c.ClusterNetworkPolicyChanged("p")
	c.Process()
	np := sink.policies["uid-p"]
	got := map[string][]string{}
	for _, r := range np.Rules {
		applied := sink.appliedMembers(r.AppliedToGroups[0])
		for i, a := range applied {
			applied[i] = "Pod:" + strings.TrimPrefix(a, "n1:")
		}
		for _, a := range applied {
			got[a] = memberKeys(sink.fakeSink, r.From.AddressGroups[0])
		}
	}
	want := map[string][]string{
		"Pod:a1/web": {"Pod:a1/web@10.0.0.1", "Pod:a2/web@10.0.0.2"},
		"Pod:a2/web": {"Pod:a1/web@10.0.0.1", "Pod:a2/web@10.0.0.2"},
		"Pod:b1/web": {"Pod:b1/web@10.0.0.3"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("peers by applied-to Pod (-want +got):\n%s", diff)
	}
	c.UpsertNamespace("none", labels.Set{"team": "b"})
	c.Process()
	np = sink.policies["uid-p"]
	if len(np.Rules) != 4 {
		t.Fatalf("after a Namespace took the key: %d rules, want 4 (one per Namespace with the key)", len(np.Rules))
	}
}

// TestExactRule: what of a rule written by an older version is installed when it
// carries a field this version does not enforce.
func TestExactRule(t *testing.T) {
	allow, drop, reject, pass := crdv1beta1.RuleActionAllow, crdv1beta1.RuleActionDrop, crdv1beta1.RuleActionReject, crdv1beta1.RuleActionPass
	pods := crdv1beta1.NetworkPolicyPeer{PodSelector: sel("app", "web")}
	vms := crdv1beta1.NetworkPolicyPeer{ExternalEntitySelector: sel("vm", "db")}
	tcp := crdv1beta1.ProtocolTCP
	port80 := crdv1beta1.NetworkPolicyPort{Protocol: &tcp}
	sctp, p9000 := crdv1beta1.ProtocolSCTP, intstr.FromInt32(9000)
	sctp9000 := crdv1beta1.NetworkPolicyPort{Protocol: &sctp, Port: &p9000}
	igmp := crdv1beta1.NetworkPolicyProtocol{IGMP: &crdv1beta1.IGMPProtocol{}}
	icmp := crdv1beta1.NetworkPolicyProtocol{ICMP: &crdv1beta1.ICMPProtocol{}}
	l7 := []crdv1beta1.L7Protocol{{HTTP: &crdv1beta1.HTTPProtocol{Method: "GET"}}}
	svcA := crdv1beta1.PeerService{Name: "a", Namespace: "d"}
	svcSet := crdv1beta1.PeerService{Name: "b", Namespace: "d", Scope: crdv1beta1.ScopeClusterSet}
	cases := []struct {
		name        string
		rule        crdv1beta1.Rule
		specRefused bool
		ingress     bool
		want        *crdv1beta1.Rule // nil: nothing installed
	}{
		{name: "exact rule unchanged", rule: crdv1beta1.Rule{Action: &allow, To: []crdv1beta1.NetworkPolicyPeer{pods}},
			want: &crdv1beta1.Rule{Action: &allow, To: []crdv1beta1.NetworkPolicyPeer{pods}}},
		{name: "allow with l7Protocols: nothing", rule: crdv1beta1.Rule{Action: &allow, Ports: []crdv1beta1.NetworkPolicyPort{port80}, L7Protocols: l7}},
		{name: "allow with an externalEntitySelector peer: nothing", rule: crdv1beta1.Rule{Action: &allow, To: []crdv1beta1.NetworkPolicyPeer{pods, vms}}},
		{name: "pass with an externalEntitySelector peer: nothing", rule: crdv1beta1.Rule{Action: &pass, To: []crdv1beta1.NetworkPolicyPeer{pods, vms}}},
		{name: "allow under a refused spec appliedTo: nothing", rule: crdv1beta1.Rule{Action: &allow}, specRefused: true},
		{name: "drop keeps its exact peers", rule: crdv1beta1.Rule{Action: &drop, To: []crdv1beta1.NetworkPolicyPeer{pods, vms}},
			want: &crdv1beta1.Rule{Action: &drop, To: []crdv1beta1.NetworkPolicyPeer{pods}}},
		{name: "drop of externalEntitySelector only: nothing (not every address)", rule: crdv1beta1.Rule{Action: &drop, To: []crdv1beta1.NetworkPolicyPeer{vms}}},
		{name: "reject keeps ICMP, drops IGMP", rule: crdv1beta1.Rule{Action: &reject, Protocols: []crdv1beta1.NetworkPolicyProtocol{igmp, icmp}},
			want: &crdv1beta1.Rule{Action: &reject, Protocols: []crdv1beta1.NetworkPolicyProtocol{icmp}}},
		{name: "drop of IGMP only: nothing (not every protocol)", rule: crdv1beta1.Rule{Action: &drop, Protocols: []crdv1beta1.NetworkPolicyProtocol{igmp}}},
		{name: "allow with an SCTP port: nothing", rule: crdv1beta1.Rule{Action: &allow, To: []crdv1beta1.NetworkPolicyPeer{pods},
			Ports: []crdv1beta1.NetworkPolicyPort{port80, sctp9000}}},
		{name: "pass of SCTP only: nothing", rule: crdv1beta1.Rule{Action: &pass, Ports: []crdv1beta1.NetworkPolicyPort{sctp9000}}},
		{name: "drop keeps its TCP port, drops the SCTP one", rule: crdv1beta1.Rule{Action: &drop, To: []crdv1beta1.NetworkPolicyPeer{pods},
			Ports: []crdv1beta1.NetworkPolicyPort{sctp9000, port80}},
			want: &crdv1beta1.Rule{Action: &drop, To: []crdv1beta1.NetworkPolicyPeer{pods}, Ports: []crdv1beta1.NetworkPolicyPort{port80}}},
		{name: "reject keeps ICMP, drops its SCTP port", rule: crdv1beta1.Rule{Action: &reject,
			Ports: []crdv1beta1.NetworkPolicyPort{sctp9000}, Protocols: []crdv1beta1.NetworkPolicyProtocol{icmp}},
			want: &crdv1beta1.Rule{Action: &reject, Protocols: []crdv1beta1.NetworkPolicyProtocol{icmp}}},
		{name: "drop of an SCTP port only: nothing (not every port and protocol)", rule: crdv1beta1.Rule{Action: &drop,
			To: []crdv1beta1.NetworkPolicyPeer{pods}, Ports: []crdv1beta1.NetworkPolicyPort{sctp9000}}},
		{name: "drop of SCTP and IGMP only: nothing", rule: crdv1beta1.Rule{Action: &drop,
			Ports: []crdv1beta1.NetworkPolicyPort{sctp9000}, Protocols: []crdv1beta1.NetworkPolicyProtocol{igmp}}},
		{name: "drop of an SCTP port only, with an externalEntitySelector peer: nothing", rule: crdv1beta1.Rule{Action: &drop,
			To: []crdv1beta1.NetworkPolicyPeer{pods, vms}, Ports: []crdv1beta1.NetworkPolicyPort{sctp9000}}},
		{name: "ingress drop with toServices: nothing", ingress: true,
			rule: crdv1beta1.Rule{Action: &drop, ToServices: []crdv1beta1.PeerService{{Name: "s"}}}},
		{name: "egress allow with toServices unchanged", rule: crdv1beta1.Rule{Action: &allow, ToServices: []crdv1beta1.PeerService{svcA}},
			want: &crdv1beta1.Rule{Action: &allow, ToServices: []crdv1beta1.PeerService{svcA}}},
		{name: "egress allow with a ClusterSet toServices entry: nothing",
			rule: crdv1beta1.Rule{Action: &allow, ToServices: []crdv1beta1.PeerService{svcA, svcSet}}},
		{name: "egress drop keeps its Cluster toServices, drops the ClusterSet one",
			rule: crdv1beta1.Rule{Action: &drop, ToServices: []crdv1beta1.PeerService{svcSet, svcA}},
			want: &crdv1beta1.Rule{Action: &drop, ToServices: []crdv1beta1.PeerService{svcA}}},
		{name: "egress drop of ClusterSet toServices only: nothing (not every address)",
			rule: crdv1beta1.Rule{Action: &drop, ToServices: []crdv1beta1.PeerService{svcSet}}},
		{name: "drop applied to a Service only: nothing", rule: crdv1beta1.Rule{Action: &drop,
			AppliedTo: []crdv1beta1.AppliedTo{{Service: &crdv1beta1.NamespacedName{Name: "s", Namespace: "d"}}}}},
		{name: "drop under a refused spec appliedTo: kept (applies to the exact entries)", rule: crdv1beta1.Rule{Action: &drop},
			specRefused: true, want: &crdv1beta1.Rule{Action: &drop}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := exactRule(&tc.rule, tc.specRefused, tc.ingress)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Fatalf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestIssues: a missing Tier holds the policy (nothing computed); a missing Group
// and a refused field stored by an older version are issues of a computed policy.
func TestIssues(t *testing.T) {
	c, src, sink := newIssueCompiler()
	seedCluster(c)
	src.acnps["held"] = acnp("held", "mytier", 1, []crdv1beta1.AppliedTo{{PodSelector: sel("app", "web")}})
	src.acnps["nogroup"] = acnp("nogroup", "securityops", 1, []crdv1beta1.AppliedTo{{PodSelector: sel("app", "web")}},
		ruleFrom(crdv1beta1.RuleActionDrop, "r", crdv1beta1.NetworkPolicyPeer{Group: "missing"}))
	old := acnp("old", "securityops", 1, []crdv1beta1.AppliedTo{{PodSelector: sel("app", "web")}},
		ruleFrom(crdv1beta1.RuleActionAllow, "r", crdv1beta1.NetworkPolicyPeer{ExternalEntitySelector: sel("vm", "db")}))
	src.acnps["old"] = old
	for _, n := range []string{"held", "nogroup", "old"} {
		c.ClusterNetworkPolicyChanged(n)
	}
	c.Process()
	check := func(name, reason, contains string, waiting bool) {
		t.Helper()
		is := sink.issues[name]
		if len(is) == 0 || is[0].Reason != reason || !strings.Contains(is[0].Message, contains) || sink.waitingForTier[name] != waiting {
			t.Fatalf("issues of %s: %+v (waiting for its Tier %v), want %s naming %q (waiting %v)", name, is, sink.waitingForTier[name], reason, contains, waiting)
		}
	}
	check("uid-held", reasonTierNotFound, "mytier", true)
	check("uid-nogroup", reasonGroupNotFound, `ClusterGroup "missing"`, false)
	check("uid-old", reasonUnsupportedField, "spec.ingress[0].from[0].externalEntitySelector", false)
	if np := sink.policies["uid-old"]; len(np.Rules) != 0 {
		t.Fatalf("the Allow with an externalEntitySelector peer was compiled: %+v", np.Rules)
	}
	src.groups["missing"] = &crdv1beta1.ClusterGroup{ObjectMeta: metav1.ObjectMeta{Name: "missing", UID: "cg"},
		Spec: crdv1beta1.GroupSpec{PodSelector: sel("app", "guestbook")}}
	c.ClusterGroupChanged("missing")
	src.tiers["mytier"] = &crdv1beta1.Tier{Spec: crdv1beta1.TierSpec{Priority: 10}}
	c.TierChanged("mytier")
	c.Process()
	if is := sink.issues["uid-nogroup"]; len(is) != 0 {
		t.Fatalf("issues once the group exists: %v", is)
	}
	if is, waiting := sink.issues["uid-held"], sink.waitingForTier["uid-held"]; len(is) != 0 || waiting {
		t.Fatalf("issues once the Tier exists: %v (waiting %v)", is, waiting)
	}
	if sets.New(keys(sink.policies)...).Has("uid-held") == false {
		t.Fatal("the policy was not published once its Tier appeared")
	}
}

// memberKeys returns the keys (computed.MemberKey) of an AddressGroup's members.
func memberKeys(s *fakeSink, name string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	if g := s.address[name]; g != nil {
		for k := range g.Members {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestANNPAppliedToGroupBeyondNamespace: a Group that selects Pods of other
// Namespaces is not the appliedTo of an ANNP (which applies to its own Namespace
// only): it selects nothing there and the policy says why; once the Group keeps
// to its Namespace, the ANNP applies to its Pods.
func TestANNPAppliedToGroupBeyondNamespace(t *testing.T) {
	c, src, sink := newIssueCompiler()
	seedCluster(c)
	src.nsgroups["test/all-guestbooks"] = &crdv1beta1.Group{ObjectMeta: metav1.ObjectMeta{Namespace: "test", Name: "all-guestbooks", UID: "g"},
		Spec: crdv1beta1.GroupSpec{NamespaceSelector: &metav1.LabelSelector{}, PodSelector: sel("app", "guestbook")}}
	c.GroupChanged("test", "all-guestbooks")
	src.annps["test/p"] = annp("test", "p", "application", 3, []crdv1beta1.AppliedTo{{Group: "all-guestbooks"}},
		ruleFrom(crdv1beta1.RuleActionDrop, "r"))
	c.AntreaNetworkPolicyChanged("test", "p")
	c.Process()
	if np := sink.policies["uid-test-p"]; np != nil && len(np.AppliedToGroups) != 0 {
		t.Fatalf("the ANNP applies to a Group beyond its Namespace: %v", np.AppliedToGroups)
	}
	if is := sink.issues["uid-test-p"]; len(is) != 1 || is[0].Reason != reasonGroupBeyondNamespace {
		t.Fatalf("issues %+v, want %s", is, reasonGroupBeyondNamespace)
	}
	src.nsgroups["test/all-guestbooks"].Spec.NamespaceSelector = nil
	c.GroupChanged("test", "all-guestbooks")
	c.Process()
	np := sink.policies["uid-test-p"]
	if got := sink.appliedMembers(np.AppliedToGroups[0]); !cmp.Equal(got, []string{"n2:test/guestbook-t"}) {
		t.Fatalf("once the Group keeps to its Namespace: applied to %v", got)
	}
	if is := sink.issues["uid-test-p"]; len(is) != 0 {
		t.Fatalf("issues %+v, want none", is)
	}
}
