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

package pipeline

import (
	"encoding/binary"
	"net/netip"

	"github.com/strata-net/strata/nodeagent/ovs/openflow"
	"github.com/strata-net/strata/nodeagent/proxy"
)

// Priority of the Services' flows in ServiceLB and EndpointDNAT.
const (
	servicePriority = 200
	bucketWeight    = 100
)

// frontendSpec is one frontend to build: a Service port at one address.
type frontendSpec struct {
	id, group uint32
	// vip is the ClusterIP; the zero Addr for a NodePort frontend, which
	// matches NodePortField (the node's addresses) instead.
	vip  netip.Addr
	port uint16
	// snat SNATs the connections to the gateway IP (NodePort, eTP Cluster).
	snat bool
	// dropEmpty drops new connections when there are no endpoints
	// (externalTrafficPolicy or internalTrafficPolicy Local without local
	// endpoints) instead of rejecting them.
	dropEmpty bool
	protocol  proxy.Protocol
	endpoints []proxy.Endpoint
	// affinity is the sessionAffinity ClientIP timeout in seconds, 0 for
	// none (proxy_affinity.go).
	affinity uint16
}

// protoMatch returns the match of a protocol and destination port; false
// for protocols the proxy does not handle.
func protoMatch(p proxy.Protocol, port uint16) ([]openflow.MatchField, bool) {
	switch p {
	case proxy.TCP:
		return []openflow.MatchField{openflow.IPProto(openflow.IPProtoTCP), openflow.TCPDst(port)}, true
	case proxy.UDP:
		return []openflow.MatchField{openflow.IPProto(openflow.IPProtoUDP), openflow.UDPDst(port)}, true
	}
	return nil, false
}

func ipProto(p proxy.Protocol) uint8 {
	if p == proxy.UDP {
		return openflow.IPProtoUDP
	}
	return openflow.IPProtoTCP
}

// frontendFlows are a frontend's flows and select group:
//   - ServiceLB: a new connection to vip:port gets the frontend's id in
//     reg7 and goes to the group, whose buckets (one per endpoint) load
//     the endpoint into reg3/reg4 and resubmit to EndpointDNAT; without
//     endpoints it is rejected (TCP reset, ICMP unreachable) as kube-proxy
//     does;
//   - with sessionAffinity ClientIP, one flow per endpoint above the group
//     flow takes the connections SessionAffinity pinned to the endpoint
//     and those the group chose it for (the buckets set the hit bit and
//     resubmit to ServiceLB) to EndpointDNAT, learning the client's
//     endpoint on the way (proxy_affinity.go);
//   - EndpointDNAT: one flow per endpoint commits the connection with its
//     destination translated to the endpoint, ct_mark's Service bit and
//     the frontend id in ct_label[64..95], and continues in the egress
//     policy tables, which see the endpoint as the destination.
func (b flowBuilder) frontendFlows(s frontendSpec) ([]openflow.Flow, *openflow.GroupMod) {
	c := cookie(b.round, categoryService, s.id)
	proto, _ := protoMatch(s.protocol, s.port)
	ip := openflow.EthType(openflow.EthTypeIPv4)
	lb := openflow.Flow{Table: ServiceLB, Priority: servicePriority, Cookie: c,
		Match: openflow.MustMatch(append(append([]openflow.MatchField{ip, newConnState()}, s.dstMatch()...), proto...)...)}
	endpoints := ipv4Endpoints(s.endpoints)
	switch {
	case len(endpoints) == 0 && s.dropEmpty:
		lb.Instructions = openflow.Drop()
		return []openflow.Flow{lb}, nil
	case len(endpoints) == 0:
		lb.Instructions = openflow.Apply(controllerLoads(DispositionReject, PacketInOpReject, ServiceLB)...).Goto(Output)
		return []openflow.Flow{lb}, nil
	}
	lb.Instructions = openflow.Apply(append(s.frontendLoads(), openflow.Group{ID: s.group})...)
	out := []openflow.Flow{lb}
	group := &openflow.GroupMod{Type: openflow.GroupTypeSelect, GroupID: s.group, Selection: connectionSelection(s.protocol)}
	for i, ep := range endpoints {
		actions := []openflow.Action{EndpointIPField.Load(ipv4Uint(ep.IP)), EndpointPortField.Load(uint32(ep.Port)),
			openflow.ResubmitTable(EndpointDNAT)}
		if s.affinity != 0 {
			// Through the endpoint's affinity flow, which learns.
			actions[2] = AffinityHitField.Load(1)
			actions = append(actions, openflow.ResubmitTable(ServiceLB))
			out = append(out, b.affinityHitFlow(s, ep, c))
		}
		group.Buckets = append(group.Buckets, openflow.Bucket{ID: uint32(i), Weight: bucketWeight, Actions: actions})
		out = append(out, b.endpointDNATFlow(s.protocol, ep))
	}
	return out, group
}

// dstMatch matches the frontend's address: the ClusterIP, or for a
// NodePort frontend the mark of traffic to the node's addresses.
func (s frontendSpec) dstMatch() []openflow.MatchField {
	if !s.vip.IsValid() {
		return []openflow.MatchField{NodePortField.Match(1)}
	}
	return []openflow.MatchField{openflow.IPDst(hostPrefix(s.vip))}
}

// frontendLoads are the register loads of a new connection to the frontend.
func (s frontendSpec) frontendLoads() []openflow.Action {
	out := []openflow.Action{ServiceIDField.Load(s.id)}
	if s.snat {
		out = append(out, NodePortSNATField.Load(1))
	}
	return out
}

// endpointDNATFlow translates new connections to an endpoint. It is shared
// by every frontend with that endpoint, so its cookie names no frontend.
func (b flowBuilder) endpointDNATFlow(p proxy.Protocol, ep proxy.Endpoint) openflow.Flow {
	m := openflow.MustMatch(openflow.EthType(openflow.EthTypeIPv4), openflow.IPProto(ipProto(p)),
		EndpointIPField.Match(ipv4Uint(ep.IP)), EndpointPortField.Match(uint32(ep.Port)))
	ct := openflow.CT{Commit: true, Zone: CTZoneIPv4, Recirc: true, Table: AuditEgressRule, Actions: []openflow.Action{
		openflow.NAT{Flags: openflow.NATDst, IPMin: ep.IP, PortMin: ep.Port},
		openflow.SetField{Value: openflow.CTMarkMasked(ctMarkService, ctMarkService)},
		openflow.CopyField{Src: ServiceIDField.field(), Dst: openflow.FieldCTLabel, DstOfs: ctLabelSvcShift, NBits: 32},
		openflow.CopyField{Src: NodePortSNATField.field(), SrcOfs: uint16(NodePortSNATField.Ofs),
			Dst: openflow.FieldCTMark, DstOfs: ctMarkSNATShift, NBits: 1},
	}}
	return openflow.Flow{Table: EndpointDNAT, Priority: servicePriority, Cookie: cookie(b.round, categoryService, 0),
		Match: m, Instructions: openflow.Apply(ct)}
}

func ipv4Endpoints(eps []proxy.Endpoint) []proxy.Endpoint {
	var out []proxy.Endpoint
	for _, ep := range eps {
		if ep.IP.Is4() && ep.Port != 0 {
			out = append(out, ep)
		}
	}
	return out
}

func ipv4Uint(a netip.Addr) uint32 {
	b := a.As4()
	return binary.BigEndian.Uint32(b[:])
}
