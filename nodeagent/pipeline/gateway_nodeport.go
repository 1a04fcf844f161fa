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
	"net/netip"

	"github.com/strata-net/strata/nodeagent/ovs/openflow"
)

// NodePorts. The host (nodenet.NodePortSteering) routes connections to
// NodeIP:<NodePort range> and the replies to the gateway IP into the
// gateway port; OVS serves them:
//   - ConntrackState: a new connection from the gateway to a node address
//     gets NodePortField and goes to SessionAffinity and ServiceLB, whose
//     NodePort frontends (proxy.go) match NodePortField and the port; other
//     ports miss and go back out of the gateway to the host;
//   - externalTrafficPolicy Cluster: the frontend sets NodePortSNATField,
//     EndpointDNAT keeps it in ct_mark bit 5, and ServiceSNAT SNATs every
//     original-direction packet of such connections to the gateway IP (zone
//     65521), so that the endpoint, local or on another node, answers to
//     this node; UnSNAT un-SNATs packets to the gateway IP before the
//     ct(nat) that un-DNATs them;
//   - Output: packets from the gateway for the gateway leave by in_port;
//   - with AllowHostIngress, these SNATed connections skip the local
//     endpoint's ingress policy like the host's own: the endpoint sees the
//     gateway IP as their source. eTP Local connections keep the client's
//     address, and ingress policy applies to it.

// gwNodePortPriority is above the gateway's skip of the Service and
// egress tables (190).
const gwNodePortPriority = 195

// servesNodePorts tells whether the pipeline has what NodePorts need.
func (p *Pipeline) servesNodePorts() bool {
	g := p.cfg.Gateway
	return g != nil && gatewayIPv4(g).IsValid() && len(ipv4Only(g.NodeIPs)) > 0
}

func gatewayIPv4(g *Gateway) netip.Addr {
	for _, a := range g.addrs() {
		if a.Is4() {
			return a
		}
	}
	return netip.Addr{}
}

func ipv4Only(addrs []netip.Addr) []netip.Addr {
	var out []netip.Addr
	for _, a := range addrs {
		if a.Unmap().Is4() {
			out = append(out, a.Unmap())
		}
	}
	return out
}

// nodePortFlows are the gateway's NodePort flows (none without an IPv4
// gateway IP and node address).
func (b flowBuilder) nodePortFlows(g *Gateway, c uint64) []openflow.Flow {
	gwIP := gatewayIPv4(g)
	nodeIPs := ipv4Only(g.NodeIPs)
	if !gwIP.IsValid() || len(nodeIPs) == 0 {
		return nil
	}
	var out []openflow.Flow
	add := func(table uint8, prio uint16, instr openflow.Instructions, fields ...openflow.MatchField) {
		out = append(out, openflow.Flow{Table: table, Priority: prio, Cookie: c,
			Match: openflow.MustMatch(fields...), Instructions: instr})
	}
	ip := openflow.EthType(openflow.EthTypeIPv4)
	for _, a := range nodeIPs {
		add(ConntrackState, gwNodePortPriority, openflow.Apply(NodePortField.Load(1),
			openflow.ResubmitTable(SessionAffinity), openflow.ResubmitTable(ServiceLB)),
			ip, PktSourceField.Match(PktSourceGateway), newConnState(), openflow.IPDst(hostPrefix(a)))
	}
	add(UnSNAT, basePriority, openflow.Apply(openflow.CT{Zone: CTZoneSNATv4, Recirc: true, Table: ConntrackZone,
		Actions: []openflow.Action{openflow.NAT{}}}), ip, openflow.IPDst(hostPrefix(gwIP)))
	snatted := openflow.CTMarkMasked(ctMarkSNAT, ctMarkSNAT)
	add(ServiceSNAT, basePriority, openflow.Apply(openflow.CT{Commit: true, Zone: CTZoneSNATv4, Recirc: true,
		Table: Output, Actions: []openflow.Action{openflow.NAT{Flags: openflow.NATSrc, IPMin: gwIP}}}),
		ip, openflow.CTState(openflow.CTStateTrk, openflow.CTStateRpl|openflow.CTStateTrk), snatted)
	// Back out of the gateway it came in by (OVS drops output to in_port):
	// connections to an endpoint on another node, the replies from there,
	// and ports of the NodePort range that are no NodePort.
	port := uint32(g.OFPort)
	add(Output, hairpinOutPriority, openflow.Apply(openflow.Output{Port: openflow.PortInPort}),
		openflow.InPort(port), OutputField.Match(OutputToPort), TargetOFPortField.Match(port))
	if g.AllowHostIngress {
		add(IngressSecurityClassifier, gwHostPriority, openflow.Goto(ConntrackCommit), ip, snatted)
	}
	return out
}
