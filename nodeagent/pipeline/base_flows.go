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
	"github.com/strata-net/strata/nodeagent/ovs/openflow"
)

// Priorities of the static flows.
const (
	bypassPriority  = 64990 // established/related bypass in the policy tables
	basePriority    = 200
	rejectPriority  = 210 // generated reject packet-outs skip ingress policy
	missPriority    = 0
	ownerBase       = ownerKey("base")
	maxPacketInOps  = 7
	defaultInRate   = 5000
	packetInCatByte = PacketInCategoryNetworkPolicy
)

// Groups used by logging and Reject: bucket 0 continues the pipeline (the
// metric table, which counts and drops denied packets, or the K8s rule
// table after Pass), bucket 1 sends the packet to the Output table marked
// for the controller.
const (
	groupIngressDeny uint32 = 1 + iota
	groupEgressDeny
	groupIngressPass
	groupEgressPass
	groupIngressAudit
	groupEgressAudit
)

// baseConfig is what the static part of the pipeline depends on.
type baseConfig struct {
	round        uint16
	controllerID uint16
	meter        bool
}

func (c baseConfig) cookie() uint64 { return cookie(c.round, categoryBase, 0) }

// baseFlows are the flows that do not depend on Pods or rules: table-miss
// flows, conntrack, the established bypass, commit and output.
func baseFlows(c baseConfig) []openflow.Flow {
	var out []openflow.Flow
	add := func(table uint8, prio uint16, m openflow.Match, instr openflow.Instructions) {
		out = append(out, openflow.Flow{Table: table, Priority: prio, Cookie: c.cookie(), Match: m, Instructions: instr})
	}
	for id := range numTables {
		instr := openflow.Drop()
		switch tables[id].miss {
		case missNext:
			instr = openflow.Goto(id + 1)
		case missResubmitServices:
			instr = openflow.Apply(openflow.ResubmitTable(SessionAffinity), openflow.ResubmitTable(ServiceLB))
		}
		add(id, missPriority, openflow.Match{}, instr)
	}
	for _, f := range []family{ipv4, ipv6} {
		eth := openflow.MustMatch(openflow.EthType(f.ethType()))
		add(ConntrackZone, basePriority, eth, openflow.Apply(
			openflow.CT{Zone: f.zone(), Recirc: true, Table: ConntrackState, Actions: []openflow.Action{openflow.NAT{}}}))
		add(ConntrackCommit, basePriority, mustWith(eth, openflow.CTState(openflow.CTStateNew|openflow.CTStateTrk,
			openflow.CTStateNew|openflow.CTStateTrk)), openflow.Apply(openflow.CT{Commit: true, Zone: f.zone(),
			Recirc: true, Table: ServiceSNAT, Actions: []openflow.Action{openflow.CopyField{
				Src: PktSourceField.field(), Dst: openflow.FieldCTMark, NBits: ctMarkSourceBits}}}))
	}
	add(ConntrackState, basePriority, openflow.MustMatch(openflow.CTState(openflow.CTStateInv|openflow.CTStateTrk,
		openflow.CTStateInv|openflow.CTStateTrk)), openflow.Drop())
	for _, d := range directions {
		for _, state := range []uint32{openflow.CTStateEst, openflow.CTStateRel} {
			add(d.policy, bypassPriority, openflow.MustMatch(openflow.CTState(state, openflow.CTStateNew|state)),
				openflow.Goto(d.metric))
		}
	}
	out = append(out, c.serviceBaseFlows()...)
	add(IngressSecurityClassifier, rejectPriority, openflow.MustMatch(GeneratedRejectField.Match(1)), openflow.Goto(Output))
	add(Output, basePriority, openflow.MustMatch(OutputField.Match(OutputToPort)),
		openflow.Apply(openflow.OutputToReg(TargetOFPortField.Reg)))
	for op := uint32(1); op <= maxPacketInOps; op++ {
		add(Output, basePriority, openflow.MustMatch(packetInMatch(op)), openflow.Apply(c.packetInActions(op)...))
	}
	out = append(out, c.auditBaseFlows()...)
	return out
}

// packetInMatch matches packets marked for the controller with operations op.
func packetInMatch(op uint32) openflow.MatchField {
	v := op<<PacketInOperationField.Ofs | OutputToController<<OutputField.Ofs
	return openflow.RegFieldMasked(0, v, PacketInOperationField.Mask()|OutputField.Mask())
}

func (c baseConfig) packetInActions(op uint32) []openflow.Action {
	ctrl := openflow.Controller{Reason: openflow.ReasonNoMatch, ID: c.controllerID,
		Userdata: []byte{packetInCatByte, byte(op)}}
	if !c.meter {
		return []openflow.Action{ctrl}
	}
	return []openflow.Action{openflow.Meter{ID: PacketInMeterID}, ctrl}
}

func mustWith(m openflow.Match, fields ...openflow.MatchField) openflow.Match {
	out, err := m.With(fields...)
	if err != nil {
		panic(err)
	}
	return out
}

// baseGroups are the logging/reject groups.
func baseGroups() []openflow.GroupMod {
	toController := []openflow.Action{OutputField.Load(OutputToController), openflow.ResubmitTable(Output)}
	group := func(id uint32, next uint8) openflow.GroupMod {
		return openflow.GroupMod{Type: openflow.GroupTypeAll, GroupID: id, Buckets: []openflow.Bucket{
			{ID: 0, Actions: []openflow.Action{openflow.ResubmitTable(next)}},
			{ID: 1, Actions: toController},
		}}
	}
	return append([]openflow.GroupMod{
		group(groupIngressDeny, IngressMetric),
		group(groupEgressDeny, EgressMetric),
		group(groupIngressPass, IngressRule),
		group(groupEgressPass, EgressRule),
	}, auditGroups()...)
}

// packetInMeter rate-limits packet-ins (packets/s, burst twice the rate).
func packetInMeter(rate uint32) openflow.MeterMod {
	return openflow.MeterMod{Flags: openflow.MeterPktps | openflow.MeterBurst, MeterID: PacketInMeterID,
		Bands: []openflow.MeterBand{{Type: openflow.MeterBandDrop, Rate: rate, BurstSize: 2 * rate}}}
}
