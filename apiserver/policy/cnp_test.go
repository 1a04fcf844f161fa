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
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	npav1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"

	"github.com/strata-net/strata/apis/controlplane"
)

// upstreamCNP is an upstream ClusterNetworkPolicy with a subject and rules.
func upstreamCNP(name string, tier npav1beta1.Tier, priority int32, subject npav1beta1.ClusterNetworkPolicySubject,
	ingress []npav1beta1.ClusterNetworkPolicyIngressRule, egress []npav1beta1.ClusterNetworkPolicyEgressRule) *npav1beta1.ClusterNetworkPolicy {
	return &npav1beta1.ClusterNetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID("cnp-" + name), Generation: 1},
		Spec: npav1beta1.ClusterNetworkPolicySpec{Tier: tier, Priority: priority, Subject: subject,
			Ingress: ingress, Egress: egress},
	}
}

func podsSubject(nsSel, podSel *metav1.LabelSelector) npav1beta1.ClusterNetworkPolicySubject {
	return npav1beta1.ClusterNetworkPolicySubject{Pods: &npav1beta1.NamespacedPod{NamespaceSelector: *nsSel, PodSelector: *podSel}}
}

func cnpIngress(action npav1beta1.ClusterNetworkPolicyRuleAction, name string,
	from ...npav1beta1.ClusterNetworkPolicyIngressPeer) npav1beta1.ClusterNetworkPolicyIngressRule {
	return npav1beta1.ClusterNetworkPolicyIngressRule{Name: name, Action: action, From: from}
}

func cnpEgress(action npav1beta1.ClusterNetworkPolicyRuleAction, name string,
	to ...npav1beta1.ClusterNetworkPolicyEgressPeer) npav1beta1.ClusterNetworkPolicyEgressRule {
	return npav1beta1.ClusterNetworkPolicyEgressRule{Name: name, Action: action, To: to}
}

func tcpPort(n int32) npav1beta1.ClusterNetworkPolicyProtocol {
	return npav1beta1.ClusterNetworkPolicyProtocol{TCP: &npav1beta1.ClusterNetworkPolicyProtocolTCP{
		DestinationPort: &npav1beta1.Port{Number: n}}}
}

const (
	cnpAccept = npav1beta1.ClusterNetworkPolicyRuleActionAccept
	cnpDeny   = npav1beta1.ClusterNetworkPolicyRuleActionDeny
	cnpPass   = npav1beta1.ClusterNetworkPolicyRuleActionPass
)

func ruleAction(a controlplane.RuleAction) *controlplane.RuleAction { return &a }

func protoPtr(p controlplane.Protocol) *controlplane.Protocol { return &p }

func intstrPtr(v intstr.IntOrString) *intstr.IntOrString { return &v }

// publishCNP stores cnp, compiles it and returns what was published of it.
func publishCNP(t *testing.T, cnp *npav1beta1.ClusterNetworkPolicy) (*Compiler, *controlplane.NetworkPolicy) {
	t.Helper()
	c, src, sink := newTestCompiler()
	seedCluster(c)
	c.UpsertNode("n1", labels.Set{"zone": "a"}, []net.IP{net.ParseIP("192.168.0.1")})
	src.cnps[cnp.Name] = cnp
	c.UpstreamClusterNetworkPolicyChanged(cnp.Name)
	c.Process()
	np := sink.policies[string(cnp.UID)]
	if np == nil {
		t.Fatal("the ClusterNetworkPolicy was not published")
	}
	return c, np
}

func TestUpstreamCNPCompile(t *testing.T) {
	redis, guestbook := sel("app", "redis"), sel("app", "guestbook")
	all := &metav1.LabelSelector{}
	redisSubject := podsSubject(all, redis)
	prodNS := sel("project", "prod")
	tests := []struct {
		name          string
		cnp           *npav1beta1.ClusterNetworkPolicy
		wantTier      int32
		wantAppliedTo func(t *testing.T) []string
		wantRules     func(t *testing.T) []controlplane.NetworkPolicyRule
	}{{
		name: "admin tier, pods subject, namespaces and pods peers, Accept Deny Pass in order",
		cnp: upstreamCNP("a", npav1beta1.AdminTier, 7, redisSubject, []npav1beta1.ClusterNetworkPolicyIngressRule{
			cnpIngress(cnpAccept, "ok", npav1beta1.ClusterNetworkPolicyIngressPeer{Namespaces: prodNS}),
			cnpIngress(cnpDeny, "no", npav1beta1.ClusterNetworkPolicyIngressPeer{Pods: &npav1beta1.NamespacedPod{
				NamespaceSelector: *all, PodSelector: *guestbook}}),
			cnpIngress(cnpPass, "later", npav1beta1.ClusterNetworkPolicyIngressPeer{Namespaces: all}),
		}, nil),
		wantTier:      251,
		wantAppliedTo: func(t *testing.T) []string { return []string{groupName(t, "", all, redis)} },
		wantRules: func(t *testing.T) []controlplane.NetworkPolicyRule {
			return []controlplane.NetworkPolicyRule{
				{Direction: controlplane.DirectionIn, Name: "ok", Priority: 0, Action: ruleAction(controlplane.RuleActionAllow),
					From: controlplane.NetworkPolicyPeer{AddressGroups: []string{groupName(t, "", prodNS, nil)}}},
				{Direction: controlplane.DirectionIn, Name: "no", Priority: 1, Action: ruleAction(controlplane.RuleActionDrop),
					From: controlplane.NetworkPolicyPeer{AddressGroups: []string{groupName(t, "", all, guestbook)}}},
				{Direction: controlplane.DirectionIn, Name: "later", Priority: 2, Action: ruleAction(controlplane.RuleActionPass),
					From: controlplane.NetworkPolicyPeer{AddressGroups: []string{groupName(t, "", all, nil)}}},
			}
		},
	}, {
		name: "baseline tier, namespaces subject, Pass is Allow",
		cnp: upstreamCNP("b", npav1beta1.BaselineTier, 3, npav1beta1.ClusterNetworkPolicySubject{Namespaces: prodNS}, nil,
			[]npav1beta1.ClusterNetworkPolicyEgressRule{cnpEgress(cnpPass, "p", npav1beta1.ClusterNetworkPolicyEgressPeer{Namespaces: all})}),
		wantTier:      254,
		wantAppliedTo: func(t *testing.T) []string { return []string{groupName(t, "", prodNS, nil)} },
		wantRules: func(t *testing.T) []controlplane.NetworkPolicyRule {
			return []controlplane.NetworkPolicyRule{{Direction: controlplane.DirectionOut, Name: "p", Action: ruleAction(controlplane.RuleActionAllow),
				To: controlplane.NetworkPolicyPeer{AddressGroups: []string{groupName(t, "", all, nil)}}}}
		},
	}, {
		name: "egress networks, nodes and domainNames",
		cnp: upstreamCNP("e", npav1beta1.AdminTier, 1, redisSubject, nil, []npav1beta1.ClusterNetworkPolicyEgressRule{
			cnpEgress(cnpDeny, "net", npav1beta1.ClusterNetworkPolicyEgressPeer{Networks: []npav1beta1.CIDR{"10.9.0.0/16", "fd00::/8"}}),
			cnpEgress(cnpAccept, "nodes", npav1beta1.ClusterNetworkPolicyEgressPeer{Nodes: sel("zone", "a")}),
			cnpEgress(cnpAccept, "dns", npav1beta1.ClusterNetworkPolicyEgressPeer{DomainNames: []npav1beta1.DomainName{"*.example.com", "kubernetes.io"}}),
		}),
		wantTier:      251,
		wantAppliedTo: func(t *testing.T) []string { return []string{groupName(t, "", all, redis)} },
		wantRules: func(t *testing.T) []controlplane.NetworkPolicyRule {
			v4, _ := ipNet("10.9.0.0/16")
			v6, _ := ipNet("fd00::/8")
			return []controlplane.NetworkPolicyRule{
				{Direction: controlplane.DirectionOut, Name: "net", Action: ruleAction(controlplane.RuleActionDrop),
					To: controlplane.NetworkPolicyPeer{IPBlocks: []controlplane.IPBlock{{CIDR: v4}, {CIDR: v6}}}},
				{Direction: controlplane.DirectionOut, Name: "nodes", Priority: 1, Action: ruleAction(controlplane.RuleActionAllow),
					To: controlplane.NetworkPolicyPeer{AddressGroups: []string{nodeGroupName(sel("zone", "a"))}}},
				{Direction: controlplane.DirectionOut, Name: "dns", Priority: 2, Action: ruleAction(controlplane.RuleActionAllow),
					To: controlplane.NetworkPolicyPeer{FQDNs: []string{"*.example.com", "kubernetes.io"}}},
			}
		},
	}, {
		name: "protocols: port, range, named port",
		cnp: upstreamCNP("p", npav1beta1.AdminTier, 1, redisSubject, []npav1beta1.ClusterNetworkPolicyIngressRule{{
			Name: "ports", Action: cnpAccept, From: []npav1beta1.ClusterNetworkPolicyIngressPeer{{Namespaces: all}},
			Protocols: []npav1beta1.ClusterNetworkPolicyProtocol{
				tcpPort(80),
				{UDP: &npav1beta1.ClusterNetworkPolicyProtocolUDP{DestinationPort: &npav1beta1.Port{Range: &npav1beta1.PortRange{Start: 5000, End: 5010}}}},
				{DestinationNamedPort: "redis"},
			}}}, nil),
		wantTier:      251,
		wantAppliedTo: func(t *testing.T) []string { return []string{groupName(t, "", all, redis)} },
		wantRules: func(t *testing.T) []controlplane.NetworkPolicyRule {
			end := int32(5010)
			return []controlplane.NetworkPolicyRule{{Direction: controlplane.DirectionIn, Name: "ports", Action: ruleAction(controlplane.RuleActionAllow),
				From: controlplane.NetworkPolicyPeer{AddressGroups: []string{groupName(t, "", all, nil)}},
				Services: []controlplane.Service{
					{Protocol: protoPtr(controlplane.ProtocolTCP), Port: intstrPtr(intstr.FromInt32(80))},
					{Protocol: protoPtr(controlplane.ProtocolUDP), Port: intstrPtr(intstr.FromInt32(5000)), EndPort: &end},
					{Protocol: protoPtr(controlplane.ProtocolTCP), Port: intstrPtr(intstr.FromString("redis"))},
					{Protocol: protoPtr(controlplane.ProtocolUDP), Port: intstrPtr(intstr.FromString("redis"))},
				}}}
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, np := publishCNP(t, tc.cnp)
			if np.SourceRef == nil || np.SourceRef.Type != controlplane.K8sClusterNetworkPolicyType || np.SourceRef.Name != tc.cnp.Name {
				t.Fatalf("SourceRef %+v", np.SourceRef)
			}
			if *np.TierPriority != tc.wantTier || *np.Priority != float64(tc.cnp.Spec.Priority) {
				t.Fatalf("tier priority %d, priority %v; want %d, %d", *np.TierPriority, *np.Priority, tc.wantTier, tc.cnp.Spec.Priority)
			}
			if diff := cmp.Diff(tc.wantAppliedTo(t), np.AppliedToGroups); diff != "" {
				t.Fatalf("AppliedToGroups (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantRules(t), np.Rules); diff != "" {
				t.Fatalf("rules (-want +got):\n%s", diff)
			}
			if issues := c.policies[cnpKey(tc.cnp.Name)].issues; len(issues) != 0 {
				t.Fatalf("issues %+v", issues)
			}
		})
	}
}

func nodeGroupName(s *metav1.LabelSelector) string {
	return (&builder{p: &policy{groups: map[groupID]groupSource{}}}).nodeSelectorGroup(s)[0]
}

// TestUpstreamCNPFailClosed: what this version cannot enforce exactly costs only
// its rule: an Accept rule matches nothing, a Deny or Pass rule denies all; the
// policy's issues say why.
func TestUpstreamCNPFailClosed(t *testing.T) {
	all := &metav1.LabelSelector{}
	subject := podsSubject(all, sel("app", "redis"))
	denyAll := controlplane.NetworkPolicyRule{Direction: controlplane.DirectionOut, Name: "bad",
		Action: ruleAction(controlplane.RuleActionDrop), To: matchAllPeer()}
	good := cnpEgress(cnpDeny, "good", npav1beta1.ClusterNetworkPolicyEgressPeer{Networks: []npav1beta1.CIDR{"10.9.0.0/16"}})
	sctp := npav1beta1.ClusterNetworkPolicyProtocol{SCTP: &npav1beta1.ClusterNetworkPolicyProtocolSCTP{
		DestinationPort: &npav1beta1.Port{Number: 9}}}
	withProtocols := func(r npav1beta1.ClusterNetworkPolicyEgressRule, p ...npav1beta1.ClusterNetworkPolicyProtocol) npav1beta1.ClusterNetworkPolicyEgressRule {
		r.Protocols = p
		return r
	}
	tests := []struct {
		name       string
		tier       npav1beta1.Tier
		bad        npav1beta1.ClusterNetworkPolicyEgressRule
		wantBad    *controlplane.NetworkPolicyRule // nil: not installed
		wantReason string
	}{
		{name: "Accept with an empty peer matches nothing", tier: npav1beta1.AdminTier,
			bad: cnpEgress(cnpAccept, "bad", npav1beta1.ClusterNetworkPolicyEgressPeer{}), wantReason: reasonUnsupportedField},
		{name: "Deny with an empty peer denies all", tier: npav1beta1.AdminTier,
			bad:     cnpEgress(cnpDeny, "bad", npav1beta1.ClusterNetworkPolicyEgressPeer{Namespaces: all}, npav1beta1.ClusterNetworkPolicyEgressPeer{}),
			wantBad: &denyAll, wantReason: reasonUnsupportedField},
		{name: "Pass with an empty peer denies all", tier: npav1beta1.AdminTier,
			bad: cnpEgress(cnpPass, "bad", npav1beta1.ClusterNetworkPolicyEgressPeer{}), wantBad: &denyAll, wantReason: reasonUnsupportedField},
		{name: "baseline Pass with an empty peer denies all", tier: npav1beta1.BaselineTier,
			bad: cnpEgress(cnpPass, "bad", npav1beta1.ClusterNetworkPolicyEgressPeer{}), wantBad: &denyAll, wantReason: reasonUnsupportedField},
		{name: "a peer with two fields", tier: npav1beta1.AdminTier,
			bad:        cnpEgress(cnpAccept, "bad", npav1beta1.ClusterNetworkPolicyEgressPeer{Namespaces: all, Networks: []npav1beta1.CIDR{"10.0.0.0/8"}}),
			wantReason: reasonUnsupportedField},
		{name: "a selector that does not parse", tier: npav1beta1.AdminTier,
			bad: cnpEgress(cnpDeny, "bad", npav1beta1.ClusterNetworkPolicyEgressPeer{Namespaces: &metav1.LabelSelector{
				MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "a", Operator: "Sometimes"}}}}),
			wantBad: &denyAll, wantReason: reasonUnsupportedField},
		{name: "Accept with sctp matches nothing", tier: npav1beta1.AdminTier,
			bad:        withProtocols(cnpEgress(cnpAccept, "bad", npav1beta1.ClusterNetworkPolicyEgressPeer{Namespaces: all}), tcpPort(80), sctp),
			wantReason: reasonNotEnforceable},
		{name: "Deny with sctp denies all", tier: npav1beta1.AdminTier,
			bad:     withProtocols(cnpEgress(cnpDeny, "bad", npav1beta1.ClusterNetworkPolicyEgressPeer{Namespaces: all}), sctp),
			wantBad: &denyAll, wantReason: reasonNotEnforceable},
		{name: "an empty protocols entry", tier: npav1beta1.AdminTier,
			bad: withProtocols(cnpEgress(cnpDeny, "bad", npav1beta1.ClusterNetworkPolicyEgressPeer{Namespaces: all}),
				npav1beta1.ClusterNetworkPolicyProtocol{}),
			wantBad: &denyAll, wantReason: reasonUnsupportedField},
		{name: "a tcp entry without a port", tier: npav1beta1.AdminTier,
			bad: withProtocols(cnpEgress(cnpAccept, "bad", npav1beta1.ClusterNetworkPolicyEgressPeer{Namespaces: all}),
				npav1beta1.ClusterNetworkPolicyProtocol{TCP: &npav1beta1.ClusterNetworkPolicyProtocolTCP{}}),
			wantReason: reasonUnsupportedField},
		{name: "an unknown action drops", tier: npav1beta1.AdminTier,
			bad: cnpEgress("Maybe", "bad", npav1beta1.ClusterNetworkPolicyEgressPeer{Networks: []npav1beta1.CIDR{"10.0.0.0/8"}}),
			wantBad: func() *controlplane.NetworkPolicyRule {
				v4, _ := ipNet("10.0.0.0/8")
				return &controlplane.NetworkPolicyRule{Direction: controlplane.DirectionOut, Name: "bad",
					Action: ruleAction(controlplane.RuleActionDrop), To: controlplane.NetworkPolicyPeer{IPBlocks: []controlplane.IPBlock{{CIDR: v4}}}}
			}(),
			wantReason: reasonUnsupportedField},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cnp := upstreamCNP("f", tc.tier, 1, subject, nil, []npav1beta1.ClusterNetworkPolicyEgressRule{tc.bad, good})
			c, np := publishCNP(t, cnp)
			v4, _ := ipNet("10.9.0.0/16")
			want := []controlplane.NetworkPolicyRule{{Direction: controlplane.DirectionOut, Name: "good", Priority: 1,
				Action: ruleAction(controlplane.RuleActionDrop), To: controlplane.NetworkPolicyPeer{IPBlocks: []controlplane.IPBlock{{CIDR: v4}}}}}
			if tc.wantBad != nil {
				want = append([]controlplane.NetworkPolicyRule{*tc.wantBad}, want...)
			}
			if diff := cmp.Diff(want, np.Rules); diff != "" {
				t.Fatalf("rules (-want +got):\n%s", diff)
			}
			issues := c.policies[cnpKey("f")].issues
			if len(issues) != 1 || issues[0].Reason != tc.wantReason || !strings.HasPrefix(issues[0].Message, "spec.egress[0]") {
				t.Fatalf("issues %+v, want one %s about spec.egress[0]", issues, tc.wantReason)
			}
		})
	}
}

// TestUpstreamCNPUnknownSubjectOrTier: a subject or tier this version does not
// know applies the policy's Deny rules only: to every Pod (unknown subject), in the
// Admin tier (unknown tier).
func TestUpstreamCNPUnknownSubjectOrTier(t *testing.T) {
	all := &metav1.LabelSelector{}
	egress := []npav1beta1.ClusterNetworkPolicyEgressRule{
		cnpEgress(cnpAccept, "accept", npav1beta1.ClusterNetworkPolicyEgressPeer{Namespaces: all}),
		cnpEgress(cnpPass, "pass", npav1beta1.ClusterNetworkPolicyEgressPeer{Namespaces: all}),
		cnpEgress(cnpDeny, "deny", npav1beta1.ClusterNetworkPolicyEgressPeer{Namespaces: all}),
	}
	tests := []struct {
		name    string
		tier    npav1beta1.Tier
		subject npav1beta1.ClusterNetworkPolicySubject
		want    int32 // tier priority
	}{
		{name: "empty subject", tier: npav1beta1.BaselineTier, want: cnpBaselineTierPriority},
		{name: "unknown tier", tier: "Middle", subject: podsSubject(all, sel("app", "redis")), want: cnpAdminTierPriority},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, np := publishCNP(t, upstreamCNP("u", tc.tier, 1, tc.subject, nil, egress))
			want := []controlplane.NetworkPolicyRule{{Direction: controlplane.DirectionOut, Name: "deny", Priority: 2,
				Action: ruleAction(controlplane.RuleActionDrop), To: controlplane.NetworkPolicyPeer{AddressGroups: []string{groupName(t, "", all, nil)}}}}
			if diff := cmp.Diff(want, np.Rules); diff != "" {
				t.Fatalf("rules (-want +got):\n%s", diff)
			}
			if *np.TierPriority != tc.want {
				t.Fatalf("tier priority %d, want %d", *np.TierPriority, tc.want)
			}
			if len(c.policies[cnpKey("u")].issues) != 1 {
				t.Fatalf("issues %+v, want one", c.policies[cnpKey("u")].issues)
			}
		})
	}
}
