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

// implied describes a prerequisite that a field implies.
type implied struct {
	ethType uint16
	proto   uint8
}

var impliedBy = map[Field]implied{
	FieldIPv4Src: {ethType: EthTypeIPv4}, FieldIPv4Dst: {ethType: EthTypeIPv4},
	FieldIPv6Src: {ethType: EthTypeIPv6}, FieldIPv6Dst: {ethType: EthTypeIPv6},
	FieldARPOp: {ethType: EthTypeARP}, FieldARPSPA: {ethType: EthTypeARP}, FieldARPTPA: {ethType: EthTypeARP},
	FieldARPSHA: {ethType: EthTypeARP}, FieldARPTHA: {ethType: EthTypeARP},
	FieldTCPSrc: {proto: IPProtoTCP}, FieldTCPDst: {proto: IPProtoTCP}, FieldTCPFlags: {proto: IPProtoTCP},
	FieldUDPSrc: {proto: IPProtoUDP}, FieldUDPDst: {proto: IPProtoUDP},
	FieldSCTPSrc: {proto: IPProtoSCTP}, FieldSCTPDst: {proto: IPProtoSCTP},
	FieldICMPv4Type: {ethType: EthTypeIPv4, proto: IPProtoICMP}, FieldICMPv4Code: {ethType: EthTypeIPv4, proto: IPProtoICMP},
	FieldICMPv6Type: {ethType: EthTypeIPv6, proto: IPProtoICMPv6}, FieldICMPv6Code: {ethType: EthTypeIPv6, proto: IPProtoICMPv6},
	FieldCTNwSrc: {ethType: EthTypeIPv4}, FieldCTNwDst: {ethType: EthTypeIPv4},
}

// implyPrereqs adds eth_type and ip_proto when the other fields determine them.
func (c *canon) implyPrereqs() error {
	var eth uint16
	var proto uint8
	var ethBy, protoBy Field
	for _, mf := range c.fields {
		im, ok := impliedBy[mf.Field]
		if !ok {
			continue
		}
		if im.ethType != 0 {
			if eth != 0 && eth != im.ethType {
				return fmt.Errorf("%w: %v and %v need different eth_types", ErrMatch, ethBy, mf.Field)
			}
			eth, ethBy = im.ethType, mf.Field
		}
		if im.proto != 0 {
			if proto != 0 && proto != im.proto {
				return fmt.Errorf("%w: %v and %v need different ip_protos", ErrMatch, protoBy, mf.Field)
			}
			proto, protoBy = im.proto, mf.Field
		}
	}
	if eth != 0 && !c.present[FieldEthType] {
		c.present[FieldEthType] = true
		c.fields = append(c.fields, EthType(eth))
	}
	if proto != 0 && !c.present[FieldIPProto] {
		c.present[FieldIPProto] = true
		c.fields = append(c.fields, IPProto(proto))
	}
	return nil
}

// checkPrereqs enforces the OVS prerequisites so OVS never answers
// OFPBMC_BAD_PREREQ for a match we built.
func (c *canon) checkPrereqs() error {
	for _, mf := range c.fields {
		if err := c.checkField(mf.Field); err != nil {
			return fmt.Errorf("%w: %v requires %s", ErrMatch, mf.Field, err.Error())
		}
	}
	return nil
}

type prereqError string

func (e prereqError) Error() string { return string(e) }

func (c *canon) ethTypeIs(types ...uint16) bool {
	mf, ok := c.get(FieldEthType)
	if !ok {
		return false
	}
	for _, t := range types {
		if uint16(mf.Uint()) == t {
			return true
		}
	}
	return false
}

func (c *canon) protoIs(p uint8) bool {
	mf, ok := c.get(FieldIPProto)
	return ok && uint8(mf.Uint()) == p && c.ethTypeIs(EthTypeIPv4, EthTypeIPv6)
}

func (c *canon) checkField(f Field) error {
	switch f {
	case FieldIPv4Src, FieldIPv4Dst:
		return need(c.ethTypeIs(EthTypeIPv4), "eth_type=0x0800")
	case FieldIPv6Src, FieldIPv6Dst:
		return need(c.ethTypeIs(EthTypeIPv6), "eth_type=0x86dd")
	case FieldARPOp, FieldARPSPA, FieldARPTPA, FieldARPSHA, FieldARPTHA:
		return need(c.ethTypeIs(EthTypeARP, 0x8035), "eth_type=0x0806")
	case FieldIPProto, FieldIPDSCP, FieldIPECN, FieldIPTTL:
		return need(c.ethTypeIs(EthTypeIPv4, EthTypeIPv6), "eth_type ip or ipv6")
	case FieldTCPSrc, FieldTCPDst, FieldTCPFlags:
		return need(c.protoIs(IPProtoTCP), "ip or ipv6 with ip_proto=6")
	case FieldUDPSrc, FieldUDPDst:
		return need(c.protoIs(IPProtoUDP), "ip or ipv6 with ip_proto=17")
	case FieldSCTPSrc, FieldSCTPDst:
		return need(c.protoIs(IPProtoSCTP), "ip or ipv6 with ip_proto=132")
	case FieldICMPv4Type, FieldICMPv4Code:
		return need(c.protoIs(IPProtoICMP) && c.ethTypeIs(EthTypeIPv4), "eth_type=0x0800 with ip_proto=1")
	case FieldICMPv6Type, FieldICMPv6Code:
		return need(c.protoIs(IPProtoICMPv6) && c.ethTypeIs(EthTypeIPv6), "eth_type=0x86dd with ip_proto=58")
	case FieldVLANPCP:
		vid, ok := c.get(FieldVLANVID)
		return need(ok && vid.Value[0]&0x10 != 0 && (!vid.Masked || vid.Mask[0]&0x10 != 0), "a tagged vlan_vid match")
	case FieldCTNwSrc, FieldCTNwDst:
		return need(c.ctValid() && c.ethTypeIs(EthTypeIPv4), "eth_type=0x0800 and a ct_state matching a valid connection (+trk-inv, +new, +est, ...)")
	case FieldCTNwProto:
		return need(c.ctValid() && c.ethTypeIs(EthTypeIPv4, EthTypeIPv6), "ip or ipv6 and a ct_state matching a valid connection")
	case FieldCTTpSrc, FieldCTTpDst:
		_, ok := c.get(FieldCTNwProto)
		return need(c.ctValid() && ok && c.ethTypeIs(EthTypeIPv4, EthTypeIPv6), "ip or ipv6, a valid ct_state and ct_nw_proto")
	}
	return nil
}

func need(ok bool, what string) error {
	if ok {
		return nil
	}
	return prereqError(what)
}

// ctValid mirrors OVS is_ct_valid() for matches.
func (c *canon) ctValid() bool {
	mf, ok := c.get(FieldCTState)
	if !ok {
		return false
	}
	v, m := uint32(mf.Uint()), uint32(mf.MaskUint())
	valid := CTStateNew | CTStateEst | CTStateRel | CTStateRpl | CTStateSNAT | CTStateDNAT
	return v&valid != 0 || (v&CTStateTrk != 0 && m&CTStateInv != 0 && v&CTStateInv == 0)
}
