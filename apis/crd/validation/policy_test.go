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

package validation

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/strata-net/strata/apis/crd"
)

type policyCase struct {
	name   string
	mutate func(*crd.ClusterNetworkPolicy)
	want   []wantErr
}

func runPolicyCases(t *testing.T, cases []policyCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assertErrors(t, ValidateClusterNetworkPolicy(validACNP(tc.mutate)), tc.want)
		})
	}
}

func TestValidateClusterNetworkPolicyValid(t *testing.T) {
	runPolicyCases(t, []policyCase{
		{name: "seed-like policy", mutate: nil},
		{name: "no tier (defaulted later) and highest priority", mutate: func(p *crd.ClusterNetworkPolicy) {
			p.Spec.Tier, p.Spec.Priority = "", 10000
		}},
		{name: "rule-level appliedTo on every rule", mutate: func(p *crd.ClusterNetworkPolicy) {
			p.Spec.AppliedTo = nil
			in0(p).AppliedTo = []crd.AppliedTo{{Group: "cg-redis"}}
			eg0(p).AppliedTo = []crd.AppliedTo{{ServiceAccount: &crd.NamespacedName{Name: "sa", Namespace: "default"}}}
		}},
		{name: "Pass outside baseline", mutate: func(p *crd.ClusterNetworkPolicy) { in0(p).Action = action(crd.RuleActionPass) }},
		{name: "Reject in baseline", mutate: func(p *crd.ClusterNetworkPolicy) {
			p.Spec.Tier = "baseline"
			in0(p).Action = action(crd.RuleActionReject)
		}},
		{name: "every peer kind", mutate: func(p *crd.ClusterNetworkPolicy) {
			in0(p).From = []crd.NetworkPolicyPeer{
				{PodSelector: sel("app", "a"), NamespaceSelector: sel("env", "prod")},
				{PodSelector: sel("app", "a"), Namespaces: &crd.PeerNamespaces{Match: crd.NamespaceMatchSelf}},
				{Namespaces: &crd.PeerNamespaces{SameLabels: []string{"tenant", "example.com/team"}}},
				{IPBlock: &crd.IPBlock{CIDR: "10.0.0.0/8", Except: []string{"10.1.0.0/16", "10.2.3.0/24"}}},
				{Group: "cg-guestbook"},
				{ServiceAccount: &crd.NamespacedName{Name: "sa", Namespace: "ns"}},
				{NodeSelector: sel("kubernetes.io/os", "linux")},
				{PodSelector: sel("app", "a"), Scope: crd.ScopeClusterSet},
				{NamespaceSelector: &metav1.LabelSelector{}},
			}
			eg0(p).To = []crd.NetworkPolicyPeer{{FQDN: "*.example.com"}, {IPBlock: &crd.IPBlock{CIDR: "fd00::/8", Except: []string{"fd00:1::/32"}}}}
		}},
		{name: "ports: range, named port, source range, UDP and SCTP", mutate: func(p *crd.ClusterNetworkPolicy) {
			eg0(p).Ports = []crd.NetworkPolicyPort{
				{Protocol: proto(crd.ProtocolTCP), Port: port(8000), EndPort: i32(9000)},
				{Protocol: proto(crd.ProtocolUDP), Port: namedPort("dns")},
				{Protocol: proto(crd.ProtocolSCTP), SourcePort: i32(1000), SourceEndPort: i32(2000)},
				{},
			}
		}},
		{name: "ICMP and egress IGMP report", mutate: func(p *crd.ClusterNetworkPolicy) {
			in0(p).Protocols = []crd.NetworkPolicyProtocol{{ICMP: &crd.ICMPProtocol{ICMPType: i32(8), ICMPCode: i32(0)}}}
			eg0(p).To, eg0(p).Ports = nil, nil
			eg0(p).Protocols = []crd.NetworkPolicyProtocol{{IGMP: &crd.IGMPProtocol{IGMPType: i32(IGMPReportV3), GroupAddress: "225.1.2.3"}}}
		}},
		{name: "layer 7 HTTP and TLS on Allow", mutate: func(p *crd.ClusterNetworkPolicy) {
			in0(p).L7Protocols = []crd.L7Protocol{{HTTP: &crd.HTTPProtocol{Method: "GET", Path: "/api/*"}}, {TLS: &crd.TLSProtocol{SNI: "*.example.com"}}}
		}},
		{name: "toServices alone", mutate: func(p *crd.ClusterNetworkPolicy) {
			eg0(p).To, eg0(p).Ports = nil, nil
			eg0(p).ToServices = []crd.PeerService{{Name: "svc", Namespace: "default"}}
		}},
		{name: "multicast egress Drop", mutate: func(p *crd.ClusterNetworkPolicy) {
			eg0(p).To = []crd.NetworkPolicyPeer{{IPBlock: &crd.IPBlock{CIDR: "225.1.2.3/32"}}}
		}},
		{name: "applied to a NodePort Service with ipBlock sources", mutate: func(p *crd.ClusterNetworkPolicy) {
			p.Spec.AppliedTo = []crd.AppliedTo{{Service: &crd.NamespacedName{Name: "web", Namespace: "default"}}}
			p.Spec.Egress = nil
			in0(p).From = []crd.NetworkPolicyPeer{{IPBlock: &crd.IPBlock{CIDR: "192.168.0.0/16"}}}
		}},
		{name: "spec-level nodeSelector", mutate: func(p *crd.ClusterNetworkPolicy) {
			p.Spec.AppliedTo = []crd.AppliedTo{{NodeSelector: sel("role", "edge")}}
		}},
		{name: "logLabel of 63 characters", mutate: func(p *crd.ClusterNetworkPolicy) {
			in0(p).EnableLogging, in0(p).LogLabel = true, "a123456789b123456789c123456789d123456789e123456789f123456789xyz"
		}},
	})
}

func TestValidateClusterNetworkPolicySpecRules(t *testing.T) {
	runPolicyCases(t, []policyCase{
		{name: "priority below 1", mutate: func(p *crd.ClusterNetworkPolicy) { p.Spec.Priority = 0.5 },
			want: []wantErr{{field.ErrorTypeInvalid, "spec.priority", "must be between 1 and 10000"}}},
		{name: "priority above 10000", mutate: func(p *crd.ClusterNetworkPolicy) { p.Spec.Priority = 10000.5 },
			want: []wantErr{{field.ErrorTypeInvalid, "spec.priority", "must be between 1 and 10000"}}},
		{name: "invalid name", mutate: func(p *crd.ClusterNetworkPolicy) { p.Name = "Bad_Name" },
			want: []wantErr{{field.ErrorTypeInvalid, "metadata.name", "a lowercase RFC 1123 subdomain"}}},
		{name: "Pass in the baseline tier", mutate: func(p *crd.ClusterNetworkPolicy) {
			p.Spec.Tier = "baseline"
			in0(p).Action = action(crd.RuleActionPass)
		}, want: []wantErr{{field.ErrorTypeInvalid, "spec.ingress[0].action", "Pass is not allowed in the baseline tier"}}},
		{name: "Pass in the legacy Baseline tier", mutate: func(p *crd.ClusterNetworkPolicy) {
			p.Spec.Tier = "Baseline"
			eg0(p).Action = action(crd.RuleActionPass)
		}, want: []wantErr{{field.ErrorTypeInvalid, "spec.egress[0].action", "Pass is not allowed in the baseline tier"}}},
		{name: "rule names shared by ingress and egress", mutate: func(p *crd.ClusterNetworkPolicy) { eg0(p).Name = "AllowFromOther" },
			want: []wantErr{{field.ErrorTypeDuplicate, "spec.egress[0].name", `"AllowFromOther"`}}},
		{name: "missing action", mutate: func(p *crd.ClusterNetworkPolicy) { in0(p).Action = nil },
			want: []wantErr{{field.ErrorTypeRequired, "spec.ingress[0].action", "Allow, Drop, Reject or Pass"}}},
		{name: "unknown action", mutate: func(p *crd.ClusterNetworkPolicy) { in0(p).Action = action("Deny") },
			want: []wantErr{{field.ErrorTypeNotSupported, "spec.ingress[0].action", `"Allow", "Drop", "Reject", "Pass"`}}},
		{name: "invalid logLabel", mutate: func(p *crd.ClusterNetworkPolicy) { in0(p).LogLabel = "bad label!" },
			want: []wantErr{{field.ErrorTypeInvalid, "spec.ingress[0].logLabel", "at most 63 characters"}}},
		{name: "to in an ingress rule", mutate: func(p *crd.ClusterNetworkPolicy) { in0(p).To = eg0(p).To },
			want: []wantErr{{field.ErrorTypeForbidden, "spec.ingress[0].to", "selects its sources with from"}}},
		{name: "from in an egress rule", mutate: func(p *crd.ClusterNetworkPolicy) { eg0(p).From = in0(p).From },
			want: []wantErr{{field.ErrorTypeForbidden, "spec.egress[0].from", "selects its destinations with to"}}},
	})
}

func TestValidateClusterNetworkPolicyAppliedTo(t *testing.T) {
	runPolicyCases(t, []policyCase{
		{name: "appliedTo in spec and in a rule", mutate: func(p *crd.ClusterNetworkPolicy) {
			in0(p).AppliedTo = []crd.AppliedTo{{PodSelector: sel("app", "x")}}
		}, want: []wantErr{{field.ErrorTypeForbidden, "spec.ingress[0].appliedTo", "cannot be set in a rule when spec.appliedTo is set"}}},
		{name: "appliedTo nowhere", mutate: func(p *crd.ClusterNetworkPolicy) { p.Spec.AppliedTo = nil },
			want: []wantErr{{field.ErrorTypeRequired, "spec.appliedTo", "either in the spec or in every rule"}}},
		{name: "appliedTo in some rules only", mutate: func(p *crd.ClusterNetworkPolicy) {
			p.Spec.AppliedTo = nil
			in0(p).AppliedTo = []crd.AppliedTo{{PodSelector: sel("app", "x")}}
		}, want: []wantErr{{field.ErrorTypeRequired, "spec.egress[0].appliedTo", "every rule must set it"}}},
		{name: "empty appliedTo entry", mutate: func(p *crd.ClusterNetworkPolicy) { p.Spec.AppliedTo = []crd.AppliedTo{{}} },
			want: []wantErr{{field.ErrorTypeRequired, "spec.appliedTo[0]", "an empty appliedTo entry selects nothing"}}},
		{name: "group with podSelector", mutate: func(p *crd.ClusterNetworkPolicy) { p.Spec.AppliedTo[0].Group = "cg" },
			want: []wantErr{{field.ErrorTypeForbidden, "spec.appliedTo[0].podSelector", "cannot be set together with group"}}},
		{name: "nodeSelector with podSelector", mutate: func(p *crd.ClusterNetworkPolicy) { p.Spec.AppliedTo[0].NodeSelector = sel("a", "b") },
			want: []wantErr{{field.ErrorTypeForbidden, "spec.appliedTo[0].podSelector", "cannot be set together with nodeSelector"}}},
		{name: "serviceAccount with podSelector", mutate: func(p *crd.ClusterNetworkPolicy) {
			p.Spec.AppliedTo[0].ServiceAccount = &crd.NamespacedName{Name: "sa", Namespace: "ns"}
		}, want: []wantErr{{field.ErrorTypeForbidden, "spec.appliedTo[0].podSelector", "cannot be set together with serviceAccount"}}},
		{name: "service with podSelector", mutate: func(p *crd.ClusterNetworkPolicy) {
			p.Spec.Egress = nil
			p.Spec.AppliedTo[0].Service = &crd.NamespacedName{Name: "s", Namespace: "ns"}
			from0(p).PodSelector, from0(p).IPBlock = nil, &crd.IPBlock{CIDR: "1.2.3.0/24"}
		}, want: []wantErr{{field.ErrorTypeForbidden, "spec.appliedTo[0].podSelector", "cannot be set together with service"}}},
		{name: "Services mixed with Pods", mutate: func(p *crd.ClusterNetworkPolicy) {
			p.Spec.Egress = nil
			p.Spec.AppliedTo = []crd.AppliedTo{{Service: &crd.NamespacedName{Name: "s", Namespace: "ns"}}, {PodSelector: sel("app", "x")}}
			from0(p).PodSelector, from0(p).IPBlock = nil, &crd.IPBlock{CIDR: "1.2.3.0/24"}
		}, want: []wantErr{{field.ErrorTypeForbidden, "spec.appliedTo[1]", "cannot be applied to other workloads at the same time"}}},
		{name: "policy with egress rules applied to a Service", mutate: func(p *crd.ClusterNetworkPolicy) {
			p.Spec.AppliedTo = []crd.AppliedTo{{Service: &crd.NamespacedName{Name: "s", Namespace: "ns"}}}
			from0(p).PodSelector, from0(p).IPBlock = nil, &crd.IPBlock{CIDR: "1.2.3.0/24"}
		}, want: []wantErr{{field.ErrorTypeForbidden, "spec.appliedTo", "a policy with egress rules cannot be applied to Services"}}},
		{name: "egress rule applied to a Service", mutate: func(p *crd.ClusterNetworkPolicy) {
			p.Spec.AppliedTo = nil
			in0(p).AppliedTo = []crd.AppliedTo{{PodSelector: sel("app", "x")}}
			eg0(p).AppliedTo = []crd.AppliedTo{{Service: &crd.NamespacedName{Name: "s", Namespace: "ns"}}}
		}, want: []wantErr{{field.ErrorTypeForbidden, "spec.egress[0].appliedTo[0].service", "not allowed in the appliedTo of an egress rule"}}},
		{name: "Service appliedTo with a podSelector source", mutate: func(p *crd.ClusterNetworkPolicy) {
			p.Spec.Egress = nil
			p.Spec.AppliedTo = []crd.AppliedTo{{Service: &crd.NamespacedName{Name: "s", Namespace: "ns"}}}
		}, want: []wantErr{{field.ErrorTypeForbidden, "spec.ingress[0].from[0]", "can only use ipBlock peers"}}},
		{name: "nodeSelector in a rule's appliedTo", mutate: func(p *crd.ClusterNetworkPolicy) {
			p.Spec.AppliedTo, p.Spec.Egress = nil, nil
			in0(p).AppliedTo = []crd.AppliedTo{{NodeSelector: sel("a", "b")}}
		}, want: []wantErr{{field.ErrorTypeForbidden, "spec.ingress[0].appliedTo[0].nodeSelector", "not allowed in the appliedTo of an ingress rule"}}},
		{name: "externalEntitySelector in a ClusterNetworkPolicy", mutate: func(p *crd.ClusterNetworkPolicy) {
			p.Spec.AppliedTo = []crd.AppliedTo{{ExternalEntitySelector: sel("a", "b")}}
		}, want: []wantErr{{field.ErrorTypeForbidden, "spec.appliedTo[0].externalEntitySelector", "not allowed in spec.appliedTo of a ClusterNetworkPolicy"}}},
		{name: "invalid label key", mutate: func(p *crd.ClusterNetworkPolicy) { p.Spec.AppliedTo[0].PodSelector = sel("bad key", "x") },
			want: []wantErr{{field.ErrorTypeInvalid, "spec.appliedTo[0].podSelector.matchLabels", "bad key"}}},
		{name: "invalid label value", mutate: func(p *crd.ClusterNetworkPolicy) { p.Spec.AppliedTo[0].PodSelector = sel("app", "bad value") },
			want: []wantErr{{field.ErrorTypeInvalid, "spec.appliedTo[0].podSelector.matchLabels", "bad value"}}},
		{name: "invalid selector operator", mutate: func(p *crd.ClusterNetworkPolicy) {
			p.Spec.AppliedTo[0].PodSelector = &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "app", Operator: "Near"}}}
		}, want: []wantErr{{field.ErrorTypeInvalid, "spec.appliedTo[0].podSelector.matchExpressions[0].operator", "not a valid selector operator"}}},
		{name: "serviceAccount without namespace", mutate: func(p *crd.ClusterNetworkPolicy) {
			p.Spec.AppliedTo = []crd.AppliedTo{{ServiceAccount: &crd.NamespacedName{Name: "sa"}}}
		}, want: []wantErr{{field.ErrorTypeRequired, "spec.appliedTo[0].serviceAccount.namespace", "namespace of the referenced object"}}},
		{name: "invalid group name", mutate: func(p *crd.ClusterNetworkPolicy) { p.Spec.AppliedTo = []crd.AppliedTo{{Group: "Not_A_Name"}} },
			want: []wantErr{{field.ErrorTypeInvalid, "spec.appliedTo[0].group", "is not a valid group name"}}},
	})
}

func TestValidateNetworkPolicy(t *testing.T) {
	valid := func(mutate func(*crd.NetworkPolicy)) *crd.NetworkPolicy {
		a := validACNP(nil)
		p := &crd.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "annp", Namespace: "default"}}
		p.Spec = crd.NetworkPolicySpec{Tier: a.Spec.Tier, Priority: a.Spec.Priority, AppliedTo: a.Spec.AppliedTo, Ingress: a.Spec.Ingress, Egress: a.Spec.Egress}
		if mutate != nil {
			mutate(p)
		}
		return p
	}
	cases := []struct {
		name   string
		mutate func(*crd.NetworkPolicy)
		want   []wantErr
	}{
		{name: "valid", mutate: nil},
		{name: "missing namespace", mutate: func(p *crd.NetworkPolicy) { p.Namespace = "" },
			want: []wantErr{{field.ErrorTypeRequired, "metadata.namespace", ""}}},
		{name: "namespaceSelector in appliedTo", mutate: func(p *crd.NetworkPolicy) { p.Spec.AppliedTo[0].NamespaceSelector = sel("a", "b") },
			want: []wantErr{{field.ErrorTypeForbidden, "spec.appliedTo[0].namespaceSelector", "not allowed in spec.appliedTo of a NetworkPolicy"}}},
		{name: "namespaces in a peer", mutate: func(p *crd.NetworkPolicy) {
			p.Spec.Ingress[0].From[0].Namespaces = &crd.PeerNamespaces{Match: crd.NamespaceMatchSelf}
		}, want: []wantErr{{field.ErrorTypeForbidden, "spec.ingress[0].from[0].namespaces", "not allowed in ingress peers (from) of a NetworkPolicy"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assertErrors(t, ValidateNetworkPolicy(valid(tc.mutate)), tc.want)
		})
	}
}

func TestValidateClusterNetworkPolicyUpdate(t *testing.T) {
	old := validACNP(func(p *crd.ClusterNetworkPolicy) { p.ResourceVersion = "1" })
	cases := []struct {
		name   string
		mutate func(*crd.ClusterNetworkPolicy)
		want   []wantErr
	}{
		{name: "valid change of action", mutate: func(p *crd.ClusterNetworkPolicy) { in0(p).Action = action(crd.RuleActionDrop) }},
		{name: "update is validated like create", mutate: func(p *crd.ClusterNetworkPolicy) { in0(p).Action = nil },
			want: []wantErr{{field.ErrorTypeRequired, "spec.ingress[0].action", ""}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			updated := old.DeepCopy()
			tc.mutate(updated)
			assertErrors(t, ValidateClusterNetworkPolicyUpdate(updated, old), tc.want)
		})
	}
}

func TestValidatePolicyStatus(t *testing.T) {
	cases := []struct {
		name   string
		status crd.NetworkPolicyStatus
		want   []wantErr
	}{
		{name: "realized", status: crd.NetworkPolicyStatus{Phase: crd.NetworkPolicyRealized, ObservedGeneration: 2, CurrentNodesRealized: 2, DesiredNodesRealized: 2}},
		{name: "unknown phase", status: crd.NetworkPolicyStatus{Phase: "Done"},
			want: []wantErr{{field.ErrorTypeNotSupported, "status.phase", `"Pending"`}}},
		{name: "negative count", status: crd.NetworkPolicyStatus{DesiredNodesRealized: -1},
			want: []wantErr{{field.ErrorTypeInvalid, "status.desiredNodesRealized", "must not be negative"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { assertErrors(t, ValidatePolicyStatus(&tc.status), tc.want) })
	}
}
