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

// Priorities of the Service proxy's static flows.
const (
	svcSkipPriority    = 180 // below the gateway's skip of egress (190)
	affinityHitPrio    = 210 // above the Services' own flows
	hairpinOutPriority = 210 // above the plain output
)

// serviceBaseFlows are the Service proxy's flows that depend on no Service:
//   - ConntrackState: packets of a tracked connection that is not new skip
//     the Service tables (conntrack's nat already translated them); a new
//     packet of a connection already DNATed to an endpoint (a retransmitted
//     SYN) gets its Service port's id back from ct_label for toServices;
//   - UnSNAT: replies to the hairpin address are un-SNATed and marked to
//     leave by the port they came in by;
//   - Output: hairpin packets leave by their in_port.
func (c baseConfig) serviceBaseFlows() []openflow.Flow {
	var out []openflow.Flow
	add := func(table uint8, prio uint16, m openflow.Match, instr openflow.Instructions) {
		out = append(out, openflow.Flow{Table: table, Priority: prio, Cookie: c.cookie(), Match: m, Instructions: instr})
	}
	trk := openflow.CTStateTrk
	add(ConntrackState, svcSkipPriority, openflow.MustMatch(openflow.CTState(trk, openflow.CTStateNew|trk)),
		openflow.Goto(AntreaPolicyEgressRule))
	add(ConntrackState, svcSkipPriority, openflow.MustMatch(
		openflow.CTState(openflow.CTStateNew|openflow.CTStateDNAT|trk, openflow.CTStateNew|openflow.CTStateDNAT|trk),
		openflow.CTMarkMasked(ctMarkService, ctMarkService)),
		openflow.Apply(openflow.CopyField{Src: openflow.FieldCTLabel, SrcOfs: ctLabelSvcShift,
			Dst: ServiceIDField.field(), NBits: 32}).Goto(AuditEgressRule))
	ip := openflow.EthType(openflow.EthTypeIPv4)
	add(UnSNAT, basePriority, openflow.MustMatch(ip, openflow.IPDst(hostPrefix(HairpinIPv4))),
		openflow.Apply(HairpinField.Load(1), openflow.CT{Zone: CTZoneSNATv4, Recirc: true, Table: ConntrackZone,
			Actions: []openflow.Action{openflow.NAT{}}}))
	add(Output, hairpinOutPriority, openflow.MustMatch(HairpinField.Match(1), OutputField.Match(OutputToPort)),
		openflow.Apply(openflow.Output{Port: openflow.PortInPort}))
	return out
}

// hairpinFlow SNATs a local Pod's connection to itself through a Service
// (source and destination both its address after DNAT) to the hairpin
// address, so that the Pod accepts it, and sends it back out of its port.
func (b flowBuilder) hairpinFlow(cookie uint64, a netip.Addr) openflow.Flow {
	host := hostPrefix(a)
	return openflow.Flow{Table: ServiceSNAT, Priority: basePriority, Cookie: cookie,
		Match: openflow.MustMatch(openflow.EthType(openflow.EthTypeIPv4), openflow.IPSrc(host), openflow.IPDst(host),
			openflow.CTMarkMasked(ctMarkService, ctMarkService)),
		Instructions: openflow.Apply(HairpinField.Load(1), openflow.CT{Commit: true, Zone: CTZoneSNATv4, Recirc: true,
			Table: Output, Actions: []openflow.Action{openflow.NAT{Flags: openflow.NATSrc, IPMin: HairpinIPv4}}})}
}

func hostPrefix(a netip.Addr) netip.Prefix { return netip.PrefixFrom(a, a.BitLen()) }
