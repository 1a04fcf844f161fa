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
	"net"
	"net/netip"
)

// This file generates the builder combinations exercised by the sweep test:
// every match field with and without masks, every action kind, nested ct
// variants, and every other message type.

type matchCase struct {
	name   string
	fields []MatchField
}

type actionCase struct {
	name string
	// match satisfies the action's prerequisites (OVS checks consistency).
	match []MatchField
	acts  []Action
}

type msgCase struct {
	name string
	msg  Message
}

func mac(s string) net.HardwareAddr {
	m, err := net.ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return m
}

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }

var (
	mIP   = []MatchField{EthType(EthTypeIPv4)}
	mIPv6 = []MatchField{EthType(EthTypeIPv6)}
	mTCP  = []MatchField{EthType(EthTypeIPv4), IPProto(IPProtoTCP)}
	mCT   = []MatchField{CTState(CTStateTrk, CTStateTrk|CTStateInv)}
)

func with(base []MatchField, more ...MatchField) []MatchField {
	return append(append([]MatchField(nil), base...), more...)
}

func l4Cases() []matchCase {
	var out []matchCase
	l4 := []struct {
		name     string
		src, dst func(uint16) MatchField
		srcM     func(uint16, uint16) MatchField
		dstM     func(uint16, uint16) MatchField
	}{
		{"tcp", TCPSrc, TCPDst, TCPSrcMasked, TCPDstMasked},
		{"udp", UDPSrc, UDPDst, UDPSrcMasked, UDPDstMasked},
		{"sctp", SCTPSrc, SCTPDst, SCTPSrcMasked, SCTPDstMasked},
	}
	for _, p := range l4 {
		for _, fam := range []struct {
			name string
			base []MatchField
		}{{"ip", mIP}, {"ipv6", mIPv6}} {
			out = append(out,
				matchCase{fmt.Sprintf("%s %s src", fam.name, p.name), with(fam.base, p.src(1234))},
				matchCase{fmt.Sprintf("%s %s dst", fam.name, p.name), with(fam.base, p.dst(80))},
				matchCase{fmt.Sprintf("%s %s src masked", fam.name, p.name), with(fam.base, p.srcM(0x1000, 0xf000))},
			)
			for i, pm := range PortRangeMasks(1000, 1999) {
				out = append(out, matchCase{fmt.Sprintf("%s %s range %d", fam.name, p.name, i), with(fam.base, p.dstM(pm.Value, pm.Mask))})
			}
		}
	}
	return append(out, matchCase{"tcp_flags", with(mTCP, TCPFlags(0x002, 0x012))})
}

func basicMatchCases() []matchCase {
	return []matchCase{
		{"empty", nil},
		{"in_port", []MatchField{InPort(7)}},
		{"in_port local", []MatchField{InPort(PortLocal)}},
		{"eth_src", []MatchField{EthSrc(mac("02:00:00:00:00:11"))}},
		{"eth_dst", []MatchField{EthDst(mac("02:00:00:00:00:12"))}},
		{"eth_dst multicast bit", []MatchField{EthDstMasked(mac("01:00:00:00:00:00"), mac("01:00:00:00:00:00"))}},
		{"eth_src oui", []MatchField{EthSrcMasked(mac("02:00:00:00:00:00"), mac("ff:ff:ff:00:00:00"))}},
		{"eth_type arp", []MatchField{EthType(EthTypeARP)}},
		{"eth_type lldp", []MatchField{EthType(0x88cc)}},
		{"vlan_vid", []MatchField{VLANVID(10)}},
		{"vlan any tagged", []MatchField{VLANVIDMasked(0x1000, 0x1000)}},
		{"vlan untagged", []MatchField{VLANVIDMasked(0, 0x1fff)}},
		{"vlan pcp", []MatchField{VLANVID(10), VLANPCP(5)}},
		{"ip", mIP},
		{"ipv6", mIPv6},
		{"ip_proto", with(mIP, IPProto(47))},
		{"ipv6 ip_proto", with(mIPv6, IPProto(IPProtoTCP))},
		{"nw_src /32", []MatchField{IPv4Src(pfx("10.77.0.11/32"))}},
		{"nw_src /24", []MatchField{IPv4Src(pfx("10.77.0.0/24"))}},
		{"nw_src /0", []MatchField{IPv4Src(pfx("0.0.0.0/0"))}},
		{"nw_dst /16", []MatchField{IPv4Dst(pfx("10.77.0.0/16"))}},
		{"nw_dst noncontiguous", []MatchField{FieldBytesMasked(FieldIPv4Dst, []byte{10, 0, 0, 5}, []byte{255, 0, 255, 255})}},
		{"ipv6_src /128", []MatchField{IPv6Src(pfx("fd00::11/128"))}},
		{"ipv6_dst /64", []MatchField{IPv6Dst(pfx("fd00:1:2:3::/64"))}},
		{"ip_dscp", with(mIP, IPDSCP(46))},
		{"ip_ecn", with(mIPv6, IPECN(3))},
		{"nw_ttl", with(mIP, IPTTL(1))},
		{"icmp type", []MatchField{ICMPType(8)}},
		{"icmp type code", []MatchField{ICMPType(3), ICMPCode(10)}},
		{"icmpv6 type", []MatchField{ICMPv6Type(128)}},
		{"icmpv6 code", []MatchField{ICMPv6Type(1), ICMPv6Code(1)}},
		{"arp op", []MatchField{ARPOp(1)}},
		{"arp spa", []MatchField{ARPSPA(pfx("10.77.0.11/32"))}},
		{"arp tpa cidr", []MatchField{ARPTPA(pfx("10.77.0.0/24"))}},
		{"arp sha", []MatchField{ARPSHA(mac("02:00:00:00:00:11"))}},
		{"arp tha", []MatchField{ARPTHA(mac("02:00:00:00:00:12"))}},
		{"arp spoofguard", []MatchField{InPort(3), ARPSPA(pfx("10.77.0.11/32")), ARPSHA(mac("02:00:00:00:00:11"))}},
		{"tun_id", []MatchField{TunID(0x1234)}},
		{"tun_id masked", []MatchField{TunIDMasked(0x1200, 0xff00)}},
		{"tun_src", []MatchField{TunSrc(pfx("192.168.1.1/32"))}},
		{"tun_dst cidr", []MatchField{TunDst(pfx("192.168.0.0/16"))}},
		{"tun_flags", []MatchField{TunFlags(1, 1)}},
		{"pkt_mark", []MatchField{PktMark(0x80000000)}},
		{"pkt_mark masked", []MatchField{PktMarkMasked(0x80000000, 0x80000000)}},
		{"conj_id", []MatchField{ConjID(4)}},
		{"conj_id ip", with(mIP, ConjID(4))},
		{"metadata", []MatchField{Metadata(0x10, 0xff)}},
	}
}

func regMatchCases() []matchCase {
	var out []matchCase
	for n := 0; n < 16; n++ {
		out = append(out,
			matchCase{fmt.Sprintf("reg%d", n), []MatchField{RegField(n, uint32(n+1))}},
			matchCase{fmt.Sprintf("reg%d masked", n), []MatchField{RegFieldMasked(n, 0x400, 0x400)}},
		)
	}
	for n := 0; n < 8; n++ {
		out = append(out,
			matchCase{fmt.Sprintf("xreg%d", n), []MatchField{XRegField(n, 0x100000002)}},
			matchCase{fmt.Sprintf("xreg%d masked", n), []MatchField{XRegFieldMasked(n, 0x10, 0xff)}},
		)
	}
	return append(out,
		matchCase{"reg0+reg1", []MatchField{RegField(0, 1), RegField(1, 2)}},
		matchCase{"reg output op", []MatchField{RegFieldMasked(0, 0x2400000, 0xfe600000)}},
		matchCase{"reg0 reg3 deny metric", []MatchField{RegFieldMasked(0, 0x400, 0x400), RegField(3, 2)}},
	)
}

func ctMatchCases() []matchCase {
	return []matchCase{
		{"ct_state +trk", []MatchField{CTState(CTStateTrk, CTStateTrk)}},
		{"ct_state +new+trk", []MatchField{CTState(CTStateNew|CTStateTrk, CTStateNew|CTStateTrk)}},
		{"ct_state -new+est", with(mIP, CTState(CTStateEst, CTStateNew|CTStateEst))},
		{"ct_state -new+rel", with(mIP, CTState(CTStateRel, CTStateNew|CTStateRel))},
		{"ct_state +inv+trk", with(mIP, CTState(CTStateInv|CTStateTrk, CTStateInv|CTStateTrk))},
		{"ct_state +rpl +snat +dnat", []MatchField{CTState(CTStateRpl|CTStateSNAT|CTStateDNAT, 0xff)}},
		{"ct_zone", []MatchField{CTZone(0xfff0)}},
		{"ct_mark", []MatchField{CTMark(3)}},
		{"ct_mark masked", []MatchField{CTMarkMasked(0, 0x20)}},
		{"ct_label", []MatchField{CTLabel(Uint128{Lo: 1})}},
		{"ct_label low masked", []MatchField{CTLabelMasked(Uint128{Lo: 1}, Uint128{Lo: 0xffffffff})}},
		{"ct_label egress masked", []MatchField{CTLabelMasked(Uint128{Lo: 5 << 32}, Uint128{Lo: 0xffffffff00000000})}},
		{"ct_label high", []MatchField{CTLabelMasked(Uint128{Hi: 7}, Uint128{Hi: 0xfff})}},
		{"ct_nw_src", with(mCT, CTNwSrc(pfx("10.96.0.0/12")))},
		{"ct_nw_dst new", []MatchField{CTState(CTStateNew|CTStateTrk, CTStateNew|CTStateTrk), CTNwDst(pfx("10.96.0.10/32"))}},
		{"ct_nw_proto", with(mCT, EthType(EthTypeIPv4), CTNwProto(IPProtoTCP))},
		{"ct_nw_proto v6", with(mCT, EthType(EthTypeIPv6), CTNwProto(IPProtoTCP))},
		{"ct_tp_src", with(mCT, EthType(EthTypeIPv4), CTNwProto(IPProtoTCP), CTTpSrc(1234))},
		{"ct_tp_dst masked", with(mCT, EthType(EthTypeIPv4), CTNwProto(IPProtoUDP), CTTpDstMasked(0x100, 0xff00))},
		{"ct metric", with(mIP, CTState(CTStateNew, CTStateNew), CTLabelMasked(Uint128{Lo: 1}, Uint128{Lo: 0xffffffff}))},
	}
}

func allMatchCases() []matchCase {
	out := basicMatchCases()
	out = append(out, l4Cases()...)
	out = append(out, regMatchCases()...)
	out = append(out, ctMatchCases()...)
	return append(out, matchCase{"everything", []MatchField{
		InPort(2), EthSrc(mac("02:00:00:00:00:11")), EthDst(mac("02:00:00:00:00:12")), IPv4Src(pfx("10.77.0.11/32")),
		IPv4Dst(pfx("10.77.0.0/24")), TCPDstMasked(0x1f90, 0xfffe), RegField(1, 2), RegFieldMasked(0, 3, 0xf),
		CTState(CTStateNew|CTStateTrk, CTStateNew|CTStateTrk), CTMarkMasked(0, 0x20), PktMark(1), ConjID(9),
	}})
}
