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
	"encoding/hex"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Golden vectors captured from what ovs-ofctl sends to OVS 3.1 (ofctlProxy in
// ofctl_capture_test.go records them).

var (
	ctLabel1 = SetField{Value: CTLabelMasked(Uint128{Lo: 1}, Uint128{Lo: 0xffffffff})}
	conjFlow = Flow{
		Table: 14, Priority: 14500, Cookie: 0x1020000000000,
		Match:        MustMatch(IPv4Src(netip.MustParsePrefix("10.77.0.11/32"))),
		Instructions: Apply(Conjunction{ID: 1, Clause: 1, NClauses: 3}),
	}
	conjActionFlow = Flow{
		Table: 14, Priority: 14500,
		Match: MustMatch(ConjID(1), EthType(EthTypeIPv4)),
		Instructions: Apply(
			SetFieldUint(Reg(6), 1),
			CT{Commit: true, Zone: 0xfff0, Recirc: true, Table: 17, Actions: []Action{ctLabel1}},
		),
	}
	reg0Output = SetField{Value: RegFieldMasked(0, 0x400000, 0x600000)}
)

func TestGoldenMessages(t *testing.T) {
	tests := []struct {
		name string
		xid  uint32
		msg  Message
		want string
	}{
		{
			name: "flow_mod add conjunction",
			xid:  6, msg: AddFlow(conjFlow),
			want: "060e006000000006 0001020000000000 0000000000000000 0e 00 0000 0000 38a4 ffffffff ffffffff ffffffff 0000 0000" +
				"0001 0012 80000a02 0800 80001604 0a4d000b 000000000000" +
				"0004 0018 00000000 ffff0010 00002320 0022 00 03 00000001",
		},
		{
			name: "flow_mod delete cookie round",
			xid:  6, msg: DeleteCookie(0x0001000000000000, 0xffff000000000000),
			want: "060e003800000006 0001000000000000 ffff000000000000 ff 03 0000 0000 8000 ffffffff ffffffff ffffffff 0000 0000 0001 0004 00000000",
		},
		{
			name: "group_mod modify all",
			xid:  6,
			msg: GroupMod{Command: GroupModify, Type: GroupTypeAll, GroupID: 1, Buckets: []Bucket{
				{ID: 0, Actions: []Action{ResubmitTable(17)}},
				{ID: 1, Actions: []Action{reg0Output, ResubmitTable(19)}},
			}},
			want: "060f0058 00000006 0001 00 00 00000001 0040 0000 ffffffff" +
				"0018 0010 00000000 ffff0010 00002320 000e fff8 11 000000" +
				"0028 0020 00000001 0019 0010 00010108 00400000 00600000 ffff0010 00002320 000e fff8 13 000000",
		},
		{
			name: "packet_out to port 1",
			xid:  0x65,
			msg:  PacketOut{InPort: 2, Actions: []Action{Output{Port: 1, MaxLen: 0xffff}}, Data: make([]byte, 54)},
			want: "060d0066 00000065 ffffffff 0010 0000 0001000c 80000004 00000002 00000000 0000 0010 00000001 ffff 000000000000" +
				hex.EncodeToString(make([]byte, 54)),
		},
		{name: "set_packet_in_format nxt2", xid: 7, msg: SetPacketInFormat{Format: PacketInFormatNXT2}, want: "06040014 00000007 00002320 00000010 00000002"},
		{name: "set_controller_id", xid: 8, msg: SetControllerID{ID: 0x1234}, want: "06040018 00000008 00002320 00000014 000000000000 1234"},
		{name: "bundle open", xid: 9, msg: BundleControl{BundleID: 3, Type: BundleOpenRequest, Flags: BundleAtomic | BundleOrdered}, want: "06210010 00000009 00000003 0000 0003"},
		{
			name: "flow_desc request all",
			xid:  10, msg: FlowDescRequest{Table: TableAll},
			want: "06120038 0000000a 0001 0000 00000000 ff000000 ffffffff ffffffff 00000000 0000000000000000 0000000000000000 0001 0004 00000000",
		},
		{name: "hello bitmap", xid: 1, msg: Hello{VersionBitmap: 1 << 6}, want: "06000010 00000001 0001 0008 00000040"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := AppendMessage(nil, tc.xid, tc.msg)
			assert.Equal(t, hex.EncodeToString(unhex(t, tc.want)), hex.EncodeToString(got))
			_, back, err := DecodeMessage(got)
			require.NoError(t, err)
			assert.Empty(t, cmp.Diff(tc.msg, back, cmpOpts...))
		})
	}
}

func TestGoldenFlowParts(t *testing.T) {
	tests := []struct {
		name string
		got  []byte
		want string
	}{
		{
			name: "conj_id action flow match+instructions",
			got:  AppendMessage(nil, 1, AddFlow(conjActionFlow))[48:],
			want: "0001 0012 00014a04 00000001 80000a02 0800 000000000000 0004 0058 00000000" +
				"0019 0010 00010c04 00000001 00000000" +
				"ffff 0040 00002320 0023 0001 00000000 fff0 11 000000 0000" +
				"0019 0028 0001d920 00000000000000000000000000000001 000000000000000000000000ffffffff",
		},
		{
			name: "ct nat recirc",
			got:  Apply(CT{Zone: 0xfff0, Recirc: true, Table: 6, Actions: []Action{NAT{}}}).Bytes(),
			want: "0004 0030 00000000 ffff0028 00002320 0023 0000 00000000 fff0 06 000000 0000 ffff0010 00002320 0024 0000 0000 0000",
		},
		{
			name: "move reg0 to ct_mark",
			got:  AppendActions(nil, CopyField{Src: Reg(0), Dst: FieldCTMark, NBits: 4}),
			want: "001c 0018 0004 0000 0000 0000 00010004 0001d604 00000000",
		},
		{
			name: "meter and controller userdata",
			got:  Apply(Meter{ID: 256}, Controller{Reason: ReasonNoMatch, Userdata: []byte{1, 2}}).Bytes(),
			want: "0004 0030 00000000 001d0008 00000100 ffff0020 00002320 0025 000000000000 0002 0005 00 000000 0003 0006 0102 0000",
		},
		{name: "output reg1", got: AppendActions(nil, OutputToReg(1)), want: "ffff0018 00002320 000f 001f 00010204 ffff 000000000000"},
		{name: "goto 17", got: Goto(17).Bytes(), want: "0001 0008 11 000000"},
		{name: "group 1", got: AppendActions(nil, Group{ID: 1}), want: "0016 0008 00000001"},
		{name: "normal", got: AppendActions(nil, Output{Port: PortNormal}), want: "0000 0010 fffffffa 0000 000000000000"},
		{name: "dec_ttl", got: AppendActions(nil, DecTTL{}), want: "0018 0008 00000000"},
		{name: "note", got: AppendActions(nil, Note{Data: []byte{1, 2}}), want: "ffff0010 00002320 0008 0102 00000000"},
		{name: "drop", got: Drop().Bytes(), want: ""},
		{name: "empty apply is drop", got: Apply().Bytes(), want: ""},
		{
			name: "oxs stats",
			got: FlowDescReply{Flows: []FlowStats{{Duration: oxsToDur(0x0000002e23d28840), IdleTime: oxsToDur(0x0000002d00000000),
				PacketCount: 2, ByteCount: 0x94}}}.AppendBody(nil)[8+24+8+4:][:48],
			want: "80020008 0000002e23d28840 80020208 0000002d00000000 80020808 0000000000000002 80020a08 0000000000000094",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, hex.EncodeToString(unhex(t, tc.want)), hex.EncodeToString(tc.got))
		})
	}
}

func TestGoldenPacketIn2Metadata(t *testing.T) {
	meta := unhex(t, "80000004 00000001 80000a02 0800 80010008 06401403 00000002 80010208 0000000e 00000003"+
		"80010510 10000000 00000000 ffffffff 00000000 0001d308 00000021 000000ff 0001d402 fff0")
	pi := PacketIn2{Packet: []byte{1, 2, 3}, TableID: 19, Cookie: 0x1020000000003, Reason: ReasonNoMatch, Userdata: []byte{1, 2}}
	msg := AppendMessage(nil, 0, pi)
	// splice the captured metadata in as OVS sends it.
	msg = AppendMessage(nil, 0, Experimenter{Experimenter: NiciraID, ExpType: nxtPacketIn2, Data: appendProp(msg[16:], pinMetadata, meta)})
	_, m, err := DecodeMessage(msg)
	require.NoError(t, err)
	got := m.(PacketIn2)
	assert.Equal(t, uint32(0x06401403), got.Reg(0))
	assert.Equal(t, uint32(2), got.Reg(1))
	assert.Equal(t, uint32(14), got.Reg(2))
	assert.Equal(t, uint32(3), got.Reg(3))
	assert.Equal(t, uint32(0x10000000), got.Reg(4))
	_, has5 := got.Field(Reg(5))
	assert.False(t, has5, "reg5 is masked out in the xreg2 form")
	ct, ok := got.Field(FieldCTState)
	require.True(t, ok)
	assert.Equal(t, uint64(0x21), ct.Uint())
	zone, _ := got.Field(FieldCTZone)
	assert.Equal(t, uint64(0xfff0), zone.Uint())
	inPort, _ := got.Field(FieldInPort)
	assert.Equal(t, uint64(1), inPort.Uint())
	assert.Equal(t, []byte{1, 2}, got.Userdata)
	assert.Equal(t, uint8(19), got.TableID)
	assert.Equal(t, uint64(0x1020000000003), got.Cookie)
}
