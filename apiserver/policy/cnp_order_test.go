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

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	npav1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"

	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
)

// The seed cluster's Pods the verdicts are about.
var (
	guestbookA  = endpoint{pod: "default/guestbook-a", ip: net.ParseIP("10.0.1.2")}
	redisMaster = endpoint{pod: "default/redis-master", ip: net.ParseIP("10.0.1.3")}
	nodeN1      = endpoint{ip: net.ParseIP("192.168.0.1")}
	outside     = endpoint{ip: net.ParseIP("10.9.0.7")}
)

// redisIngressCNP is a CNP of tier and priority whose one ingress rule applies
// action to what app=redis receives from every Pod.
func redisIngressCNP(name string, tier npav1beta1.Tier, priority int32, actions ...npav1beta1.ClusterNetworkPolicyRuleAction) *npav1beta1.ClusterNetworkPolicy {
	var rules []npav1beta1.ClusterNetworkPolicyIngressRule
	for _, a := range actions {
		rules = append(rules, cnpIngress(a, string(a), npav1beta1.ClusterNetworkPolicyIngressPeer{Namespaces: &metav1.LabelSelector{}}))
	}
	return upstreamCNP(name, tier, priority, podsSubject(&metav1.LabelSelector{}, sel("app", "redis")), rules, nil)
}

// guestbookEgressCNP is an Admin CNP whose one egress rule applies action to what
// app=guestbook sends to peer.
func guestbookEgressCNP(name string, action npav1beta1.ClusterNetworkPolicyRuleAction, peer npav1beta1.ClusterNetworkPolicyEgressPeer) *npav1beta1.ClusterNetworkPolicy {
	return upstreamCNP(name, npav1beta1.AdminTier, 1, podsSubject(&metav1.LabelSelector{}, sel("app", "guestbook")), nil,
		[]npav1beta1.ClusterNetworkPolicyEgressRule{cnpEgress(action, string(action), peer)})
}

// redisACNP is an ACNP of tier whose one ingress rule applies action to what
// app=redis receives from every Pod.
func redisACNP(name, tier string, action crdv1beta1.RuleAction) *crdv1beta1.ClusterNetworkPolicy {
	return acnp(name, tier, 1, []crdv1beta1.AppliedTo{{PodSelector: sel("app", "redis")}},
		ruleFrom(action, "r", crdv1beta1.NetworkPolicyPeer{NamespaceSelector: &metav1.LabelSelector{}}))
}

// redisNP is a K8s NetworkPolicy isolating app=redis of default for ingress,
// allowing from the Pods of from.
func redisNP(name string, from *metav1.LabelSelector) *networkingv1.NetworkPolicy {
	return &networkingv1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default", UID: types.UID("uid-np-" + name)},
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: *sel("app", "redis"),
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
			Ingress:     []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{{PodSelector: from}}}},
		},
	}
}

// TestUpstreamCNPOrdering checks verdicts of CNPs together with Antrea's Tiers and
// Kubernetes NetworkPolicies: Admin after the application Tier and before K8s
// NetworkPolicy, Baseline after K8s NetworkPolicy and the baseline Tier; Pass to
// K8s NetworkPolicy, then Baseline.
func TestUpstreamCNPOrdering(t *testing.T) {
	allowFromGuestbook, allowFromNothing := redisNP("gb", sel("app", "guestbook")), redisNP("none", sel("app", "nothing"))
	tests := []struct {
		name     string
		cnps     []*npav1beta1.ClusterNetworkPolicy
		acnps    []*crdv1beta1.ClusterNetworkPolicy
		nps      []*networkingv1.NetworkPolicy
		src, dst endpoint
		want     verdict
	}{
		{name: "Admin Deny over a K8s NetworkPolicy allow", cnps: []*npav1beta1.ClusterNetworkPolicy{redisIngressCNP("d", npav1beta1.AdminTier, 1, cnpDeny)},
			nps: []*networkingv1.NetworkPolicy{allowFromGuestbook}, want: denied},
		{name: "Admin Accept over a K8s NetworkPolicy isolation", cnps: []*npav1beta1.ClusterNetworkPolicy{redisIngressCNP("a", npav1beta1.AdminTier, 1, cnpAccept)},
			nps: []*networkingv1.NetworkPolicy{allowFromNothing}, want: allowed},
		{name: "application Tier ACNP before Admin", cnps: []*npav1beta1.ClusterNetworkPolicy{redisIngressCNP("d", npav1beta1.AdminTier, 0, cnpDeny)},
			acnps: []*crdv1beta1.ClusterNetworkPolicy{redisACNP("app", "application", crdv1beta1.RuleActionAllow)}, want: allowed},
		{name: "Admin before the baseline Tier ACNP", cnps: []*npav1beta1.ClusterNetworkPolicy{redisIngressCNP("d", npav1beta1.AdminTier, 1000, cnpDeny)},
			acnps: []*crdv1beta1.ClusterNetworkPolicy{redisACNP("base", "baseline", crdv1beta1.RuleActionAllow)}, want: denied},
		{name: "Admin priority: lower first", cnps: []*npav1beta1.ClusterNetworkPolicy{
			redisIngressCNP("d", npav1beta1.AdminTier, 10, cnpDeny), redisIngressCNP("a", npav1beta1.AdminTier, 5, cnpAccept)}, want: allowed},
		{name: "rule order: Accept then Deny", cnps: []*npav1beta1.ClusterNetworkPolicy{redisIngressCNP("ad", npav1beta1.AdminTier, 1, cnpAccept, cnpDeny)},
			want: allowed},
		{name: "rule order: Deny then Accept", cnps: []*npav1beta1.ClusterNetworkPolicy{redisIngressCNP("da", npav1beta1.AdminTier, 1, cnpDeny, cnpAccept)},
			want: denied},
		{name: "Admin Pass skips the Admin Deny after it, K8s NetworkPolicy allows", cnps: []*npav1beta1.ClusterNetworkPolicy{
			redisIngressCNP("p", npav1beta1.AdminTier, 1, cnpPass), redisIngressCNP("d", npav1beta1.AdminTier, 2, cnpDeny)},
			nps: []*networkingv1.NetworkPolicy{allowFromGuestbook}, want: allowed},
		{name: "Admin Pass, K8s NetworkPolicy isolates", cnps: []*npav1beta1.ClusterNetworkPolicy{
			redisIngressCNP("p", npav1beta1.AdminTier, 1, cnpPass), redisIngressCNP("a", npav1beta1.AdminTier, 2, cnpAccept)},
			nps: []*networkingv1.NetworkPolicy{allowFromNothing}, want: denied},
		{name: "Admin Pass, no K8s NetworkPolicy, Baseline Deny", cnps: []*npav1beta1.ClusterNetworkPolicy{
			redisIngressCNP("p", npav1beta1.AdminTier, 1, cnpPass), redisIngressCNP("b", npav1beta1.BaselineTier, 1, cnpDeny)}, want: denied},
		{name: "Baseline Deny, no K8s NetworkPolicy", cnps: []*npav1beta1.ClusterNetworkPolicy{redisIngressCNP("b", npav1beta1.BaselineTier, 1, cnpDeny)},
			want: denied},
		{name: "Baseline Deny under a K8s NetworkPolicy allow", cnps: []*npav1beta1.ClusterNetworkPolicy{redisIngressCNP("b", npav1beta1.BaselineTier, 1, cnpDeny)},
			nps: []*networkingv1.NetworkPolicy{allowFromGuestbook}, want: allowed},
		{name: "Baseline Accept under a K8s NetworkPolicy isolation", cnps: []*npav1beta1.ClusterNetworkPolicy{redisIngressCNP("b", npav1beta1.BaselineTier, 1, cnpAccept)},
			nps: []*networkingv1.NetworkPolicy{allowFromNothing}, want: denied},
		{name: "the baseline Tier ACNP before Baseline", cnps: []*npav1beta1.ClusterNetworkPolicy{redisIngressCNP("b", npav1beta1.BaselineTier, 0, cnpDeny)},
			acnps: []*crdv1beta1.ClusterNetworkPolicy{redisACNP("base", "baseline", crdv1beta1.RuleActionAllow)}, want: allowed},
		{name: "Baseline Pass goes on to the default allow", cnps: []*npav1beta1.ClusterNetworkPolicy{
			redisIngressCNP("p", npav1beta1.BaselineTier, 1, cnpPass), redisIngressCNP("b", npav1beta1.BaselineTier, 2, cnpDeny)}, want: allowed},
		{name: "egress Deny to networks", src: guestbookA, dst: outside, cnps: []*npav1beta1.ClusterNetworkPolicy{
			guestbookEgressCNP("n", cnpDeny, npav1beta1.ClusterNetworkPolicyEgressPeer{Networks: []npav1beta1.CIDR{"10.9.0.0/16"}})}, want: denied},
		{name: "egress Deny to other networks", src: guestbookA, dst: outside, cnps: []*npav1beta1.ClusterNetworkPolicy{
			guestbookEgressCNP("n", cnpDeny, npav1beta1.ClusterNetworkPolicyEgressPeer{Networks: []npav1beta1.CIDR{"10.8.0.0/16"}})}, want: allowed},
		{name: "egress Deny to nodes", src: guestbookA, dst: nodeN1, cnps: []*npav1beta1.ClusterNetworkPolicy{
			guestbookEgressCNP("n", cnpDeny, npav1beta1.ClusterNetworkPolicyEgressPeer{Nodes: sel("zone", "a")})}, want: denied},
		{name: "egress Deny to other nodes", src: guestbookA, dst: nodeN1, cnps: []*npav1beta1.ClusterNetworkPolicy{
			guestbookEgressCNP("n", cnpDeny, npav1beta1.ClusterNetworkPolicyEgressPeer{Nodes: sel("zone", "b")})}, want: allowed},
		{name: "egress Pass with an empty peer denies all", src: guestbookA, dst: outside, cnps: []*npav1beta1.ClusterNetworkPolicy{
			guestbookEgressCNP("n", cnpPass, npav1beta1.ClusterNetworkPolicyEgressPeer{})}, want: denied},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, src, sink := newTestCompiler()
			seedCluster(c)
			c.UpsertNode("n1", labels.Set{"zone": "a"}, []net.IP{net.ParseIP("192.168.0.1")})
			for _, p := range tc.cnps {
				src.cnps[p.Name] = p
				c.UpstreamClusterNetworkPolicyChanged(p.Name)
			}
			for _, p := range tc.acnps {
				src.acnps[p.Name] = p
				c.ClusterNetworkPolicyChanged(p.Name)
			}
			for _, p := range tc.nps {
				src.k8snps[p.Namespace+"/"+p.Name] = p
				c.K8sNetworkPolicyChanged(p.Namespace, p.Name)
			}
			c.Process()
			from, to := tc.src, tc.dst
			if from.ip == nil {
				from, to = guestbookA, redisMaster
			}
			if got := sink.connVerdict(from, to, 6379); got != tc.want {
				t.Fatalf("%s → %s: %s, want %s", from.ip, to.ip, got, tc.want)
			}
		})
	}
}

// TestUpstreamCNPUpdateAndDelete: an update compiles the policy again, a delete
// removes it and the groups only it used.
func TestUpstreamCNPUpdateAndDelete(t *testing.T) {
	c, src, sink := newTestCompiler()
	seedCluster(c)
	src.cnps["d"] = redisIngressCNP("d", npav1beta1.AdminTier, 1, cnpDeny)
	c.UpstreamClusterNetworkPolicyChanged("d")
	c.Process()
	if got := sink.connVerdict(guestbookA, redisMaster, 6379); got != denied {
		t.Fatalf("after the create: %s, want denied", got)
	}

	updated := redisIngressCNP("d", npav1beta1.AdminTier, 1, cnpAccept)
	updated.Generation = 2
	src.cnps["d"] = updated
	c.UpstreamClusterNetworkPolicyChanged("d")
	c.Process()
	if got := sink.connVerdict(guestbookA, redisMaster, 6379); got != allowed {
		t.Fatalf("after the update to Accept: %s, want allowed", got)
	}
	if np := sink.policies["cnp-d"]; np == nil || np.Generation != 2 {
		t.Fatalf("published after the update: %+v", np)
	}

	delete(src.cnps, "d")
	c.UpstreamClusterNetworkPolicyChanged("d")
	c.Process()
	checkNothingLeft(t, c, sink)
}

// TestUpstreamCNPKeyDistinctFromACNP: an ACNP and an upstream CNP of the same name
// are two policies.
func TestUpstreamCNPKeyDistinctFromACNP(t *testing.T) {
	c, src, sink := newTestCompiler()
	seedCluster(c)
	src.cnps["same"] = redisIngressCNP("same", npav1beta1.AdminTier, 1, cnpDeny)
	src.acnps["same"] = redisACNP("same", "application", crdv1beta1.RuleActionAllow)
	c.UpstreamClusterNetworkPolicyChanged("same")
	c.ClusterNetworkPolicyChanged("same")
	c.Process()
	if sink.policyCount() != 2 {
		t.Fatalf("%d policies published, want 2", sink.policyCount())
	}
	delete(src.cnps, "same")
	c.UpstreamClusterNetworkPolicyChanged("same")
	c.Process()
	if sink.policies["uid-same"] == nil || sink.policies["cnp-same"] != nil {
		t.Fatalf("after deleting the CNP: ACNP %v, CNP %v; want only the ACNP", sink.policies["uid-same"] != nil, sink.policies["cnp-same"] != nil)
	}
}
