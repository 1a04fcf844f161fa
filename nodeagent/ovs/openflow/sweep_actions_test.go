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
	"net/netip"
)

func outputCases() []actionCase {
	return []actionCase{
		{"output port", nil, []Action{Output{Port: 1}}},
		{"output in_port", nil, []Action{Output{Port: PortInPort}}},
		{"output normal", nil, []Action{Output{Port: PortNormal}}},
		{"output controller", nil, []Action{Output{Port: PortController, MaxLen: 128}}},
		{"output local", nil, []Action{Output{Port: PortLocal}}},
		{"output flood all", nil, []Action{Output{Port: PortFlood}, Output{Port: PortAll}}},
		{"output reg1", nil, []Action{OutputToReg(1)}},
		{"output reg bits", nil, []Action{OutputReg{Src: Reg(7), Ofs: 16, NBits: 16, MaxLen: 0}}},
		{"group", nil, []Action{Group{ID: 1}}},
		{"meter then output", nil, []Action{Meter{ID: 256}, Output{Port: 1}}},
		{"dec_ttl", mIP, []Action{DecTTL{}}},
		{"dec_ttl v6", mIPv6, []Action{DecTTL{}}},
		{"push pop vlan", nil, []Action{PushVLAN{EthType: 0x8100}, SetField{Value: VLANVID(10)}, Output{Port: 1}}},
		{"pop vlan", []MatchField{VLANVIDMasked(0x1000, 0x1000)}, []Action{PopVLAN{}}},
		{"resubmit table", nil, []Action{ResubmitTable(17)}},
		{"resubmit port table", nil, []Action{Resubmit{InPort: 3, Table: 0xff}}},
		{"resubmit twice", nil, []Action{ResubmitTable(1), ResubmitTable(2)}},
	}
}

func setFieldCases() []actionCase {
	out := []actionCase{
		{"set eth_src eth_dst", nil, []Action{SetField{Value: EthSrc(mac("aa:bb:cc:dd:ee:ff"))}, SetField{Value: EthDst(mac("02:00:00:00:00:12"))}}},
		{"set ipv4 src dst", mIP, []Action{SetField{Value: IPv4Src(pfx("1.2.3.4/32"))}, SetField{Value: IPv4Dst(pfx("5.6.7.8/32"))}}},
		{"set ipv4 masked", mIP, []Action{SetField{Value: IPv4Dst(pfx("10.0.0.0/8"))}}},
		{"set ipv6 dst", mIPv6, []Action{SetField{Value: IPv6Dst(pfx("fd00::1/128"))}}},
		{"set tcp dst", mTCP, []Action{SetField{Value: TCPDst(8080)}}},
		{"set ip_dscp", mIP, []Action{SetField{Value: IPDSCP(10)}}},
		{"set pkt_mark", nil, []Action{SetField{Value: PktMark(0x80000000)}}},
		{"set tun_id", nil, []Action{SetField{Value: TunID(5)}}},
		{"set tun_dst", nil, []Action{SetField{Value: TunDst(pfx("192.168.1.2/32"))}}},
		{"set metadata", nil, []Action{SetField{Value: Metadata(1, 0xff)}}},
		{"set xreg", nil, []Action{SetField{Value: XRegField(3, 0x100000002)}}},
		{"set xxreg masked", nil, []Action{SetField{Value: FieldUintMasked(XXReg(1), 5, 0xff)}}},
		{"load pkt-in op bits", nil, []Action{LoadReg(0, 0x3, 25, 7), LoadReg(2, 14, 0, 8)}},
		{"load full reg", nil, []Action{LoadReg(6, 1, 0, 32)}},
		{"set output to controller", nil, []Action{reg0Output, SetField{Value: RegFieldMasked(0, 0x1000, 0x1800)}}},
	}
	for n := 0; n < 16; n++ {
		out = append(out,
			actionCase{fmt.Sprintf("set reg%d", n), nil, []Action{SetFieldUint(Reg(n), uint64(n)+1)}},
			actionCase{fmt.Sprintf("set reg%d masked", n), nil, []Action{SetField{Value: RegFieldMasked(n, 0x10000, 0x30000)}}},
		)
	}
	return out
}

func copyCases() []actionCase {
	return []actionCase{
		{"move reg to reg", nil, []Action{CopyField{Src: Reg(0), Dst: Reg(1), NBits: 32}}},
		{"move bits", nil, []Action{CopyField{Src: Reg(4), SrcOfs: 3, Dst: Reg(5), DstOfs: 9, NBits: 7}}},
		{"move eth swap", nil, []Action{CopyField{Src: FieldEthSrc, Dst: FieldEthDst, NBits: 48}}},
		{"move ip_src to reg", mIP, []Action{CopyField{Src: FieldIPv4Src, Dst: Reg(3), NBits: 32}}},
		{"move in_port to reg", nil, []Action{CopyField{Src: FieldInPort, Dst: Reg(1), NBits: 32}}},
		{"move xreg", nil, []Action{CopyField{Src: XReg(0), Dst: XReg(1), NBits: 64}}},
		{"move ct_mark to reg", nil, []Action{CopyField{Src: FieldCTMark, Dst: Reg(0), NBits: 4}}},
	}
}

func nxCases() []actionCase {
	out := []actionCase{
		{"conjunction", nil, []Action{Conjunction{ID: 1, Clause: 1, NClauses: 3}}},
		{"conjunction multi", nil, []Action{Conjunction{ID: 1, Clause: 2, NClauses: 2}, Conjunction{ID: 0xffffffff, Clause: 3, NClauses: 3}}},
		{"conjunction 64", nil, []Action{Conjunction{ID: 7, Clause: 64, NClauses: 64}}},
		{"conjunction with note", nil, []Action{Conjunction{ID: 3, Clause: 1, NClauses: 2}, Note{Data: []byte{1, 2}}}},
	}
	for n := 1; n <= 9; n++ {
		d := make([]byte, n)
		for i := range d {
			d[i] = byte(i + 1)
		}
		out = append(out, actionCase{fmt.Sprintf("note %d", n), nil, []Action{Note{Data: d}}})
	}
	return out
}

func controllerCases() []actionCase {
	out := []actionCase{
		{"controller default", nil, []Action{Controller{Reason: ReasonAction}}},
		{"controller no_match", nil, []Action{Controller{}}},
		{"controller id", nil, []Action{Controller{Reason: ReasonNoMatch, ID: 0x1234}}},
		{"controller max_len", nil, []Action{Controller{Reason: ReasonAction, MaxLen: 128}}},
		{"controller invalid_ttl", nil, []Action{Controller{Reason: ReasonInvalidTTL}}},
		{"controller pause", nil, []Action{Controller{Reason: ReasonAction, Pause: true}}},
		{"controller meter", nil, []Action{Controller{Reason: ReasonAction, MeterID: 256}}},
		{"controller everything", nil, []Action{Meter{ID: 256}, Controller{Reason: ReasonNoMatch, ID: 7, MaxLen: 200, Userdata: []byte{1, 2, 3}, MeterID: 256}}},
	}
	for n := 1; n <= 9; n++ {
		out = append(out, actionCase{fmt.Sprintf("controller userdata %d", n), nil,
			[]Action{Controller{Reason: ReasonNoMatch, Userdata: []byte{1, 2, 3, 4, 5, 6, 7, 8, 9}[:n]}}})
	}
	return out
}

func ctCases() []actionCase {
	label := SetField{Value: CTLabelMasked(Uint128{Lo: 1}, Uint128{Lo: 0xffffffff})}
	egressLabel := SetField{Value: CTLabelMasked(Uint128{Lo: 5 << 32}, Uint128{Lo: 0xffffffff00000000})}
	move := CopyField{Src: Reg(0), Dst: FieldCTMark, NBits: 4}
	return []actionCase{
		{"ct bare", mIP, []Action{CT{}}},
		{"ct zone", mIP, []Action{CT{Zone: 0xfff0}}},
		{"ct recirc nat", mIP, []Action{CT{Zone: 0xfff0, Recirc: true, Table: 6, Actions: []Action{NAT{}}}}},
		{"ct recirc table 0", mIP, []Action{CT{Zone: 1, Recirc: true, Table: 0}}},
		{"ct commit", mIP, []Action{CT{Commit: true, Zone: 0xfff0}}},
		{"ct force commit", mIP, []Action{CT{Commit: true, Force: true, Zone: 5}}},
		{"ct commit label", mIP, []Action{SetFieldUint(Reg(6), 1), CT{Commit: true, Zone: 0xfff0, Recirc: true, Table: 17, Actions: []Action{label}}}},
		{"ct commit egress label", mIP, []Action{CT{Commit: true, Zone: 0xfff0, Recirc: true, Table: 9, Actions: []Action{egressLabel}}}},
		{"ct commit mark", mIP, []Action{CT{Commit: true, Zone: 0xfff0, Actions: []Action{SetField{Value: CTMark(3)}}}}},
		{"ct commit mark masked", mIP, []Action{CT{Commit: true, Zone: 0xfff0, Actions: []Action{SetField{Value: CTMarkMasked(0x20, 0x20)}}}}},
		{"ct commit move", mIP, []Action{CT{Commit: true, Zone: 0xfff0, Recirc: true, Table: 18, Actions: []Action{move}}}},
		{"ct commit mark label move", mIP, []Action{CT{Commit: true, Zone: 0xfff0, Actions: []Action{move, label, SetField{Value: CTMarkMasked(0x40, 0x40)}}}}},
		{"ct zone from reg", mIP, []Action{CT{ZoneSrc: Reg(8), ZoneNBits: 16, Recirc: true, Table: 5}}},
		{"ct zone from reg bits", mIP, []Action{CT{Commit: true, ZoneSrc: Reg(8), ZoneOfs: 16, ZoneNBits: 16}}},
		{"ct alg ftp", []MatchField{EthType(EthTypeIPv4), IPProto(IPProtoTCP)}, []Action{CT{Commit: true, Alg: 21}}},
		{"ct snat", mIP, []Action{CT{Commit: true, Zone: 0xfff1, Actions: []Action{NAT{Flags: NATSrc, IPMin: netip.MustParseAddr("192.168.1.1")}}}}},
		{"ct snat range", mIP, []Action{CT{Commit: true, Zone: 0xfff1, Actions: []Action{NAT{Flags: NATSrc | NATRandom,
			IPMin: netip.MustParseAddr("192.168.1.1"), IPMax: netip.MustParseAddr("192.168.1.9"), PortMin: 1024, PortMax: 2048}}}}},
		{"ct dnat port", mTCP, []Action{CT{Commit: true, Zone: 0xfff0, Recirc: true, Table: 10, Actions: []Action{NAT{Flags: NATDst | NATPersistent,
			IPMin: netip.MustParseAddr("10.77.0.12"), PortMin: 8080}}}}},
		{"ct dnat hash", mIP, []Action{CT{Commit: true, Actions: []Action{NAT{Flags: NATDst | NATHash, IPMin: netip.MustParseAddr("10.0.0.1"), IPMax: netip.MustParseAddr("10.0.0.2")}}}}},
		{"ct snat v6", mIPv6, []Action{CT{Commit: true, Zone: 0xffe7, Actions: []Action{NAT{Flags: NATSrc, IPMin: netip.MustParseAddr("fd00::1"), IPMax: netip.MustParseAddr("fd00::9")}}}}},
		{"ct nat and exec", mIP, []Action{CT{Commit: true, Zone: 0xfff0, Actions: []Action{NAT{}, label, move}}}},
		{"allow+log pipeline", mIP, []Action{
			SetFieldUint(Reg(6), 4), CT{Commit: true, Zone: 0xfff0, Recirc: true, Table: 16, Actions: []Action{label}},
			SetField{Value: RegFieldMasked(0, 0, 0x1800)}, reg0Output, LoadReg(0, 1, 25, 7), LoadReg(2, 13, 0, 8),
		}},
	}
}

func allActionCases() []actionCase {
	var out []actionCase
	for _, f := range []func() []actionCase{outputCases, setFieldCases, copyCases, nxCases, controllerCases, ctCases, learnActionCases} {
		out = append(out, f()...)
	}
	return out
}
