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

import "fmt"

// Field identifies a match/set field (an OXM or NXM field).
type Field uint8

// Fields known to the codec. The order of declaration is irrelevant; the
// canonical match order is fieldInfo.rank (the order OVS 3.1 emits).
const (
	FieldNone Field = iota
	FieldInPort
	FieldEthSrc
	FieldEthDst
	FieldEthType
	FieldVLANVID
	FieldVLANPCP
	FieldIPv4Src
	FieldIPv4Dst
	FieldIPv6Src
	FieldIPv6Dst
	FieldIPDSCP
	FieldIPECN
	FieldIPTTL
	FieldIPProto
	FieldTCPSrc
	FieldTCPDst
	FieldTCPFlags
	FieldUDPSrc
	FieldUDPDst
	FieldSCTPSrc
	FieldSCTPDst
	FieldICMPv4Type
	FieldICMPv4Code
	FieldICMPv6Type
	FieldICMPv6Code
	FieldARPOp
	FieldARPSPA
	FieldARPTPA
	FieldARPSHA
	FieldARPTHA
	FieldTunID
	FieldTunFlags
	FieldTunSrc
	FieldTunDst
	FieldReg0 // FieldReg0+n is regN, n in 0..15
	_
	_
	_
	_
	_
	_
	_
	_
	_
	_
	_
	_
	_
	_
	_
	FieldXReg0 // FieldXReg0+n is xregN, n in 0..7
	_
	_
	_
	_
	_
	_
	_
	FieldXXReg0 // FieldXXReg0+n is xxregN, n in 0..3 (set/copy only)
	_
	_
	_
	FieldPktMark
	FieldCTState
	FieldCTZone
	FieldCTMark
	FieldCTLabel
	FieldCTNwSrc
	FieldCTNwDst
	FieldCTNwProto
	FieldCTTpSrc
	FieldCTTpDst
	FieldMetadata
	FieldConjID
	FieldPacketType
	numFields = int(FieldPacketType) + 1
)

const (
	fieldReg15  = FieldReg0 + 15
	fieldXReg7  = FieldXReg0 + 7
	fieldXXReg3 = FieldXXReg0 + 3
)

// OXM classes.
const (
	ClassNXM0     uint16 = 0x0000
	ClassNXM1     uint16 = 0x0001
	ClassOpenFlow uint16 = 0x8000
	ClassPktRegs  uint16 = 0x8001
	ClassOXS      uint16 = 0x8002
)

type fieldInfo struct {
	name     string
	class    uint16
	num      uint8
	width    uint8 // bytes
	maskable bool
	rank     int // canonical emission order (OVS nx_put_raw)
	matchOK  bool
}

// fieldTable describes every field; byHeader maps class<<8|num (without
// mask/len) to a field. Alias headers (NXM_OF_*, NXM_NX_* spellings of OXM
// fields) decode to the same field. Built by a variable initializer (not
// init) so package-level Matches in other files may use them.
var fieldTable, byHeader = buildFieldTable()

type fieldTables struct {
	info     [numFields]fieldInfo
	byHeader map[uint32]Field
}

var ft *fieldTables

func defField(f Field, name string, class uint16, num, width uint8, maskable bool, rank int) {
	ft.info[f] = fieldInfo{name: name, class: class, num: num, width: width, maskable: maskable, rank: rank, matchOK: true}
	ft.byHeader[uint32(class)<<8|uint32(num)] = f
}

func alias(f Field, class uint16, num uint8) { ft.byHeader[uint32(class)<<8|uint32(num)] = f }

func buildFieldTable() ([numFields]fieldInfo, map[uint32]Field) {
	ft = &fieldTables{byHeader: map[uint32]Field{}}
	defFields()
	nxmAliases()
	t := ft
	ft = nil
	return t.info, t.byHeader
}

func defFields() {
	defField(FieldPacketType, "packet_type", ClassOpenFlow, 44, 4, false, 0)
	defField(FieldConjID, "conj_id", ClassNXM1, 37, 4, false, 10)
	defField(FieldInPort, "in_port", ClassOpenFlow, 0, 4, false, 20)
	defField(FieldEthSrc, "eth_src", ClassOpenFlow, 4, 6, true, 30)
	defField(FieldEthDst, "eth_dst", ClassOpenFlow, 3, 6, true, 31)
	defField(FieldEthType, "eth_type", ClassOpenFlow, 5, 2, false, 32)
	defField(FieldVLANVID, "vlan_vid", ClassOpenFlow, 6, 2, true, 40)
	defField(FieldVLANPCP, "vlan_pcp", ClassOpenFlow, 7, 1, false, 41)
	defField(FieldIPv4Src, "ipv4_src", ClassOpenFlow, 11, 4, true, 50)
	defField(FieldIPv4Dst, "ipv4_dst", ClassOpenFlow, 12, 4, true, 51)
	defField(FieldIPv6Src, "ipv6_src", ClassOpenFlow, 26, 16, true, 52)
	defField(FieldIPv6Dst, "ipv6_dst", ClassOpenFlow, 27, 16, true, 53)
	defField(FieldIPDSCP, "ip_dscp", ClassOpenFlow, 8, 1, false, 55)
	defField(FieldIPECN, "ip_ecn", ClassOpenFlow, 9, 1, false, 56)
	defField(FieldIPTTL, "nw_ttl", ClassNXM1, 29, 1, false, 57)
	defField(FieldIPProto, "ip_proto", ClassOpenFlow, 10, 1, false, 59)
	defField(FieldTCPSrc, "tcp_src", ClassOpenFlow, 13, 2, true, 60)
	defField(FieldTCPDst, "tcp_dst", ClassOpenFlow, 14, 2, true, 61)
	defField(FieldTCPFlags, "tcp_flags", ClassOpenFlow, 42, 2, true, 62)
	defField(FieldUDPSrc, "udp_src", ClassOpenFlow, 15, 2, true, 63)
	defField(FieldUDPDst, "udp_dst", ClassOpenFlow, 16, 2, true, 64)
	defField(FieldSCTPSrc, "sctp_src", ClassOpenFlow, 17, 2, true, 65)
	defField(FieldSCTPDst, "sctp_dst", ClassOpenFlow, 18, 2, true, 66)
	defField(FieldICMPv4Type, "icmp_type", ClassOpenFlow, 19, 1, false, 67)
	defField(FieldICMPv4Code, "icmp_code", ClassOpenFlow, 20, 1, false, 68)
	defField(FieldICMPv6Type, "icmpv6_type", ClassOpenFlow, 29, 1, false, 69)
	defField(FieldICMPv6Code, "icmpv6_code", ClassOpenFlow, 30, 1, false, 70)
	defField(FieldARPOp, "arp_op", ClassOpenFlow, 21, 2, false, 80)
	defField(FieldARPSPA, "arp_spa", ClassOpenFlow, 22, 4, true, 81)
	defField(FieldARPTPA, "arp_tpa", ClassOpenFlow, 23, 4, true, 82)
	defField(FieldARPSHA, "arp_sha", ClassOpenFlow, 24, 6, true, 83)
	defField(FieldARPTHA, "arp_tha", ClassOpenFlow, 25, 6, true, 84)
	defField(FieldTunID, "tun_id", ClassOpenFlow, 38, 8, true, 90)
	defField(FieldTunFlags, "tun_flags", ClassNXM1, 104, 2, true, 91)
	defField(FieldTunSrc, "tun_src", ClassNXM1, 31, 4, true, 92)
	defField(FieldTunDst, "tun_dst", ClassNXM1, 32, 4, true, 93)
	for i := 0; i < 16; i++ {
		// Registers are emitted as xregs in matches (rank 100+i/2); as
		// set_field/copy_field targets they keep their NXM header.
		defField(FieldReg0+Field(i), fmt.Sprintf("reg%d", i), ClassNXM1, uint8(i), 4, true, 100+i/2)
	}
	for i := 0; i < 8; i++ {
		defField(FieldXReg0+Field(i), fmt.Sprintf("xreg%d", i), ClassPktRegs, uint8(i), 8, true, 100+i)
	}
	for i := 0; i < 4; i++ {
		defField(FieldXXReg0+Field(i), fmt.Sprintf("xxreg%d", i), ClassNXM1, uint8(111+i), 16, true, 0)
		ft.info[FieldXXReg0+Field(i)].matchOK = false
	}
	defField(FieldPktMark, "pkt_mark", ClassNXM1, 33, 4, true, 110)
	defField(FieldCTState, "ct_state", ClassNXM1, 105, 4, true, 120)
	defField(FieldCTZone, "ct_zone", ClassNXM1, 106, 2, false, 121)
	defField(FieldCTMark, "ct_mark", ClassNXM1, 107, 4, true, 122)
	defField(FieldCTLabel, "ct_label", ClassNXM1, 108, 16, true, 123)
	defField(FieldCTNwSrc, "ct_nw_src", ClassNXM1, 120, 4, true, 124)
	defField(FieldCTNwDst, "ct_nw_dst", ClassNXM1, 121, 4, true, 126)
	defField(FieldCTNwProto, "ct_nw_proto", ClassNXM1, 119, 1, false, 128)
	defField(FieldCTTpSrc, "ct_tp_src", ClassNXM1, 124, 2, true, 129)
	defField(FieldCTTpDst, "ct_tp_dst", ClassNXM1, 125, 2, true, 130)
	defField(FieldMetadata, "metadata", ClassOpenFlow, 2, 8, true, 140)
}

// nxmAliases registers the NXM spellings that OVS accepts for OXM fields.
func nxmAliases() {
	alias(FieldEthDst, ClassNXM0, 1)
	alias(FieldEthSrc, ClassNXM0, 2)
	alias(FieldEthType, ClassNXM0, 3)
	alias(FieldIPProto, ClassNXM0, 6)
	alias(FieldIPv4Src, ClassNXM0, 7)
	alias(FieldIPv4Dst, ClassNXM0, 8)
	alias(FieldTCPSrc, ClassNXM0, 9)
	alias(FieldTCPDst, ClassNXM0, 10)
	alias(FieldUDPSrc, ClassNXM0, 11)
	alias(FieldUDPDst, ClassNXM0, 12)
	alias(FieldICMPv4Type, ClassNXM0, 13)
	alias(FieldICMPv4Code, ClassNXM0, 14)
	alias(FieldARPOp, ClassNXM0, 15)
	alias(FieldARPSPA, ClassNXM0, 16)
	alias(FieldARPTPA, ClassNXM0, 17)
	alias(FieldTunID, ClassNXM1, 16)
	alias(FieldARPSHA, ClassNXM1, 17)
	alias(FieldARPTHA, ClassNXM1, 18)
	alias(FieldIPv6Src, ClassNXM1, 19)
	alias(FieldIPv6Dst, ClassNXM1, 20)
	alias(FieldICMPv6Type, ClassNXM1, 21)
	alias(FieldICMPv6Code, ClassNXM1, 22)
	alias(FieldIPECN, ClassNXM1, 28)
	alias(FieldTCPFlags, ClassNXM1, 34)
}

func (f Field) info() *fieldInfo {
	if int(f) >= numFields {
		return &fieldTable[FieldNone]
	}
	return &fieldTable[f]
}

// Valid reports whether f is a known field.
func (f Field) Valid() bool { return f != FieldNone && int(f) < numFields && fieldTable[f].name != "" }

// String is the OVS name of the field.
func (f Field) String() string {
	if !f.Valid() {
		return fmt.Sprintf("field(%d)", uint8(f))
	}
	return fieldTable[f].name
}

// Width is the field width in bytes.
func (f Field) Width() int { return int(f.info().width) }

// Bits is the field width in bits.
func (f Field) Bits() int { return 8 * int(f.info().width) }

// Maskable reports whether matches (and set_field) may carry a mask.
func (f Field) Maskable() bool { return f.info().maskable }

// Header returns the 32-bit OXM/NXM header for f (class, field, hasmask, length).
func (f Field) Header(masked bool) uint32 {
	fi := f.info()
	h := uint32(fi.class)<<16 | uint32(fi.num)<<9 | uint32(fi.width)
	if masked {
		h = h&^0xff | 1<<8 | 2*uint32(fi.width)
	}
	return h
}

// FieldFromHeader maps an OXM/NXM header to a field. ok is false for unknown
// headers or a length that does not match the field.
func FieldFromHeader(h uint32) (f Field, masked bool, ok bool) {
	f, ok = byHeader[(h>>16)<<8|(h>>9)&0x7f]
	if !ok {
		return FieldNone, false, false
	}
	masked = h&(1<<8) != 0
	n := int(h & 0xff)
	w := f.Width()
	if (masked && n != 2*w) || (!masked && n != w) {
		return FieldNone, false, false
	}
	return f, masked, true
}

// Reg returns the field of register n (0..15).
func Reg(n int) Field { return FieldReg0 + Field(n&15) }

// XReg returns the field of 64-bit register n (0..7).
func XReg(n int) Field { return FieldXReg0 + Field(n&7) }

// XXReg returns the field of 128-bit register n (0..3).
func XXReg(n int) Field { return FieldXXReg0 + Field(n&3) }

func (f Field) isReg() bool  { return f >= FieldReg0 && f <= fieldReg15 }
func (f Field) isXReg() bool { return f >= FieldXReg0 && f <= fieldXReg7 }
