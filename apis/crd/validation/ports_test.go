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

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/strata-net/strata/apis/crd"
)

func withPort(port crd.NetworkPolicyPort) func(*crd.ClusterNetworkPolicy) {
	return func(p *crd.ClusterNetworkPolicy) { eg0(p).Ports = []crd.NetworkPolicyPort{port} }
}

func TestValidatePorts(t *testing.T) {
	runPolicyCases(t, []policyCase{
		{name: "endPort without port", mutate: withPort(crd.NetworkPolicyPort{EndPort: i32(90)}),
			want: []wantErr{{field.ErrorTypeRequired, "spec.egress[0].ports[0].port", "endPort needs a numeric port"}}},
		{name: "endPort with a named port", mutate: withPort(crd.NetworkPolicyPort{Port: namedPort("http"), EndPort: i32(90)}),
			want: []wantErr{{field.ErrorTypeForbidden, "spec.egress[0].ports[0].endPort", "cannot be used with a named port"}}},
		{name: "endPort below port", mutate: withPort(crd.NetworkPolicyPort{Port: port(100), EndPort: i32(90)}),
			want: []wantErr{{field.ErrorTypeInvalid, "spec.egress[0].ports[0].endPort", "greater than or equal to 100"}}},
		{name: "endPort out of range", mutate: withPort(crd.NetworkPolicyPort{Port: port(100), EndPort: i32(70000)}),
			want: []wantErr{{field.ErrorTypeInvalid, "spec.egress[0].ports[0].endPort", "between 1 and 65535"}}},
		{name: "port zero", mutate: withPort(crd.NetworkPolicyPort{Port: port(0)}),
			want: []wantErr{{field.ErrorTypeInvalid, "spec.egress[0].ports[0].port", "between 1 and 65535"}}},
		{name: "invalid port name", mutate: withPort(crd.NetworkPolicyPort{Port: namedPort("Not_A_Port_Name_Too_Long")}),
			want: []wantErr{{field.ErrorTypeInvalid, "spec.egress[0].ports[0].port", "is not a valid port name"}}},
		{name: "sourceEndPort without sourcePort", mutate: withPort(crd.NetworkPolicyPort{SourceEndPort: i32(90)}),
			want: []wantErr{{field.ErrorTypeRequired, "spec.egress[0].ports[0].sourcePort", "the end of a range needs the start"}}},
		{name: "sourceEndPort below sourcePort", mutate: withPort(crd.NetworkPolicyPort{SourcePort: i32(100), SourceEndPort: i32(99)}),
			want: []wantErr{{field.ErrorTypeInvalid, "spec.egress[0].ports[0].sourceEndPort", "greater than or equal to 100"}}},
		{name: "unsupported protocol", mutate: withPort(crd.NetworkPolicyPort{Protocol: proto("ICMP")}),
			want: []wantErr{{field.ErrorTypeNotSupported, "spec.egress[0].ports[0].protocol", `"TCP", "UDP", "SCTP"`}}},
	})
}

func TestValidateProtocols(t *testing.T) {
	igmp := func(g crd.IGMPProtocol) func(*crd.ClusterNetworkPolicy) {
		return func(p *crd.ClusterNetworkPolicy) {
			in0(p).From = nil
			in0(p).Protocols = []crd.NetworkPolicyProtocol{{IGMP: &g}}
		}
	}
	runPolicyCases(t, []policyCase{
		{name: "empty protocol", mutate: func(p *crd.ClusterNetworkPolicy) { in0(p).Protocols = []crd.NetworkPolicyProtocol{{}} },
			want: []wantErr{{field.ErrorTypeRequired, "spec.ingress[0].protocols[0]", "set icmp or igmp"}}},
		{name: "icmp and igmp together", mutate: func(p *crd.ClusterNetworkPolicy) {
			in0(p).From = nil
			in0(p).Protocols = []crd.NetworkPolicyProtocol{{ICMP: &crd.ICMPProtocol{}, IGMP: &crd.IGMPProtocol{}}}
		}, want: []wantErr{
			{field.ErrorTypeForbidden, "spec.ingress[0].protocols[0].igmp", "set either icmp or igmp"},
			{field.ErrorTypeForbidden, "spec.ingress[0].protocols", "protocol IGMP cannot be used with other protocols"},
		}},
		{name: "icmpType out of range", mutate: func(p *crd.ClusterNetworkPolicy) {
			in0(p).Protocols = []crd.NetworkPolicyProtocol{{ICMP: &crd.ICMPProtocol{ICMPType: i32(256)}}}
		}, want: []wantErr{{field.ErrorTypeInvalid, "spec.ingress[0].protocols[0].icmp.icmpType", "between 0 and 255"}}},
		{name: "icmpCode out of range", mutate: func(p *crd.ClusterNetworkPolicy) {
			in0(p).Protocols = []crd.NetworkPolicyProtocol{{ICMP: &crd.ICMPProtocol{ICMPType: i32(3), ICMPCode: i32(-1)}}}
		}, want: []wantErr{{field.ErrorTypeInvalid, "spec.ingress[0].protocols[0].icmp.icmpCode", "between 0 and 255"}}},
		{name: "IGMP report in an ingress rule", mutate: igmp(crd.IGMPProtocol{IGMPType: i32(IGMPReportV2)}),
			want: []wantErr{{field.ErrorTypeInvalid, "spec.ingress[0].protocols[0].igmp.igmpType", "must be 0x11"}}},
		{name: "IGMP group address not multicast", mutate: igmp(crd.IGMPProtocol{IGMPType: i32(IGMPQuery), GroupAddress: "10.0.0.1"}),
			want: []wantErr{{field.ErrorTypeInvalid, "spec.ingress[0].protocols[0].igmp.groupAddress", "must be a multicast IP address"}}},
		{name: "IGMP with Reject", mutate: func(p *crd.ClusterNetworkPolicy) {
			igmp(crd.IGMPProtocol{})(p)
			in0(p).Action = action(crd.RuleActionReject)
		}, want: []wantErr{{field.ErrorTypeInvalid, "spec.ingress[0].action", "protocol IGMP does not support Pass or Reject"}}},
		{name: "IGMP with from", mutate: func(p *crd.ClusterNetworkPolicy) {
			in0(p).Protocols = []crd.NetworkPolicyProtocol{{IGMP: &crd.IGMPProtocol{}}}
		}, want: []wantErr{{field.ErrorTypeForbidden, "spec.ingress[0].from", "protocol IGMP cannot be used with"}}},
	})
}

func TestValidateL7Protocols(t *testing.T) {
	http := []crd.L7Protocol{{HTTP: &crd.HTTPProtocol{Method: "GET"}}}
	runPolicyCases(t, []policyCase{
		{name: "layer 7 on a Drop rule", mutate: func(p *crd.ClusterNetworkPolicy) { eg0(p).L7Protocols = http },
			want: []wantErr{{field.ErrorTypeInvalid, "spec.egress[0].action", "layer 7 protocols only support Allow"}}},
		{name: "layer 7 with toServices", mutate: func(p *crd.ClusterNetworkPolicy) {
			eg0(p).Action, eg0(p).To, eg0(p).Ports = action(crd.RuleActionAllow), nil, nil
			eg0(p).ToServices = []crd.PeerService{{Name: "s", Namespace: "ns"}}
			eg0(p).L7Protocols = http
		}, want: []wantErr{{field.ErrorTypeForbidden, "spec.egress[0].l7Protocols", "cannot be used with toServices"}}},
		{name: "HTTP on a UDP port", mutate: func(p *crd.ClusterNetworkPolicy) {
			in0(p).Ports = []crd.NetworkPolicyPort{{Protocol: proto(crd.ProtocolUDP), Port: port(53)}}
			in0(p).L7Protocols = http
		}, want: []wantErr{{field.ErrorTypeForbidden, "spec.ingress[0].l7Protocols[0].http", "only be used with TCP ports"}}},
		{name: "HTTP with ICMP", mutate: func(p *crd.ClusterNetworkPolicy) {
			in0(p).Protocols = []crd.NetworkPolicyProtocol{{ICMP: &crd.ICMPProtocol{}}}
			in0(p).L7Protocols = http
		}, want: []wantErr{{field.ErrorTypeForbidden, "spec.ingress[0].l7Protocols[0].http", "cannot be used with ICMP or IGMP"}}},
		{name: "empty layer 7 protocol", mutate: func(p *crd.ClusterNetworkPolicy) { in0(p).L7Protocols = []crd.L7Protocol{{}} },
			want: []wantErr{{field.ErrorTypeRequired, "spec.ingress[0].l7Protocols[0]", "set http or tls"}}},
		{name: "http and tls together", mutate: func(p *crd.ClusterNetworkPolicy) {
			in0(p).L7Protocols = []crd.L7Protocol{{HTTP: &crd.HTTPProtocol{}, TLS: &crd.TLSProtocol{}}}
		}, want: []wantErr{{field.ErrorTypeForbidden, "spec.ingress[0].l7Protocols[0].tls", "set either http or tls"}}},
		{name: "unknown HTTP method", mutate: func(p *crd.ClusterNetworkPolicy) {
			in0(p).L7Protocols = []crd.L7Protocol{{HTTP: &crd.HTTPProtocol{Method: "FETCH"}}}
		}, want: []wantErr{{field.ErrorTypeNotSupported, "spec.ingress[0].l7Protocols[0].http.method", `"GET"`}}},
	})
}
