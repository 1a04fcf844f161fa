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

import "net/netip"

// ofctlGolden is one message as ovs-ofctl 3.1 sends it (-O OpenFlow15,
// captured through ofctlProxy, xid 0) next to our value for it.
type ofctlGolden struct {
	name string
	cmd  string // ovs-ofctl command: add-flow or add-group
	text string // its argument, in ovs-ofctl syntax
	msg  Message
	want string // hex of the message ovs-ofctl sent
	// str is ovs-ofctl's rendering of the actions (ofp-print) that
	// String() of msg's actions must reproduce; "" skips the check.
	str string
}

// Session affinity learn specs shared by the TCP and UDP cases.
var affinityLoads = []LearnSpec{
	LearnMatchOf(FieldIPv4Dst), LearnMatchOf(FieldIPv4Src),
	LearnLoadOf(Whole(Reg(3))), LearnLoadOf(Bits(Reg(4), 0, 16)), LearnLoadImm(1, Bits(Reg(4), 17, 1)),
}

func learnFlow(table uint8, prio uint16, m Match, l Learn) Message {
	return AddFlow(Flow{Table: table, Priority: prio, Match: m, Instructions: Apply(l)})
}

func learnGoldens() []ofctlGolden {
	tcp := MustMatch(EthType(EthTypeIPv4), IPProto(IPProtoTCP))
	udp := MustMatch(EthType(EthTypeIPv4), IPProto(IPProtoUDP))
	ip := MustMatch(EthType(EthTypeIPv4))
	return []ofctlGolden{
		{
			name: "learn affinity idle_timeout tcp",
			cmd:  "add-flow",
			text: "table=5,priority=10,tcp,actions=learn(table=7,idle_timeout=10800,priority=200,delete_learned,cookie=0x1234,eth_type=0x800,nw_proto=6,NXM_OF_TCP_DST[],NXM_OF_IP_DST[],NXM_OF_IP_SRC[],load:NXM_NX_REG3[]->NXM_NX_REG3[],load:NXM_NX_REG4[0..15]->NXM_NX_REG4[0..15],load:0x1->NXM_NX_REG4[17])",
			want: "060e00d00000000000000000000000000000000000000000050000000000000a" +
				"ffffffffffffffffffffffff000000000001000f80000a020800800014010600" +
				"0004009000000000ffff00880000232000102a30000000c80000000000001234" +
				"0002070000000000201008000000060200002008000600000c01000000100000" +
				"140200000000140200000020000010040000000010040000002000000e040000" +
				"00000e0400000820000106040000000106040000081000010804000000010804" +
				"00002801000100010804001100000000",
			str: "learn(table=7,idle_timeout=10800,priority=200,delete_learned,cookie=0x1234,eth_type=0x800,nw_proto=6,NXM_OF_TCP_DST[],NXM_OF_IP_DST[],NXM_OF_IP_SRC[],load:NXM_NX_REG3[]->NXM_NX_REG3[],load:NXM_NX_REG4[0..15]->NXM_NX_REG4[0..15],load:0x1->NXM_NX_REG4[17])",
			msg: learnFlow(5, 10, tcp, Learn{Table: 7, IdleTimeout: 10800, Priority: 200, Flags: LearnDeleteLearned, Cookie: 0x1234,
				Specs: append([]LearnSpec{LearnMatchImm(FieldEthType, 0x800), LearnMatchImm(FieldIPProto, 6), LearnMatchOf(FieldTCPDst)}, affinityLoads...)}),
		},
		{
			name: "learn affinity hard_timeout udp",
			cmd:  "add-flow",
			text: "table=5,priority=11,udp,actions=learn(table=7,hard_timeout=300,priority=200,delete_learned,cookie=0x1020000000001,eth_type=0x800,nw_proto=17,NXM_OF_UDP_DST[],NXM_OF_IP_DST[],NXM_OF_IP_SRC[],load:NXM_NX_REG3[]->NXM_NX_REG3[],load:NXM_NX_REG4[0..15]->NXM_NX_REG4[0..15],load:0x1->NXM_NX_REG4[17])",
			want: "060e00d00000000000000000000000000000000000000000050000000000000b" +
				"ffffffffffffffffffffffff000000000001000f80000a020800800014011100" +
				"0004009000000000ffff00880000232000100000012c00c80001020000000001" +
				"0002070000000000201008000000060200002008001100000c01000000100000" +
				"180200000000180200000020000010040000000010040000002000000e040000" +
				"00000e0400000820000106040000000106040000081000010804000000010804" +
				"00002801000100010804001100000000",
			str: "learn(table=7,hard_timeout=300,priority=200,delete_learned,cookie=0x1020000000001,eth_type=0x800,nw_proto=17,NXM_OF_UDP_DST[],NXM_OF_IP_DST[],NXM_OF_IP_SRC[],load:NXM_NX_REG3[]->NXM_NX_REG3[],load:NXM_NX_REG4[0..15]->NXM_NX_REG4[0..15],load:0x1->NXM_NX_REG4[17])",
			msg: learnFlow(5, 11, udp, Learn{Table: 7, HardTimeout: 300, Priority: 200, Flags: LearnDeleteLearned, Cookie: 0x1020000000001,
				Specs: append([]LearnSpec{LearnMatchImm(FieldEthType, 0x800), LearnMatchImm(FieldIPProto, 17), LearnMatchOf(FieldUDPDst)}, affinityLoads...)}),
		},
		{
			name: "learn fin timeouts send_flow_rem in_port partial match output",
			cmd:  "add-flow",
			text: "table=5,priority=12,ip,actions=learn(table=7,hard_timeout=300,fin_idle_timeout=5,fin_hard_timeout=6,send_flow_rem,in_port=99,NXM_OF_IN_PORT[],NXM_NX_REG1[3..10]=NXM_NX_REG2[1..8],output:NXM_NX_REG0[])",
			want: "060e00980000000000000000000000000000000000000000050000000000000c" +
				"ffffffffffffffffffffffff000000000001000a80000a020800000000000000" +
				"0004005800000000ffff00500000232000100000012c80000000000000000000" +
				"0001070000050006201000630000000200000010000000020000000000020000" +
				"000800010404000100010204000310200001000400000000",
			str: "learn(table=7,hard_timeout=300,fin_idle_timeout=5,fin_hard_timeout=6,send_flow_rem,in_port=99,NXM_OF_IN_PORT[],NXM_NX_REG1[3..10]=NXM_NX_REG2[1..8],output:NXM_NX_REG0[])",
			msg: learnFlow(5, 12, ip, Learn{Table: 7, HardTimeout: 300, FinIdleTimeout: 5, FinHardTimeout: 6, Priority: 0x8000, Flags: LearnSendFlowRem,
				Specs: []LearnSpec{LearnMatchImm(FieldInPort, 99), LearnMatchOf(FieldInPort),
					LearnMatch{Dst: Bits(Reg(1), 3, 8), Src: Bits(Reg(2), 1, 8)}, LearnOutput{Src: Whole(Reg(0))}}}),
		},
		{
			name: "learn ct_label bits and immediates",
			cmd:  "add-flow",
			text: "table=5,priority=13,tcp,actions=learn(table=7,priority=100,eth_type=0x800,nw_proto=6,tcp_dst=80,ip_dst=10.0.0.1,NXM_NX_CT_LABEL[64..95],NXM_NX_CT_MARK[0..3]=0x5,load:NXM_OF_IP_SRC[]->NXM_NX_CT_LABEL[64..95],load:0x5->NXM_NX_CT_MARK[4..6],load:0->NXM_NX_REG4[16])",
			want: "060e00d00000000000000000000000000000000000000000050000000000000d" +
				"ffffffffffffffffffffffff000000000001000f80000a020800800014010600" +
				"0004009000000000ffff00880000232000100000000000640000000000000000" +
				"0000070000000000201008000000060200002008000600000c01000020100050" +
				"00001402000020200a00000100001004000000200001d81000400001d8100040" +
				"200400050001d6040000082000000e0400000001d8100040280300050001d604" +
				"00042801000000010804001000000000",
			str: "learn(table=7,priority=100,eth_type=0x800,nw_proto=6,tcp_dst=80,ip_dst=10.0.0.1,NXM_NX_CT_LABEL[64..95],NXM_NX_CT_MARK[0..3]=0x5,load:NXM_OF_IP_SRC[]->NXM_NX_CT_LABEL[64..95],load:0x5->NXM_NX_CT_MARK[4..6],load:0->NXM_NX_REG4[16])",
			msg: learnFlow(5, 13, tcp, Learn{Table: 7, Priority: 100, Specs: []LearnSpec{
				LearnMatchImm(FieldEthType, 0x800), LearnMatchImm(FieldIPProto, 6), LearnMatchImm(FieldTCPDst, 80), LearnMatchImm(FieldIPv4Dst, 0x0a000001),
				LearnMatch{Dst: Bits(FieldCTLabel, 64, 32), Src: Bits(FieldCTLabel, 64, 32)}, LearnMatchValue{Dst: Bits(FieldCTMark, 0, 4), Value: Uint128{Lo: 5}},
				LearnLoad{Src: Whole(FieldIPv4Src), Dst: Bits(FieldCTLabel, 64, 32)}, LearnLoadImm(5, Bits(FieldCTMark, 4, 3)), LearnLoadImm(0, Bits(Reg(4), 16, 1)),
			}}),
		},
		{
			name: "learn ipv6 wide immediates table 0 priority 0",
			cmd:  "add-flow",
			text: "table=5,priority=14,udp6,actions=learn(table=0,idle_timeout=65535,priority=0,eth_type=0x86dd,nw_proto=17,NXM_NX_IPV6_SRC[],NXM_OF_UDP_SRC[],ipv6_dst=fd00::1,NXM_NX_XXREG1[0..63]=NXM_NX_IPV6_SRC[64..127],load:0x123456789abcdef0011->NXM_NX_XXREG2[0..79])",
			want: "060e00d00000000000000000000000000000000000000000050000000000000e" +
				"ffffffffffffffffffffffff000000000001000f80000a0286dd800014011100" +
				"0004009000000000ffff0088000023200010ffff000000000000000000000000" +
				"0000000000000000201086dd0000060200002008001100000c01000000800001" +
				"2610000000012610000000100000160200000000160200002080fd0000000000" +
				"0000000000000000000100012810000000400001261000400001e01000002850" +
				"0123456789abcdef00110001e2100000",
			str: "learn(table=0,idle_timeout=65535,priority=0,eth_type=0x86dd,nw_proto=17,NXM_NX_IPV6_SRC[],NXM_OF_UDP_SRC[],ipv6_dst=fd00::1,NXM_NX_XXREG1[0..63]=NXM_NX_IPV6_SRC[64..127],load:0x123456789abcdef0011->NXM_NX_XXREG2[0..79])",
			msg: learnFlow(5, 14, MustMatch(EthType(EthTypeIPv6), IPProto(IPProtoUDP)), Learn{Table: 0, IdleTimeout: 65535, Priority: 0, Specs: []LearnSpec{
				LearnMatchImm(FieldEthType, 0x86dd), LearnMatchImm(FieldIPProto, 17), LearnMatchOf(FieldIPv6Src), LearnMatchOf(FieldUDPSrc),
				LearnMatchValue{Dst: Whole(FieldIPv6Dst), Value: Uint128{Hi: 0xfd00000000000000, Lo: 1}},
				LearnMatch{Dst: Bits(XXReg(1), 0, 64), Src: Bits(FieldIPv6Src, 64, 64)},
				LearnLoadValue{Dst: Bits(XXReg(2), 0, 80), Value: Uint128{Hi: 0x123, Lo: 0x456789abcdef0011}},
			}}),
		},
		{
			name: "learn2 limit result_dst",
			cmd:  "add-flow",
			text: "table=5,priority=15,ip,actions=learn(table=3,priority=7,limit=10,result_dst=NXM_NX_REG5[3],eth_type=0x800,NXM_OF_IP_SRC[])",
			want: "060e00900000000000000000000000000000000000000000050000000000000f" +
				"ffffffffffffffffffffffff000000000001000a80000a020800000000000000" +
				"0004005000000000ffff004800002320002d0000000000070000000000000000" +
				"00040300000000000000000a0003000000010a04201008000000060200000020" +
				"00000e04000000000e04000000000000",
			str: "learn(table=3,priority=7,limit=10,result_dst=NXM_NX_REG5[3],eth_type=0x800,NXM_OF_IP_SRC[])",
			msg: learnFlow(5, 15, ip, Learn{Table: 3, Priority: 7, Limit: 10, Flags: LearnWriteResult, ResultDst: Bits(Reg(5), 3, 1),
				Specs: []LearnSpec{LearnMatchImm(FieldEthType, 0x800), LearnMatchOf(FieldIPv4Src)}}),
		},
		{
			name: "learn defaults no specs",
			cmd:  "add-flow",
			text: "table=5,priority=16,actions=learn(table=1)",
			want: "060e006000000000000000000000000000000000000000000500000000000010" +
				"ffffffffffffffffffffffff0000000000010004000000000004002800000000" +
				"ffff002000002320001000000000800000000000000000000000010000000000",
			str: "learn(table=1)",
			msg: learnFlow(5, 16, Match{}, Learn{Table: 1, Priority: 0x8000}),
		},
		{
			name: "learn macs and in_port loads",
			cmd:  "add-flow",
			text: "table=5,priority=17,actions=learn(table=2,priority=1,NXM_OF_ETH_SRC[]=NXM_OF_ETH_DST[],eth_dst=02:00:00:00:00:01,load:NXM_OF_IN_PORT[]->NXM_NX_REG1[0..15],load:0xfff8->NXM_OF_IN_PORT[])",
			want: "060e009800000000000000000000000000000000000000000500000000000011" +
				"ffffffffffffffffffffffff0000000000010004000000000004006000000000" +
				"ffff005800002320001000000000000100000000000000000000020000000000" +
				"0030000002060000000004060000203002000000000100000206000008100000" +
				"000200000001020400002810fff800000002000000000000",
			str: "learn(table=2,priority=1,NXM_OF_ETH_SRC[]=NXM_OF_ETH_DST[],eth_dst=02:00:00:00:00:01,load:NXM_OF_IN_PORT[]->NXM_NX_REG1[0..15],load:0xfff8->NXM_OF_IN_PORT[])",
			msg: learnFlow(5, 17, Match{}, Learn{Table: 2, Priority: 1, Specs: []LearnSpec{
				LearnMatch{Dst: Whole(FieldEthSrc), Src: Whole(FieldEthDst)}, LearnMatchImm(FieldEthDst, 0x020000000001),
				LearnLoad{Src: Whole(FieldInPort), Dst: Bits(Reg(1), 0, 16)}, LearnLoadImm(0xfff8, Whole(FieldInPort)),
			}}),
		},
	}
}

// serviceGoldens are the non-learn encodings a Service proxy relies on.
func serviceGoldens() []ofctlGolden {
	ip := MustMatch(EthType(EthTypeIPv4))
	flow := func(table uint8, prio uint16, m Match, acts ...Action) Message {
		return AddFlow(Flow{Table: table, Priority: prio, Match: m, Instructions: Apply(acts...)})
	}
	return []ofctlGolden{
		{
			name: "ct commit dnat exec mark and label move",
			cmd:  "add-flow",
			text: "table=6,priority=200,tcp,reg4=0x10000/0x70000,actions=ct(commit,zone=65520,nat(dst=10.96.0.5:8080),exec(set_field:0x10/0x10->ct_mark,move:NXM_NX_REG7[]->NXM_NX_CT_LABEL[64..95]),table=7)",
			want: "060e00b8000000000000000000000000000000000000000006000000000000c8" +
				"ffffffffffffffffffffffff000000000001002380000a020800800014010680" +
				"0105100001000000000000000700000000000000000000000004006000000000" +
				"ffff0058000023200023000100000000fff0070000000000ffff001800002320" +
				"00240000000200110a6000051f900000001900100001d7080000001000000010" +
				"001c0018002000000040000000010e040001d81000000000",
			str: "ct(commit,table=7,zone=65520,nat(dst=10.96.0.5:8080),exec(set_field:0x10/0x10->ct_mark,move:NXM_NX_REG7[]->NXM_NX_CT_LABEL[64..95]))",
			msg: flow(6, 200, MustMatch(EthType(EthTypeIPv4), IPProto(IPProtoTCP), RegFieldMasked(4, 0x10000, 0x70000)),
				CT{Commit: true, Zone: 65520, Recirc: true, Table: 7, Actions: []Action{
					NAT{Flags: NATDst, IPMin: netip.MustParseAddr("10.96.0.5"), PortMin: 8080},
					SetField{Value: CTMarkMasked(0x10, 0x10)},
					CopyField{Src: Reg(7), Dst: FieldCTLabel, DstOfs: 64, NBits: 32},
				}}),
		},
		{
			name: "ct commit snat",
			cmd:  "add-flow",
			text: "table=6,priority=190,ip,actions=ct(commit,zone=65521,nat(src=169.254.0.253),table=8)",
			want: "060e0078000000000000000000000000000000000000000006000000000000be" +
				"ffffffffffffffffffffffff000000000001000a80000a020800000000000000" +
				"0004003800000000ffff0030000023200023000100000000fff1080000000000" +
				"ffff0018000023200024000000010001a9fe00fd00000000",
			str: "ct(commit,table=8,zone=65521,nat(src=169.254.0.253))",
			msg: flow(6, 190, ip, CT{Commit: true, Zone: 65521, Recirc: true, Table: 8, Actions: []Action{
				NAT{Flags: NATSrc, IPMin: netip.MustParseAddr("169.254.0.253")}}}),
		},
		{
			name: "ct restore nat",
			cmd:  "add-flow",
			text: "table=9,priority=200,ip,actions=ct(zone=65521,nat,table=10)",
			want: "060e0070000000000000000000000000000000000000000009000000000000c8" +
				"ffffffffffffffffffffffff000000000001000a80000a020800000000000000" +
				"0004003000000000ffff0028000023200023000000000000fff10a0000000000" +
				"ffff0010000023200024000000000000",
			str: "ct(table=10,zone=65521,nat)",
			msg: flow(9, 200, ip, CT{Zone: 65521, Recirc: true, Table: 10, Actions: []Action{NAT{}}}),
		},
		{
			name: "output in_port",
			cmd:  "add-flow",
			text: "table=11,priority=200,in_port=1,actions=output:in_port",
			want: "060e005800000000000000000000000000000000000000000b000000000000c8" +
				"ffffffffffffffffffffffff000000000001000c800000040000000100000000" +
				"000400180000000000000010fffffff80000000000000000",
			str: "IN_PORT",
			msg: flow(11, 200, MustMatch(InPort(1)), Output{Port: PortInPort}),
		},
		{
			name: "match ct_label bits 64..95",
			cmd:  "add-flow",
			text: "table=12,priority=200,ct_label=0x50000000000000000/0xffffffff0000000000000000,ip,actions=resubmit(,13)",
			want: "060e007800000000000000000000000000000000000000000c000000000000c8" +
				"ffffffffffffffffffffffff000000000001002e80000a0208000001d9200000" +
				"000000000005000000000000000000000000ffffffff00000000000000000000" +
				"0004001800000000ffff001000002320000efff80d000000",
			str: "resubmit(,13)",
			msg: flow(12, 200, MustMatch(EthType(EthTypeIPv4), CTLabelMasked(Uint128{Hi: 5}, Uint128{Hi: 0xffffffff})),
				ResubmitTable(13)),
		},
		{
			name: "match ct_state and ct_mark masked",
			cmd:  "add-flow",
			text: "table=12,priority=201,ct_state=+est+trk,ct_mark=0x10/0x10,ip,actions=resubmit(,13)",
			want: "060e007000000000000000000000000000000000000000000c000000000000c9" +
				"ffffffffffffffffffffffff000000000001002280000a0208000001d3080000" +
				"0022000000220001d70800000010000000100000000000000004001800000000" +
				"ffff001000002320000efff80d000000",
			str: "resubmit(,13)",
			msg: flow(12, 201, MustMatch(EthType(EthTypeIPv4), CTState(CTStateEst|CTStateTrk, CTStateEst|CTStateTrk), CTMarkMasked(0x10, 0x10)),
				ResubmitTable(13)),
		},
		{
			name: "select group weighted buckets",
			cmd:  "add-group",
			text: "group_id=5,type=select,bucket=bucket_id:0,weight:100,actions=set_field:0xa000005->reg3,set_field:0x11f90/0x7ffff->reg4,resubmit(,7),bucket=bucket_id:1,weight:50,actions=load:0xa000006->NXM_NX_REG3[],load:0x1f90->NXM_NX_REG4[0..15],resubmit(,7)",
			want: "060f009800000000000001000000000500800000ffffffff0040003000000000" +
				"00190010000106040a00000500000000001900100001090800011f900007ffff" +
				"ffff001000002320000efff80700000000000008006400000040003000000001" +
				"00190010000106040a00000600000000001900100001090800001f900000ffff" +
				"ffff001000002320000efff8070000000000000800320000",
			msg: GroupMod{Command: GroupAdd, Type: GroupTypeSelect, GroupID: 5, Buckets: []Bucket{
				{ID: 0, Weight: 100, Actions: []Action{SetFieldUint(Reg(3), 0xa000005), SetField{Value: RegFieldMasked(4, 0x11f90, 0x7ffff)}, ResubmitTable(7)}},
				{ID: 1, Weight: 50, Actions: []Action{SetFieldUint(Reg(3), 0xa000006), LoadReg(4, 0x1f90, 0, 16), ResubmitTable(7)}},
			}},
		},
		{
			name: "select group hash selection method",
			cmd:  "add-group",
			text: "group_id=6,type=select,selection_method=hash,fields(ip_src,ip_dst,ip_proto,tcp_src,tcp_dst),bucket=bucket_id:0,weight:100,actions=resubmit(,6),bucket=bucket_id:1,weight:100,actions=resubmit(,7)",
			want: "060f00a800000000000001000000000600400000ffffffff0020001000000000" +
				"ffff001000002320000efff80600000000000008006400000020001000000001" +
				"ffff001000002320000efff8070000000000000800640000ffff00490000154d" +
				"0000000100000000686173680000000000000000000000000000000000000000" +
				"80001604ffffffff80001804ffffffff80001401ff80001a02ffff80001c02ff" +
				"ff00000000000000",
			msg: GroupMod{Command: GroupAdd, Type: GroupTypeSelect, GroupID: 6, Buckets: []Bucket{
				{ID: 0, Weight: 100, Actions: []Action{ResubmitTable(6)}},
				{ID: 1, Weight: 100, Actions: []Action{ResubmitTable(7)}},
			}, Selection: &GroupSelection{Method: "hash",
				Fields: []Field{FieldIPv4Src, FieldIPv4Dst, FieldIPProto, FieldTCPSrc, FieldTCPDst}}},
		},
	}
}

func allOfctlGoldens() []ofctlGolden { return append(learnGoldens(), serviceGoldens()...) }
