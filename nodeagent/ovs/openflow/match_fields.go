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
	"net"
	"net/netip"
)

// MatchField is one field value (and optional mask) of a match, or the
// operand of a set_field action. Value and Mask are left-aligned: only the
// first Field.Width() bytes are significant. A MatchField is a comparable value.
type MatchField struct {
	Field  Field
	Value  [16]byte
	Mask   [16]byte
	Masked bool
}

// Uint128 is a 128-bit value (ct_label, xxreg) as two 64-bit halves.
type Uint128 struct{ Hi, Lo uint64 }

// ct_state bits (match with CTState(value, mask)).
const (
	CTStateNew  uint32 = 0x01
	CTStateEst  uint32 = 0x02
	CTStateRel  uint32 = 0x04
	CTStateRpl  uint32 = 0x08
	CTStateInv  uint32 = 0x10
	CTStateTrk  uint32 = 0x20
	CTStateSNAT uint32 = 0x40
	CTStateDNAT uint32 = 0x80
)

// Common Ethernet types.
const (
	EthTypeIPv4 uint16 = 0x0800
	EthTypeARP  uint16 = 0x0806
	EthTypeIPv6 uint16 = 0x86dd
)

// IP protocol numbers.
const (
	IPProtoICMP   uint8 = 1
	IPProtoTCP    uint8 = 6
	IPProtoUDP    uint8 = 17
	IPProtoICMPv6 uint8 = 58
	IPProtoSCTP   uint8 = 132
)

// vlanPresent is OFPVID_PRESENT.
const vlanPresent = 0x1000

// FieldBytes builds an exact-match field from big-endian bytes (len = width).
func FieldBytes(f Field, value []byte) MatchField {
	mf := MatchField{Field: f}
	copy(mf.Value[:f.Width()], value)
	return mf
}

// FieldBytesMasked builds a masked field from big-endian value and mask bytes.
func FieldBytesMasked(f Field, value, mask []byte) MatchField {
	mf := MatchField{Field: f, Masked: true}
	copy(mf.Value[:f.Width()], value)
	copy(mf.Mask[:f.Width()], mask)
	return mf
}

// FieldUint builds an exact-match field from an unsigned value (fields up to 64 bits).
func FieldUint(f Field, v uint64) MatchField {
	mf := MatchField{Field: f}
	putUint(mf.Value[:f.Width()], v)
	return mf
}

// FieldUintMasked builds a masked field from an unsigned value and mask.
func FieldUintMasked(f Field, v, mask uint64) MatchField {
	mf := MatchField{Field: f, Masked: true}
	putUint(mf.Value[:f.Width()], v)
	putUint(mf.Mask[:f.Width()], mask)
	return mf
}

func putUint(b []byte, v uint64) {
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = byte(v)
		v >>= 8
	}
}

func getUint(b []byte) uint64 {
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v
}

// Uint returns the value as an unsigned integer (low 64 bits for wide fields).
func (mf MatchField) Uint() uint64 {
	w := mf.Field.Width()
	if w > 8 {
		return getUint(mf.Value[w-8 : w])
	}
	return getUint(mf.Value[:w])
}

// MaskUint returns the mask as an unsigned integer; all ones when unmasked.
func (mf MatchField) MaskUint() uint64 {
	w := mf.Field.Width()
	if !mf.Masked {
		return ^uint64(0) >> (64 - 8*min(w, 8))
	}
	if w > 8 {
		return getUint(mf.Mask[w-8 : w])
	}
	return getUint(mf.Mask[:w])
}

// Addr returns the value as an IP address (4- or 16-byte fields).
func (mf MatchField) Addr() netip.Addr {
	switch mf.Field.Width() {
	case 4:
		return netip.AddrFrom4([4]byte(mf.Value[:4]))
	case 16:
		return netip.AddrFrom16(mf.Value)
	}
	return netip.Addr{}
}

func prefixField(f Field, p netip.Prefix) MatchField {
	p = p.Masked()
	a := p.Addr().AsSlice()
	mf := FieldBytes(f, a)
	if bits := p.Bits(); bits >= 0 && bits < 8*len(a) {
		mf.Masked = true
		for i := 0; i < bits; i++ {
			mf.Mask[i/8] |= 0x80 >> (i % 8)
		}
	}
	return mf
}

func macField(f Field, mac net.HardwareAddr) MatchField { return FieldBytes(f, mac) }

func macFieldMasked(f Field, mac, mask net.HardwareAddr) MatchField {
	return FieldBytesMasked(f, mac, mask)
}

// InPort matches the OpenFlow ingress port.
func InPort(port uint32) MatchField { return FieldUint(FieldInPort, uint64(port)) }

// EthSrc matches the Ethernet source address.
func EthSrc(mac net.HardwareAddr) MatchField { return macField(FieldEthSrc, mac) }

// EthSrcMasked matches the Ethernet source address under mask.
func EthSrcMasked(mac, mask net.HardwareAddr) MatchField {
	return macFieldMasked(FieldEthSrc, mac, mask)
}

// EthDst matches the Ethernet destination address.
func EthDst(mac net.HardwareAddr) MatchField { return macField(FieldEthDst, mac) }

// EthDstMasked matches the Ethernet destination address under mask.
func EthDstMasked(mac, mask net.HardwareAddr) MatchField {
	return macFieldMasked(FieldEthDst, mac, mask)
}

// EthType matches the Ethernet type.
func EthType(t uint16) MatchField { return FieldUint(FieldEthType, uint64(t)) }

// VLANVID matches 802.1Q VLAN id vid (tagged packets only).
func VLANVID(vid uint16) MatchField { return FieldUint(FieldVLANVID, uint64(vid&0xfff|vlanPresent)) }

// VLANVIDMasked matches the raw OXM vlan_vid (including OFPVID_PRESENT 0x1000) under mask.
func VLANVIDMasked(v, mask uint16) MatchField {
	return FieldUintMasked(FieldVLANVID, uint64(v&0x1fff), uint64(mask&0x1fff))
}

// VLANPCP matches the 802.1Q priority (requires a VLANVID match).
func VLANPCP(pcp uint8) MatchField { return FieldUint(FieldVLANPCP, uint64(pcp&7)) }

// IPProto matches the IP protocol (requires IPv4 or IPv6).
func IPProto(p uint8) MatchField { return FieldUint(FieldIPProto, uint64(p)) }

// IPDSCP matches the 6-bit DSCP.
func IPDSCP(d uint8) MatchField { return FieldUint(FieldIPDSCP, uint64(d&0x3f)) }

// IPECN matches the 2-bit ECN.
func IPECN(e uint8) MatchField { return FieldUint(FieldIPECN, uint64(e&3)) }

// IPTTL matches the IP TTL / hop limit.
func IPTTL(ttl uint8) MatchField { return FieldUint(FieldIPTTL, uint64(ttl)) }

// IPv4Src matches the IPv4 source address or CIDR (implies eth_type=0x0800).
func IPv4Src(p netip.Prefix) MatchField { return prefixField(FieldIPv4Src, p) }

// IPv4Dst matches the IPv4 destination address or CIDR (implies eth_type=0x0800).
func IPv4Dst(p netip.Prefix) MatchField { return prefixField(FieldIPv4Dst, p) }

// IPv6Src matches the IPv6 source address or CIDR (implies eth_type=0x86dd).
func IPv6Src(p netip.Prefix) MatchField { return prefixField(FieldIPv6Src, p) }

// IPv6Dst matches the IPv6 destination address or CIDR (implies eth_type=0x86dd).
func IPv6Dst(p netip.Prefix) MatchField { return prefixField(FieldIPv6Dst, p) }

// IPSrc matches an IPv4 or IPv6 source prefix, picking the field by family.
func IPSrc(p netip.Prefix) MatchField {
	if p.Addr().Is4() {
		return IPv4Src(p)
	}
	return IPv6Src(p)
}

// IPDst matches an IPv4 or IPv6 destination prefix, picking the field by family.
func IPDst(p netip.Prefix) MatchField {
	if p.Addr().Is4() {
		return IPv4Dst(p)
	}
	return IPv6Dst(p)
}

func port16(f Field, p uint16) MatchField        { return FieldUint(f, uint64(p)) }
func port16m(f Field, p, mask uint16) MatchField { return FieldUintMasked(f, uint64(p), uint64(mask)) }
func TCPSrc(p uint16) MatchField                 { return port16(FieldTCPSrc, p) }
func TCPDst(p uint16) MatchField                 { return port16(FieldTCPDst, p) }
func TCPSrcMasked(p, mask uint16) MatchField     { return port16m(FieldTCPSrc, p, mask) }
func TCPDstMasked(p, mask uint16) MatchField     { return port16m(FieldTCPDst, p, mask) }
func TCPFlags(flags, mask uint16) MatchField     { return port16m(FieldTCPFlags, flags, mask) }
func UDPSrc(p uint16) MatchField                 { return port16(FieldUDPSrc, p) }
func UDPDst(p uint16) MatchField                 { return port16(FieldUDPDst, p) }
func UDPSrcMasked(p, mask uint16) MatchField     { return port16m(FieldUDPSrc, p, mask) }
func UDPDstMasked(p, mask uint16) MatchField     { return port16m(FieldUDPDst, p, mask) }
func SCTPSrc(p uint16) MatchField                { return port16(FieldSCTPSrc, p) }
func SCTPDst(p uint16) MatchField                { return port16(FieldSCTPDst, p) }
func SCTPSrcMasked(p, mask uint16) MatchField    { return port16m(FieldSCTPSrc, p, mask) }
func SCTPDstMasked(p, mask uint16) MatchField    { return port16m(FieldSCTPDst, p, mask) }
func ICMPType(t uint8) MatchField                { return FieldUint(FieldICMPv4Type, uint64(t)) }
func ICMPCode(c uint8) MatchField                { return FieldUint(FieldICMPv4Code, uint64(c)) }
func ICMPv6Type(t uint8) MatchField              { return FieldUint(FieldICMPv6Type, uint64(t)) }
func ICMPv6Code(c uint8) MatchField              { return FieldUint(FieldICMPv6Code, uint64(c)) }
func ARPOp(op uint16) MatchField                 { return FieldUint(FieldARPOp, uint64(op)) }
func ARPSPA(p netip.Prefix) MatchField           { return prefixField(FieldARPSPA, p) }
func ARPTPA(p netip.Prefix) MatchField           { return prefixField(FieldARPTPA, p) }
func ARPSHA(mac net.HardwareAddr) MatchField     { return macField(FieldARPSHA, mac) }
func ARPTHA(mac net.HardwareAddr) MatchField     { return macField(FieldARPTHA, mac) }
func RegField(n int, v uint32) MatchField        { return FieldUint(Reg(n), uint64(v)) }
func RegFieldMasked(n int, v, m uint32) MatchField {
	return FieldUintMasked(Reg(n), uint64(v), uint64(m))
}
func XRegField(n int, v uint64) MatchField { return FieldUint(XReg(n), v) }
func XRegFieldMasked(n int, v, m uint64) MatchField {
	return FieldUintMasked(XReg(n), v, m)
}
func ConjID(id uint32) MatchField { return FieldUint(FieldConjID, uint64(id)) }
func CTState(v, mask uint32) MatchField {
	return FieldUintMasked(FieldCTState, uint64(v), uint64(mask))
}
func CTZone(z uint16) MatchField              { return FieldUint(FieldCTZone, uint64(z)) }
func CTMark(v uint32) MatchField              { return FieldUint(FieldCTMark, uint64(v)) }
func CTMarkMasked(v, m uint32) MatchField     { return FieldUintMasked(FieldCTMark, uint64(v), uint64(m)) }
func CTNwSrc(p netip.Prefix) MatchField       { return prefixField(FieldCTNwSrc, p) }
func CTNwDst(p netip.Prefix) MatchField       { return prefixField(FieldCTNwDst, p) }
func CTNwProto(p uint8) MatchField            { return FieldUint(FieldCTNwProto, uint64(p)) }
func CTTpSrc(p uint16) MatchField             { return port16(FieldCTTpSrc, p) }
func CTTpDst(p uint16) MatchField             { return port16(FieldCTTpDst, p) }
func CTTpSrcMasked(p, mask uint16) MatchField { return port16m(FieldCTTpSrc, p, mask) }
func CTTpDstMasked(p, mask uint16) MatchField { return port16m(FieldCTTpDst, p, mask) }
func PktMark(v uint32) MatchField             { return FieldUint(FieldPktMark, uint64(v)) }
func PktMarkMasked(v, m uint32) MatchField {
	return FieldUintMasked(FieldPktMark, uint64(v), uint64(m))
}
func TunID(v uint64) MatchField          { return FieldUint(FieldTunID, v) }
func TunIDMasked(v, m uint64) MatchField { return FieldUintMasked(FieldTunID, v, m) }
func TunSrc(p netip.Prefix) MatchField   { return prefixField(FieldTunSrc, p) }
func TunDst(p netip.Prefix) MatchField   { return prefixField(FieldTunDst, p) }
func TunFlags(v, m uint16) MatchField    { return FieldUintMasked(FieldTunFlags, uint64(v), uint64(m)) }
func Metadata(v, m uint64) MatchField    { return FieldUintMasked(FieldMetadata, v, m) }

// CTLabel matches ct_label exactly.
func CTLabel(v Uint128) MatchField {
	mf := MatchField{Field: FieldCTLabel}
	putUint(mf.Value[:8], v.Hi)
	putUint(mf.Value[8:16], v.Lo)
	return mf
}

// CTLabelMasked matches ct_label under mask.
func CTLabelMasked(v, mask Uint128) MatchField {
	mf := CTLabel(v)
	mf.Masked = true
	putUint(mf.Mask[:8], mask.Hi)
	putUint(mf.Mask[8:16], mask.Lo)
	return mf
}
