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
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/strata-net/strata/apis/crd"
)

func TestValidatePeers(t *testing.T) {
	runPolicyCases(t, []policyCase{
		{name: "empty peer", mutate: func(p *crd.ClusterNetworkPolicy) { in0(p).From = []crd.NetworkPolicyPeer{{}} },
			want: []wantErr{{field.ErrorTypeRequired, "spec.ingress[0].from[0]", "an empty peer selects nothing"}}},
		{name: "scope alone selects nothing", mutate: func(p *crd.ClusterNetworkPolicy) {
			in0(p).From = []crd.NetworkPolicyPeer{{Scope: crd.ScopeClusterSet}}
		}, want: []wantErr{{field.ErrorTypeRequired, "spec.ingress[0].from[0]", "an empty peer selects nothing"}}},
		{name: "namespaces with namespaceSelector", mutate: func(p *crd.ClusterNetworkPolicy) {
			from0(p).Namespaces = &crd.PeerNamespaces{Match: crd.NamespaceMatchSelf}
			from0(p).NamespaceSelector = sel("a", "b")
		}, want: []wantErr{{field.ErrorTypeForbidden, "spec.ingress[0].from[0].namespaces", "cannot be set at the same time"}}},
		{name: "namespaces without a criterion", mutate: func(p *crd.ClusterNetworkPolicy) { from0(p).Namespaces = &crd.PeerNamespaces{} },
			want: []wantErr{{field.ErrorTypeRequired, "spec.ingress[0].from[0].namespaces", "match: Self or sameLabels"}}},
		{name: "namespaces with two criteria", mutate: func(p *crd.ClusterNetworkPolicy) {
			from0(p).Namespaces = &crd.PeerNamespaces{Match: crd.NamespaceMatchSelf, SameLabels: []string{"a"}}
		}, want: []wantErr{{field.ErrorTypeForbidden, "spec.ingress[0].from[0].namespaces.sameLabels", "cannot be set together with match"}}},
		{name: "namespaces match other than Self", mutate: func(p *crd.ClusterNetworkPolicy) {
			from0(p).Namespaces = &crd.PeerNamespaces{Match: "Other"}
		}, want: []wantErr{{field.ErrorTypeNotSupported, "spec.ingress[0].from[0].namespaces.match", `"Self"`}}},
		{name: "sameLabels key invalid", mutate: func(p *crd.ClusterNetworkPolicy) {
			from0(p).Namespaces = &crd.PeerNamespaces{SameLabels: []string{"bad key"}}
		}, want: []wantErr{{field.ErrorTypeInvalid, "spec.ingress[0].from[0].namespaces.sameLabels[0]", "is not a valid label key"}}},
		{name: "sameLabels key twice", mutate: func(p *crd.ClusterNetworkPolicy) {
			from0(p).Namespaces = &crd.PeerNamespaces{SameLabels: []string{"a", "a"}}
		}, want: []wantErr{{field.ErrorTypeDuplicate, "spec.ingress[0].from[0].namespaces.sameLabels[1]", `"a"`}}},
		{name: "ipBlock without cidr", mutate: func(p *crd.ClusterNetworkPolicy) { to0(p).IPBlock.CIDR = "" },
			want: []wantErr{{field.ErrorTypeRequired, "spec.egress[0].to[0].ipBlock.cidr", "a CIDR such as"}}},
		{name: "ipBlock cidr unparseable", mutate: func(p *crd.ClusterNetworkPolicy) { to0(p).IPBlock.CIDR = "10.0.0.0/33" },
			want: []wantErr{{field.ErrorTypeInvalid, "spec.egress[0].to[0].ipBlock.cidr", "must be a valid CIDR"}}},
		{name: "except unparseable", mutate: func(p *crd.ClusterNetworkPolicy) { to0(p).IPBlock.Except = []string{"10.1.0.0"} },
			want: []wantErr{{field.ErrorTypeInvalid, "spec.egress[0].to[0].ipBlock.except[0]", "must be a valid CIDR"}}},
		{name: "except equal to the cidr", mutate: func(p *crd.ClusterNetworkPolicy) {
			to0(p).IPBlock.Except = []string{"10.1.0.0/16", "10.0.0.0/8"}
		}, want: []wantErr{{field.ErrorTypeInvalid, "spec.egress[0].to[0].ipBlock.except[1]", "must be a strict subset of the CIDR 10.0.0.0/8"}}},
		{name: "except outside the cidr", mutate: func(p *crd.ClusterNetworkPolicy) { to0(p).IPBlock.Except = []string{"192.168.0.0/16"} },
			want: []wantErr{{field.ErrorTypeInvalid, "spec.egress[0].to[0].ipBlock.except[0]", "must be a strict subset"}}},
		{name: "except of the other IP family", mutate: func(p *crd.ClusterNetworkPolicy) { to0(p).IPBlock.Except = []string{"::/96"} },
			want: []wantErr{{field.ErrorTypeInvalid, "spec.egress[0].to[0].ipBlock.except[0]", "must be a strict subset"}}},
		{name: "ipBlock with podSelector", mutate: func(p *crd.ClusterNetworkPolicy) { to0(p).PodSelector = sel("a", "b") },
			want: []wantErr{{field.ErrorTypeForbidden, "spec.egress[0].to[0].podSelector", "cannot be set together with ipBlock"}}},
		{name: "group with podSelector", mutate: func(p *crd.ClusterNetworkPolicy) { from0(p).Group = "cg" },
			want: []wantErr{{field.ErrorTypeForbidden, "spec.ingress[0].from[0].podSelector", "cannot be set together with group"}}},
		{name: "serviceAccount with podSelector", mutate: func(p *crd.ClusterNetworkPolicy) {
			from0(p).ServiceAccount = &crd.NamespacedName{Name: "sa", Namespace: "ns"}
		}, want: []wantErr{{field.ErrorTypeForbidden, "spec.ingress[0].from[0].podSelector", "cannot be set together with serviceAccount"}}},
		{name: "nodeSelector with podSelector", mutate: func(p *crd.ClusterNetworkPolicy) { from0(p).NodeSelector = sel("a", "b") },
			want: []wantErr{{field.ErrorTypeForbidden, "spec.ingress[0].from[0].podSelector", "cannot be set together with nodeSelector"}}},
		{name: "fqdn with ipBlock", mutate: func(p *crd.ClusterNetworkPolicy) { to0(p).FQDN = "example.com" },
			want: []wantErr{{field.ErrorTypeForbidden, "spec.egress[0].to[0].fqdn", "cannot be set together with ipBlock"}}},
		{name: "fqdn in an ingress rule", mutate: func(p *crd.ClusterNetworkPolicy) {
			in0(p).From = []crd.NetworkPolicyPeer{{FQDN: "example.com"}}
		}, want: []wantErr{{field.ErrorTypeForbidden, "spec.ingress[0].from[0].fqdn", "not allowed in ingress peers (from)"}}},
		{name: "fqdn with invalid characters", mutate: func(p *crd.ClusterNetworkPolicy) {
			eg0(p).To = []crd.NetworkPolicyPeer{{FQDN: "exa_mple.com"}}
		}, want: []wantErr{{field.ErrorTypeInvalid, "spec.egress[0].to[0].fqdn", "may contain only letters"}}},
		{name: "fqdn with two dots in a row", mutate: func(p *crd.ClusterNetworkPolicy) {
			eg0(p).To = []crd.NetworkPolicyPeer{{FQDN: "www..example.com"}}
		}, want: []wantErr{{field.ErrorTypeInvalid, "spec.egress[0].to[0].fqdn", "must not have an empty label"}}},
		{name: "fqdn with a leading dot", mutate: func(p *crd.ClusterNetworkPolicy) {
			eg0(p).To = []crd.NetworkPolicyPeer{{FQDN: ".example.com"}}
		}, want: []wantErr{{field.ErrorTypeInvalid, "spec.egress[0].to[0].fqdn", "must not have an empty label"}}},
		{name: "fqdn with a trailing dot", mutate: func(p *crd.ClusterNetworkPolicy) {
			eg0(p).To = []crd.NetworkPolicyPeer{{FQDN: "example.com."}}
		}, want: []wantErr{{field.ErrorTypeInvalid, "spec.egress[0].to[0].fqdn", "must not end with a dot"}}},
		{name: "fqdn with a label of 64 characters", mutate: func(p *crd.ClusterNetworkPolicy) {
			eg0(p).To = []crd.NetworkPolicyPeer{{FQDN: strings.Repeat("a", 64) + ".example.com"}}
		}, want: []wantErr{{field.ErrorTypeInvalid, "spec.egress[0].to[0].fqdn", "longer than 63 characters"}}},
		{name: "fqdn of 254 characters", mutate: func(p *crd.ClusterNetworkPolicy) {
			eg0(p).To = []crd.NetworkPolicyPeer{{FQDN: strings.Repeat("abcdefghi.", 25) + "com4"}}
		}, want: []wantErr{{field.ErrorTypeInvalid, "spec.egress[0].to[0].fqdn", "at most 253 characters"}}},
		{name: "scope in an egress rule", mutate: func(p *crd.ClusterNetworkPolicy) {
			eg0(p).To = []crd.NetworkPolicyPeer{{PodSelector: sel("a", "b"), Scope: crd.ScopeCluster}}
		}, want: []wantErr{{field.ErrorTypeForbidden, "spec.egress[0].to[0].scope", "not allowed in egress peers (to)"}}},
		{name: "unknown scope", mutate: func(p *crd.ClusterNetworkPolicy) { from0(p).Scope = "World" },
			want: []wantErr{{field.ErrorTypeNotSupported, "spec.ingress[0].from[0].scope", `"Cluster", "ClusterSet"`}}},
		{name: "serviceAccount without name", mutate: func(p *crd.ClusterNetworkPolicy) {
			in0(p).From = []crd.NetworkPolicyPeer{{ServiceAccount: &crd.NamespacedName{Namespace: "ns"}}}
		}, want: []wantErr{{field.ErrorTypeRequired, "spec.ingress[0].from[0].serviceAccount.name", "name of the referenced object"}}},
		{name: "invalid peer selector", mutate: func(p *crd.ClusterNetworkPolicy) { from0(p).NamespaceSelector = sel("k", "v v") },
			want: []wantErr{{field.ErrorTypeInvalid, "spec.ingress[0].from[0].namespaceSelector.matchLabels", "v v"}}},
	})
}

func TestValidateServicesAndMulticast(t *testing.T) {
	runPolicyCases(t, []policyCase{
		{name: "toServices with to", mutate: func(p *crd.ClusterNetworkPolicy) {
			eg0(p).Ports = nil
			eg0(p).ToServices = []crd.PeerService{{Name: "s", Namespace: "ns"}}
		}, want: []wantErr{{field.ErrorTypeForbidden, "spec.egress[0].toServices", "cannot be used with to, ports or protocols (found to)"}}},
		{name: "toServices with ports", mutate: func(p *crd.ClusterNetworkPolicy) {
			eg0(p).To = nil
			eg0(p).ToServices = []crd.PeerService{{Name: "s", Namespace: "ns"}}
		}, want: []wantErr{{field.ErrorTypeForbidden, "spec.egress[0].toServices", "(found ports)"}}},
		{name: "toServices without name", mutate: func(p *crd.ClusterNetworkPolicy) {
			eg0(p).To, eg0(p).Ports = nil, nil
			eg0(p).ToServices = []crd.PeerService{{Namespace: "ns"}}
		}, want: []wantErr{{field.ErrorTypeRequired, "spec.egress[0].toServices[0].name", "name of the Service"}}},
		{name: "toServices in an ingress rule", mutate: func(p *crd.ClusterNetworkPolicy) {
			in0(p).ToServices = []crd.PeerService{{Name: "s", Namespace: "ns"}}
		}, want: []wantErr{{field.ErrorTypeForbidden, "spec.ingress[0].toServices", "only allowed in egress rules"}}},
		{name: "multicast with Reject", mutate: func(p *crd.ClusterNetworkPolicy) {
			eg0(p).Action = action(crd.RuleActionReject)
			to0(p).IPBlock.CIDR = "224.0.0.0/4"
		}, want: []wantErr{{field.ErrorTypeInvalid, "spec.egress[0].action", "multicast traffic does not support Pass or Reject"}}},
		{name: "multicast mixed with unicast", mutate: func(p *crd.ClusterNetworkPolicy) {
			eg0(p).To = append(eg0(p).To, crd.NetworkPolicyPeer{IPBlock: &crd.IPBlock{CIDR: "225.1.1.1/32"}})
		}, want: []wantErr{{field.ErrorTypeForbidden, "spec.egress[0].to", "cannot mix multicast and unicast ipBlocks"}}},
	})
}
