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
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"

	"github.com/strata-net/strata/nodeagent/ovs/openflow"
)

// Gateway is the node's gateway port: an OVS internal port whose kernel
// side holds the first IP of the node's Pod CIDR and is the Pods' default
// route. Everything that is not for a local Pod leaves through it, and
// everything from the node's host and from other nodes (routed by the host)
// enters through it.
type Gateway struct {
	// OFPort is the gateway's OpenFlow port. Required.
	OFPort int32
	// MAC is the gateway interface's MAC. Required.
	MAC net.HardwareAddr
	// IPs are the gateway's addresses, one per IP family. Required.
	IPs []net.IP
	// PodCIDRs are the node's Pod CIDRs: addresses in them that are not
	// local Pods are switched by MAC as on a gateway-less bridge, not routed
	// back to the gateway they may have come from.
	PodCIDRs []netip.Prefix
	// AllowHostIngress lets connections from the node itself (entering from
	// the gateway with a gateway IP as source: probes, host processes) skip
	// the ingress policy of local Pods, as Kubernetes specifies for traffic
	// from a Pod's own node. Traffic routed in from other nodes keeps its
	// source address and stays subject to ingress policy.
	AllowHostIngress bool
	// NodeIPs are the node's own addresses whose NodePorts the host steers
	// into the gateway (nodenet.NodePortSteering). With an IPv4 one and an
	// IPv4 gateway IP, the pipeline load-balances NodePort traffic from the
	// gateway (gateway_nodeport.go); without, NodePorts are not served.
	NodeIPs []netip.Addr
}

// validate checks the gateway configuration, naming the field.
func (g *Gateway) validate() error {
	var errs []error
	if g.OFPort <= 0 || g.OFPort > 0xfeff {
		errs = append(errs, fmt.Errorf("pipeline: Gateway.OFPort %d out of range 1..65279", g.OFPort))
	}
	if len(g.MAC) != 6 {
		errs = append(errs, fmt.Errorf("pipeline: Gateway.MAC %q is not a 6-byte MAC", g.MAC))
	}
	if len(g.IPs) == 0 {
		errs = append(errs, errors.New("pipeline: Gateway.IPs is empty"))
	}
	for _, ip := range g.IPs {
		if _, ok := netip.AddrFromSlice(ip); !ok {
			errs = append(errs, fmt.Errorf("pipeline: Gateway.IPs has an invalid address %q", ip))
		}
	}
	for _, c := range g.PodCIDRs {
		if !c.IsValid() || c != c.Masked() || c.Addr().Is4In6() {
			errs = append(errs, fmt.Errorf("pipeline: Gateway.PodCIDRs has an invalid CIDR %q", c))
		}
	}
	for _, a := range g.NodeIPs {
		if !a.IsValid() || a.Is4In6() {
			errs = append(errs, fmt.Errorf("pipeline: Gateway.NodeIPs has an invalid address %q", a))
		}
	}
	return errors.Join(errs...)
}

// clone copies the slices, so the caller may reuse them.
func (g *Gateway) clone() *Gateway {
	out := *g
	out.MAC = slices.Clone(g.MAC)
	out.IPs = slices.Clone(g.IPs)
	out.PodCIDRs = slices.Clone(g.PodCIDRs)
	out.NodeIPs = slices.Clone(g.NodeIPs)
	return &out
}

// addrs returns the gateway IPs as unmapped netip addresses.
func (g *Gateway) addrs() []netip.Addr {
	out := make([]netip.Addr, 0, len(g.IPs))
	for _, ip := range g.IPs {
		if a, ok := netip.AddrFromSlice(ip); ok {
			out = append(out, a.Unmap())
		}
	}
	return out
}

// PktSourceField value of packets from the gateway.
const PktSourceGateway uint32 = 2

// Priorities of the gateway flows (Pod flows are at 190/200).
const (
	gwClassifierPriority = 190
	gwPriority           = 200
	gwSkipEgressPriority = 190 // below the +inv drop
	gwLocalCIDRPriority  = 190 // below the Pod and gateway IPs
	gwDefaultPriority    = 180 // below the local CIDRs
	gwHostPriority       = 190 // below "to the gateway"
	ownerGateway         = ownerKey("gateway")
)

// gatewayFlows are the flows of the gateway port:
//   - Classifier: in_port=gw marks the packet as from the gateway; no spoof
//     guard (the host routes packets of any source), ARP and neighbor
//     discovery go to NORMAL like the Pods';
//   - ConntrackState: packets from the gateway skip the egress policy
//     tables (egress was enforced where they left a Pod), but keep
//     conntrack and ingress policy;
//   - L3Forwarding: to a gateway IP, or to anything that is neither a local
//     Pod nor in the local Pod CIDRs → eth_dst := gateway MAC;
//   - L2ForwardingCalc: dl_dst=gateway MAC → the gateway port;
//   - IngressSecurityClassifier: to the gateway skips ingress policy (the
//     destination node enforces it); from the host itself optionally too.
func (b flowBuilder) gatewayFlows(g *Gateway) []openflow.Flow {
	port := uint32(g.OFPort)
	c := cookie(b.round, categoryGateway, port)
	var out []openflow.Flow
	add := func(table uint8, prio uint16, instr openflow.Instructions, fields ...openflow.MatchField) {
		out = append(out, openflow.Flow{Table: table, Priority: prio, Cookie: c,
			Match: openflow.MustMatch(fields...), Instructions: instr})
	}
	inPort := openflow.InPort(port)
	normal := openflow.Apply(openflow.Output{Port: openflow.PortNormal})
	toGateway := openflow.Apply(openflow.SetField{Value: openflow.EthDst(g.MAC)}).Goto(L2ForwardingCalc)
	fromGateway := PktSourceField.Match(PktSourceGateway)

	add(Classifier, gwClassifierPriority, openflow.Apply(PktSourceField.Load(PktSourceGateway)).Goto(SpoofGuard), inPort)
	add(ConntrackState, gwSkipEgressPriority, openflow.Goto(L3Forwarding), fromGateway)
	var families family
	for _, a := range g.addrs() {
		families |= familyOf(a)
		eth := openflow.EthType(familyOf(a).ethType())
		host := netip.PrefixFrom(a, a.BitLen())
		add(L3Forwarding, gwPriority, toGateway, eth, openflow.IPDst(host))
		if g.AllowHostIngress {
			add(IngressSecurityClassifier, gwHostPriority, openflow.Goto(ConntrackCommit), eth, fromGateway, openflow.IPSrc(host))
		}
	}
	families.each(func(f family) {
		eth := openflow.EthType(f.ethType())
		add(SpoofGuard, gwPriority, openflow.Goto(UnSNAT), eth, inPort)
		add(L3Forwarding, gwDefaultPriority, toGateway, eth)
		if f == ipv4 {
			add(SpoofGuard, gwPriority, normal, openflow.EthType(openflow.EthTypeARP), inPort)
			return
		}
		for _, typ := range []uint8{135, 136} { // neighbor solicitation, advertisement
			add(SpoofGuard, ndPriority, normal, eth, openflow.IPProto(openflow.IPProtoICMPv6), inPort, openflow.ICMPv6Type(typ))
		}
	})
	for _, cidr := range g.PodCIDRs {
		add(L3Forwarding, gwLocalCIDRPriority, openflow.Goto(L2ForwardingCalc),
			openflow.EthType(familyOf(cidr.Addr()).ethType()), openflow.IPDst(cidr))
	}
	add(L2ForwardingCalc, gwPriority, openflow.Apply(TargetOFPortField.Load(port), OutputField.Load(OutputToPort)).
		Goto(IngressSecurityClassifier), openflow.EthDst(g.MAC))
	add(IngressSecurityClassifier, gwPriority, openflow.Goto(ConntrackCommit), TargetOFPortField.Match(port))
	return append(out, b.nodePortFlows(g, c)...)
}
