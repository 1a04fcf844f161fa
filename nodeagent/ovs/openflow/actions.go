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
	"strings"
)

// Action is one OpenFlow action. Actions are built with the types below and
// encoded in order inside an apply_actions instruction (see Apply).
type Action interface {
	appendAction(b []byte) []byte
	fmt.Stringer
}

// Standard OpenFlow 1.5 action types.
const (
	actOutput       uint16 = 0
	actPushVLAN     uint16 = 17
	actPopVLAN      uint16 = 18
	actGroup        uint16 = 22
	actDecNwTTL     uint16 = 24
	actSetField     uint16 = 25
	actCopyField    uint16 = 28
	actMeter        uint16 = 29
	actExperimenter uint16 = 0xffff
)

// Reserved OpenFlow ports.
const (
	PortMax        uint32 = 0xffffff00
	PortInPort     uint32 = 0xfffffff8
	PortTable      uint32 = 0xfffffff9
	PortNormal     uint32 = 0xfffffffa
	PortFlood      uint32 = 0xfffffffb
	PortAll        uint32 = 0xfffffffc
	PortController uint32 = 0xfffffffd
	PortLocal      uint32 = 0xfffffffe
	PortAny        uint32 = 0xffffffff
)

// Output sends the packet to Port. MaxLen only matters for PortController.
type Output struct {
	Port   uint32
	MaxLen uint16
}

func (a Output) appendAction(b []byte) []byte {
	b = append(b, 0, 0, 0, 16)
	b = appendU32(b, a.Port)
	b = appendU16(b, a.MaxLen)
	return append(b, zeros[:6]...)
}

func (a Output) String() string {
	switch a.Port {
	case PortInPort:
		return "IN_PORT"
	case PortTable:
		return "TABLE"
	case PortNormal:
		return "NORMAL"
	case PortController:
		return fmt.Sprintf("CONTROLLER:%d", a.MaxLen)
	case PortLocal:
		return "LOCAL"
	}
	return fmt.Sprintf("output:%d", a.Port)
}

// SetField writes Value (masked writes only the mask bits) into its field.
type SetField struct{ Value MatchField }

func (a SetField) appendAction(b []byte) []byte {
	start := len(b)
	b = append(b, 0, byte(actSetField), 0, 0)
	b = appendOXMField(b, a.Value)
	b = appendPad8(b, start)
	be.PutUint16(b[start+2:], uint16(len(b)-start))
	return b
}

// String is ovs-ofctl's set_field:value[/mask]->field (field named as
// this package names it, which is OVS's name for registers and ct_*).
func (a SetField) String() string {
	name, value, _ := strings.Cut(a.Value.String(), "=")
	return "set_field:" + value + "->" + name
}

// LoadReg sets bits [ofs, ofs+nbits) of register n to v (like Antrea's
// LoadToRegField): a masked set_field.
func LoadReg(n int, v uint32, ofs, nbits uint) SetField {
	mask := uint32((uint64(1)<<nbits)-1) << ofs
	mf := RegFieldMasked(n, v<<ofs, mask)
	if mask == 0xffffffff {
		mf = RegField(n, v)
	}
	return SetField{Value: mf}
}

// SetFieldUint sets the whole field f to v.
func SetFieldUint(f Field, v uint64) SetField { return SetField{Value: FieldUint(f, v)} }

// CopyField copies NBits bits from Src[SrcOfs:] to Dst[DstOfs:] (ovs "move").
type CopyField struct {
	Src, Dst       Field
	SrcOfs, DstOfs uint16
	NBits          uint16
}

func (a CopyField) appendAction(b []byte) []byte {
	b = append(b, 0, byte(actCopyField), 0, 24)
	b = appendU16(b, a.NBits)
	b = appendU16(b, a.SrcOfs)
	b = appendU16(b, a.DstOfs)
	b = append(b, 0, 0)
	b = appendU32(b, a.Src.Header(false))
	b = appendU32(b, a.Dst.Header(false))
	return append(b, 0, 0, 0, 0)
}

// String is ovs-ofctl's move:NXM_NX_REG7[]->NXM_NX_CT_LABEL[64..95].
func (a CopyField) String() string {
	return "move:" + Bits(a.Src, a.SrcOfs, a.NBits).String() + "->" + Bits(a.Dst, a.DstOfs, a.NBits).String()
}

// Group sends the packet to a group.
type Group struct{ ID uint32 }

func (a Group) appendAction(b []byte) []byte {
	b = append(b, 0, byte(actGroup), 0, 8)
	return appendU32(b, a.ID)
}

func (a Group) String() string { return fmt.Sprintf("group:%d", a.ID) }

// Meter applies a meter (OpenFlow 1.5 action form).
type Meter struct{ ID uint32 }

func (a Meter) appendAction(b []byte) []byte {
	b = append(b, 0, byte(actMeter), 0, 8)
	return appendU32(b, a.ID)
}

func (a Meter) String() string { return fmt.Sprintf("meter:%d", a.ID) }

// DecTTL decrements the IP TTL (OFPAT_DEC_NW_TTL).
type DecTTL struct{}

func (DecTTL) appendAction(b []byte) []byte { return append(b, 0, byte(actDecNwTTL), 0, 8, 0, 0, 0, 0) }
func (DecTTL) String() string               { return "dec_ttl" }

// PushVLAN pushes an 802.1Q header with the given TPID (0x8100).
type PushVLAN struct{ EthType uint16 }

func (a PushVLAN) appendAction(b []byte) []byte {
	b = append(b, 0, byte(actPushVLAN), 0, 8)
	b = appendU16(b, a.EthType)
	return append(b, 0, 0)
}

func (a PushVLAN) String() string { return fmt.Sprintf("push_vlan:0x%04x", a.EthType) }

// PopVLAN removes the outer 802.1Q header.
type PopVLAN struct{}

func (PopVLAN) appendAction(b []byte) []byte { return append(b, 0, byte(actPopVLAN), 0, 8, 0, 0, 0, 0) }
func (PopVLAN) String() string               { return "pop_vlan" }

// AppendActions appends the encoding of acts to b.
func AppendActions(b []byte, acts ...Action) []byte {
	for _, a := range acts {
		b = a.appendAction(b)
	}
	return b
}
