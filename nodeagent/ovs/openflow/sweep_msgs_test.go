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

package openflow

import (
	"fmt"
	"time"
)

func flowCases() []msgCase {
	var out []msgCase
	for i, mc := range allMatchCases() {
		m, err := NewMatch(mc.fields...)
		if err != nil {
			panic(fmt.Sprintf("match %q: %v", mc.name, err))
		}
		f := Flow{Table: uint8(i % 20), Priority: uint16(100 + i), Cookie: 0x1020000000000 | uint64(i), Match: m,
			Instructions: Apply(Output{Port: 1})}
		out = append(out,
			msgCase{"add " + mc.name, AddFlow(f)},
			msgCase{"del_strict " + mc.name, DeleteFlowStrict(f.Key())},
			msgCase{"dump " + mc.name, FlowDescRequest{Table: f.Table, Match: m, Cookie: f.Cookie, CookieMask: ^uint64(0)}},
		)
	}
	for i, ac := range allActionCases() {
		m, err := NewMatch(ac.match...)
		if err != nil {
			panic(fmt.Sprintf("action %q: %v", ac.name, err))
		}
		ins := Apply(ac.acts...)
		if _, conj := ac.acts[0].(Conjunction); i%3 == 0 && !conj {
			ins = ins.Goto(19)
		}
		f := Flow{Table: 3, Priority: 200, Cookie: uint64(i), Match: m, Instructions: ins}
		out = append(out, msgCase{"actions " + ac.name, AddFlow(f)})
	}
	return out
}

func flowModVariantCases() []msgCase {
	base := Flow{Table: 5, Priority: 200, Cookie: 9, Match: MustMatch(EthType(EthTypeIPv4)), Instructions: Goto(6)}
	timed := base
	timed.IdleTimeout, timed.HardTimeout, timed.Flags, timed.Importance = 10, 20, FlagSendFlowRem|FlagResetCounts, 3
	return []msgCase{
		{"flow drop", AddFlow(Flow{Table: 0, Priority: 0})},
		{"flow goto only", AddFlow(base)},
		{"flow timeouts flags", AddFlow(timed)},
		{"flow no counts", AddFlow(Flow{Table: 1, Priority: 1, Flags: FlagNoPktCounts | FlagNoBytCounts})},
		{"flow modify strict", ModifyFlowStrict(base)},
		{"flow modify nonstrict", FlowMod{Command: FlowModify, Flow: base, CookieMask: ^uint64(0)}},
		{"flow delete table cookie", DeleteFlows(5, Match{}, 9, ^uint64(0))},
		{"flow delete cookie round", DeleteCookie(2<<48, 0xffff<<48)},
		{"flow delete match", DeleteFlows(TableAll, MustMatch(InPort(3)), 0, 0)},
		{"flow delete out_port", FlowMod{Command: FlowDelete, Flow: Flow{Table: TableAll}, OutPort: 2}},
		{"flow delete out_group", FlowMod{Command: FlowDelete, Flow: Flow{Table: TableAll}, OutGroup: 1}},
		{"flow delete all", DeleteFlows(TableAll, Match{}, 0, 0)},
	}
}

func groupMeterCases() []msgCase {
	return []msgCase{
		{"group add all", GroupMod{Command: GroupAdd, Type: GroupTypeAll, GroupID: 1, Buckets: []Bucket{
			{ID: 0, Actions: []Action{ResubmitTable(16)}}, {ID: 1, Actions: []Action{reg0Output, ResubmitTable(19)}}}}},
		{"group add select", GroupMod{Command: GroupAdd, Type: GroupTypeSelect, GroupID: 2, Buckets: []Bucket{
			{ID: 0, Weight: 100, Actions: []Action{Output{Port: 1}}}, {ID: 1, Weight: 50, Actions: []Action{Output{Port: 2}}}}}},
		{"group add indirect", GroupMod{Command: GroupAdd, Type: GroupTypeIndirect, GroupID: 3, Buckets: []Bucket{{Actions: []Action{Output{Port: 1}}}}}},
		{"group add empty", GroupMod{Command: GroupAdd, Type: GroupTypeAll, GroupID: 4}},
		{"group modify", GroupMod{Command: GroupModify, Type: GroupTypeAll, GroupID: 1, Buckets: []Bucket{{ID: 7, Actions: []Action{Output{Port: PortController, MaxLen: 0xffff}}}}}},
		{"group delete", GroupMod{Command: GroupDelete, GroupID: 1}},
		{"group delete all", DeleteAllGroups()},
		{"meter add pktps burst", MeterMod{Command: MeterAdd, Flags: MeterPktps | MeterBurst | MeterStats, MeterID: 256,
			Bands: []MeterBand{{Type: MeterBandDrop, Rate: 5000, BurstSize: 10000}}}},
		{"meter add kbps", MeterMod{Command: MeterAdd, Flags: MeterKbps, MeterID: 1, Bands: []MeterBand{{Type: MeterBandDrop, Rate: 1000}}}},
		{"meter modify", MeterMod{Command: MeterModify, Flags: MeterPktps, MeterID: 256, Bands: []MeterBand{{Type: MeterBandDrop, Rate: 100}}}},
		{"meter delete", MeterMod{Command: MeterDelete, MeterID: 256}},
		{"meter delete all", DeleteAllMeters()},
	}
}

// innerXid marks messages embedded in errors; it never collides with the
// sweep's top-level xids (1..N).
const innerXid = 0xdead0000

func sessionCases() []msgCase {
	flow := AddFlow(conjFlow)
	return []msgCase{
		{"hello", Hello{}},
		{"hello bitmap", Hello{VersionBitmap: 0x40}},
		{"echo request", EchoRequest{Data: []byte("ping")}},
		{"echo reply", EchoReply{}},
		{"features request", FeaturesRequest{}},
		{"features reply", FeaturesReply{DatapathID: 0x77, NTables: 254, Capabilities: 0x4f}},
		{"set config", SetConfig{MissSendLen: 0xffff}},
		{"barrier request", BarrierRequest{}},
		{"barrier reply", BarrierReply{}},
		{"packet in format", SetPacketInFormat{Format: PacketInFormatNXT2}},
		{"controller id", SetControllerID{ID: 0x1234}},
		{"bundle open", BundleControl{BundleID: 1, Type: BundleOpenRequest, Flags: BundleAtomic | BundleOrdered}},
		{"bundle open reply", BundleControl{BundleID: 1, Type: BundleOpenReply}},
		{"bundle close", BundleControl{BundleID: 1, Type: BundleCloseRequest, Flags: BundleAtomic}},
		{"bundle commit", BundleControl{BundleID: 1, Type: BundleCommitRequest, Flags: BundleAtomic | BundleOrdered}},
		{"bundle commit reply", BundleControl{BundleID: 1, Type: BundleCommitReply}},
		{"bundle discard", BundleControl{BundleID: 1, Type: BundleDiscardRequest}},
		{"bundle add flow", BundleAdd{BundleID: 1, Flags: BundleAtomic | BundleOrdered, Message: flow}},
		{"bundle add delete", BundleAdd{BundleID: 1, Flags: BundleAtomic, Message: DeleteCookie(1<<48, 0xffff<<48)}},
		{"bundle add group", BundleAdd{BundleID: 2, Message: DeleteAllGroups()}},
		{"error bad prereq", ErrorMsg{Type: 4, Code: 9, Data: AppendMessage(nil, innerXid, flow)}},
		{"error nx must be zero", ErrorMsg{Type: ErrorTypeExperimenter, Code: 4, Experimenter: NiciraID, Data: AppendMessage(nil, innerXid, flow)}},
		{"error bundle", ErrorMsg{Type: 17, Code: 13, Data: AppendMessage(nil, innerXid, BundleControl{Type: BundleCommitRequest})}},
	}
}

func packetCases() []msgCase {
	frame := make([]byte, 54)
	copy(frame, []byte{2, 0, 0, 0, 0, 0x11, 2, 0, 0, 0, 0, 0x12, 0x08, 0x00, 0x45})
	meta := MustMatch(RegField(0, 0x2000), RegField(8, 0xfff0))
	return []msgCase{
		{"packet out port", PacketOut{InPort: 2, Actions: []Action{Output{Port: 1}}, Data: frame}},
		{"packet out table", PacketOut{InPort: 2, Actions: []Action{Output{Port: PortTable}}, Data: frame}},
		{"packet out controller", PacketOut{InPort: PortController, Actions: []Action{Output{Port: 3}}, Data: frame}},
		{"packet out metadata resubmit", PacketOut{InPort: 2, Metadata: meta, Actions: []Action{LoadReg(0, 1, 13, 1), ResubmitTable(4)}, Data: frame}},
		{"packet in2", PacketIn2{Packet: frame, TableID: 19, Cookie: 0x1020000000003, Reason: ReasonNoMatch,
			Metadata: MustMatch(InPort(1), RegField(0, 0x6401403), RegField(1, 2), RegField(2, 14), CTState(0x21, 0xff), CTZone(0xfff0)),
			Userdata: []byte{1, 2}}},
		{"packet in2 truncated", PacketIn2{Packet: frame[:20], FullLen: 54, TableID: 3, Reason: ReasonAction}},
		{"flow desc reply", FlowDescReply{Flags: MultipartMore, Flows: []FlowStats{
			{Flow: conjFlow, Duration: 46*time.Second + 600000000, IdleTime: 45 * time.Second, PacketCount: 2, ByteCount: 148},
			{Flow: conjActionFlow, Duration: time.Second},
		}}},
		{"flow desc reply empty", FlowDescReply{}},
	}
}

func sweepMessages() []msgCase {
	var out []msgCase
	for _, f := range []func() []msgCase{flowCases, flowModVariantCases, groupMeterCases, sessionCases, packetCases} {
		out = append(out, f()...)
	}
	return out
}
