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

// Fields inside learn specs travel with their oldest header: the NXM
// (OpenFlow 1.0) header when the field has one, the OXM header otherwise,
// whatever the OpenFlow version of the connection (observed on OVS 3.1:
// tcp_dst is 0x00001402 NXM_OF_TCP_DST, ip_dscp 0x80001001 OXM_OF_IP_DSCP).
// in_port is the 16-bit NXM_OF_IN_PORT there, not the 32-bit OXM in_port.

// valueFormat is how ovs-ofctl prints an immediate value of a field.
type valueFormat uint8

const (
	fmtHex valueFormat = iota
	fmtDec
	fmtIPv4
	fmtIPv6
	fmtMAC
)

type learnFieldInfo struct {
	header uint32 // NXM/OXM header without mask
	bits   uint16 // width in learn specs
	sfName string // subfield spelling: NXM_OF_IP_SRC
	mfName string // immediate spelling: ip_src
	format valueFormat
}

var learnFields, learnByHeader = buildLearnFields()

func buildLearnFields() (map[Field]learnFieldInfo, map[uint32]Field) {
	byField := map[Field]learnFieldInfo{}
	add := func(f Field, sfName, mfName string, format valueFormat) {
		h := f.Header(false)
		for alias, af := range byHeader {
			if af == f && alias>>8 <= uint32(ClassNXM1) {
				h = (alias>>8)<<16 | (alias&0x7f)<<9 | uint32(f.Width())
			}
		}
		byField[f] = learnFieldInfo{header: h, bits: uint16(f.Bits()), sfName: sfName, mfName: mfName, format: format}
	}
	for _, d := range []struct {
		f              Field
		sfName, mfName string
		format         valueFormat
	}{
		{FieldEthDst, "NXM_OF_ETH_DST", "eth_dst", fmtMAC},
		{FieldEthSrc, "NXM_OF_ETH_SRC", "eth_src", fmtMAC},
		{FieldEthType, "NXM_OF_ETH_TYPE", "eth_type", fmtHex},
		{FieldVLANVID, "OXM_OF_VLAN_VID", "vlan_vid", fmtDec},
		{FieldVLANPCP, "OXM_OF_VLAN_PCP", "vlan_pcp", fmtDec},
		{FieldIPv4Src, "NXM_OF_IP_SRC", "ip_src", fmtIPv4},
		{FieldIPv4Dst, "NXM_OF_IP_DST", "ip_dst", fmtIPv4},
		{FieldIPv6Src, "NXM_NX_IPV6_SRC", "ipv6_src", fmtIPv6},
		{FieldIPv6Dst, "NXM_NX_IPV6_DST", "ipv6_dst", fmtIPv6},
		{FieldIPDSCP, "OXM_OF_IP_DSCP", "ip_dscp", fmtDec},
		{FieldIPECN, "NXM_NX_IP_ECN", "nw_ecn", fmtDec},
		{FieldIPTTL, "NXM_NX_IP_TTL", "nw_ttl", fmtDec},
		{FieldIPProto, "NXM_OF_IP_PROTO", "nw_proto", fmtDec},
		{FieldTCPSrc, "NXM_OF_TCP_SRC", "tcp_src", fmtDec},
		{FieldTCPDst, "NXM_OF_TCP_DST", "tcp_dst", fmtDec},
		{FieldTCPFlags, "NXM_NX_TCP_FLAGS", "tcp_flags", fmtHex},
		{FieldUDPSrc, "NXM_OF_UDP_SRC", "udp_src", fmtDec},
		{FieldUDPDst, "NXM_OF_UDP_DST", "udp_dst", fmtDec},
		{FieldSCTPSrc, "OXM_OF_SCTP_SRC", "sctp_src", fmtDec},
		{FieldSCTPDst, "OXM_OF_SCTP_DST", "sctp_dst", fmtDec},
		{FieldICMPv4Type, "NXM_OF_ICMP_TYPE", "icmp_type", fmtDec},
		{FieldICMPv4Code, "NXM_OF_ICMP_CODE", "icmp_code", fmtDec},
		{FieldICMPv6Type, "NXM_NX_ICMPV6_TYPE", "icmpv6_type", fmtDec},
		{FieldICMPv6Code, "NXM_NX_ICMPV6_CODE", "icmpv6_code", fmtDec},
		{FieldARPOp, "NXM_OF_ARP_OP", "arp_op", fmtDec},
		{FieldARPSPA, "NXM_OF_ARP_SPA", "arp_spa", fmtIPv4},
		{FieldARPTPA, "NXM_OF_ARP_TPA", "arp_tpa", fmtIPv4},
		{FieldARPSHA, "NXM_NX_ARP_SHA", "arp_sha", fmtMAC},
		{FieldARPTHA, "NXM_NX_ARP_THA", "arp_tha", fmtMAC},
		{FieldTunID, "NXM_NX_TUN_ID", "tun_id", fmtHex},
		{FieldTunFlags, "NXM_NX_TUN_FLAGS", "tun_flags", fmtHex},
		{FieldTunSrc, "NXM_NX_TUN_IPV4_SRC", "tun_src", fmtIPv4},
		{FieldTunDst, "NXM_NX_TUN_IPV4_DST", "tun_dst", fmtIPv4},
		{FieldPktMark, "NXM_NX_PKT_MARK", "pkt_mark", fmtHex},
		{FieldCTState, "NXM_NX_CT_STATE", "ct_state", fmtHex},
		{FieldCTZone, "NXM_NX_CT_ZONE", "ct_zone", fmtHex},
		{FieldCTMark, "NXM_NX_CT_MARK", "ct_mark", fmtHex},
		{FieldCTLabel, "NXM_NX_CT_LABEL", "ct_label", fmtHex},
		{FieldCTNwSrc, "NXM_NX_CT_NW_SRC", "ct_nw_src", fmtIPv4},
		{FieldCTNwDst, "NXM_NX_CT_NW_DST", "ct_nw_dst", fmtIPv4},
		{FieldCTNwProto, "NXM_NX_CT_NW_PROTO", "ct_nw_proto", fmtDec},
		{FieldCTTpSrc, "NXM_NX_CT_TP_SRC", "ct_tp_src", fmtDec},
		{FieldCTTpDst, "NXM_NX_CT_TP_DST", "ct_tp_dst", fmtDec},
		{FieldMetadata, "OXM_OF_METADATA", "metadata", fmtHex},
		{FieldConjID, "NXM_NX_CONJ_ID", "conj_id", fmtDec},
	} {
		add(d.f, d.sfName, d.mfName, d.format)
	}
	for i := 0; i < 16; i++ {
		add(Reg(i), fmt.Sprintf("NXM_NX_REG%d", i), fmt.Sprintf("reg%d", i), fmtHex)
	}
	for i := 0; i < 8; i++ {
		add(XReg(i), fmt.Sprintf("OXM_OF_PKT_REG%d", i), fmt.Sprintf("xreg%d", i), fmtHex)
	}
	for i := 0; i < 4; i++ {
		add(XXReg(i), fmt.Sprintf("NXM_NX_XXREG%d", i), fmt.Sprintf("xxreg%d", i), fmtHex)
	}
	// NXM_OF_IN_PORT: class 0, field 0, 2 bytes.
	byField[FieldInPort] = learnFieldInfo{header: 0x00000002, bits: 16, sfName: "NXM_OF_IN_PORT", mfName: "in_port", format: fmtDec}
	rev := make(map[uint32]Field, len(byField))
	for f, fi := range byField {
		rev[fi.header] = f
	}
	return byField, rev
}

// learnField returns how f travels in learn specs; unknown fields get their
// OXM header and field name.
func learnField(f Field) learnFieldInfo {
	if fi, ok := learnFields[f]; ok {
		return fi
	}
	return learnFieldInfo{header: f.Header(false), bits: uint16(f.Bits()), sfName: f.String(), mfName: f.String()}
}

// learnFieldFromHeader maps a header found in a learn spec to a field.
func learnFieldFromHeader(h uint32) (Field, error) {
	if f, ok := learnByHeader[h]; ok {
		return f, nil
	}
	f, masked, ok := FieldFromHeader(h)
	if !ok || masked {
		return FieldNone, fmt.Errorf("%w: learn: bad field header 0x%08x", ErrAction, h)
	}
	return f, nil
}
