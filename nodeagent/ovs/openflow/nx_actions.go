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

// NiciraID is the Nicira experimenter ID used by OVS extensions.
const NiciraID uint32 = 0x00002320

// NXAST subtypes.
const (
	nxastNote          uint16 = 8
	nxastResubmitTable uint16 = 14
	nxastOutputReg     uint16 = 15
	nxastConjunction   uint16 = 34
	nxastCT            uint16 = 35
	nxastNAT           uint16 = 36
	nxastController2   uint16 = 37
)

// appendNXHeader appends the 10-byte NXAST header with a length placeholder.
func appendNXHeader(b []byte, subtype uint16) []byte {
	b = append(b, 0xff, 0xff, 0, 0)
	b = appendU32(b, NiciraID)
	return appendU16(b, subtype)
}

// finishAction pads the action at start to 8 bytes and writes its length.
func finishAction(b []byte, start int) []byte {
	b = appendPad8(b, start)
	be.PutUint16(b[start+2:], uint16(len(b)-start))
	return b
}

// Resubmit searches Table (0xff = current table) with in_port InPort
// (PortInPort16 keeps the packet's in_port).
type Resubmit struct {
	InPort uint16
	Table  uint8
}

// PortInPort16 is OFPP_IN_PORT in the 16-bit NXM port space.
const PortInPort16 uint16 = 0xfff8

// ResubmitTable is resubmit(,table).
func ResubmitTable(table uint8) Resubmit { return Resubmit{InPort: PortInPort16, Table: table} }

func (a Resubmit) appendAction(b []byte) []byte {
	start := len(b)
	b = appendNXHeader(b, nxastResubmitTable)
	b = appendU16(b, a.InPort)
	b = append(b, a.Table, 0, 0, 0)
	return finishAction(b, start)
}

func (a Resubmit) String() string {
	if a.InPort == PortInPort16 {
		return fmt.Sprintf("resubmit(,%d)", a.Table)
	}
	return fmt.Sprintf("resubmit(%d,%d)", a.InPort, a.Table)
}

// OutputReg outputs to the port in Src[Ofs:Ofs+NBits].
type OutputReg struct {
	Src    Field
	Ofs    uint16
	NBits  uint16
	MaxLen uint16
}

// OutputToReg is output:regN[] (all 32 bits).
func OutputToReg(n int) OutputReg { return OutputReg{Src: Reg(n), NBits: 32, MaxLen: 0xffff} }

func ofsNBits(ofs, nbits uint16) uint16 { return ofs<<6 | (nbits-1)&0x3f }

func (a OutputReg) appendAction(b []byte) []byte {
	start := len(b)
	b = appendNXHeader(b, nxastOutputReg)
	b = appendU16(b, ofsNBits(a.Ofs, a.NBits))
	b = appendU32(b, a.Src.Header(false))
	b = appendU16(b, a.MaxLen)
	b = append(b, zeros[:6]...)
	return finishAction(b, start)
}

func (a OutputReg) String() string {
	return fmt.Sprintf("output:%v[%d..%d]", a.Src, a.Ofs, a.Ofs+a.NBits-1)
}

// Conjunction is conjunction(ID, Clause/NClauses); Clause is 1-based.
type Conjunction struct {
	ID       uint32
	Clause   uint8
	NClauses uint8
}

func (a Conjunction) appendAction(b []byte) []byte {
	start := len(b)
	b = appendNXHeader(b, nxastConjunction)
	b = append(b, a.Clause-1, a.NClauses)
	b = appendU32(b, a.ID)
	return finishAction(b, start)
}

func (a Conjunction) String() string {
	return fmt.Sprintf("conjunction(%d,%d/%d)", a.ID, a.Clause, a.NClauses)
}

// Note carries opaque bytes with the flow (ovs "note").
type Note struct{ Data []byte }

func (a Note) appendAction(b []byte) []byte {
	start := len(b)
	b = appendNXHeader(b, nxastNote)
	b = append(b, a.Data...)
	if len(b)-start < 16 {
		b = append(b, zeros[:16-(len(b)-start)]...)
	}
	return finishAction(b, start)
}

func (a Note) String() string { return "note:" + dotted(a.Data) }

func dotted(d []byte) string {
	parts := make([]string, len(d))
	for i, c := range d {
		parts[i] = fmt.Sprintf("%02x", c)
	}
	return strings.Join(parts, ".")
}

// PacketInReason is the reason in packet-ins and controller actions.
type PacketInReason uint8

// Packet-in reasons (OVS numbering).
const (
	ReasonNoMatch     PacketInReason = 0
	ReasonAction      PacketInReason = 1
	ReasonInvalidTTL  PacketInReason = 2
	ReasonActionSet   PacketInReason = 3
	ReasonGroup       PacketInReason = 4
	ReasonPacketOut   PacketInReason = 5
	ReasonDefaultMiss PacketInReason = 0xff
)

// Controller sends the packet to controllers (NXAST_CONTROLLER2). Reason is
// always encoded unless it is ReasonAction. MaxLen 0 means "whole packet".
// ID selects the controller connection (see Config.ControllerID). MeterID
// rate-limits the packet-ins (OVS >= 2.16).
type Controller struct {
	Reason   PacketInReason
	ID       uint16
	MaxLen   uint16
	Userdata []byte
	Pause    bool
	MeterID  uint32
}

// controller2 property types. As in OVS (ofpprop_put_u16), 16-bit values
// travel in 4-byte property values: the value, then two zero bytes.
const (
	nxac2MaxLen   uint16 = 0
	nxac2CtrlID   uint16 = 1
	nxac2Reason   uint16 = 2
	nxac2Userdata uint16 = 3
	nxac2Pause    uint16 = 4
	nxac2Meter    uint16 = 5
)

func (a Controller) appendAction(b []byte) []byte {
	start := len(b)
	b = appendNXHeader(b, nxastController2)
	b = append(b, zeros[:6]...)
	if a.MaxLen != 0 && a.MaxLen != 0xffff {
		b = appendProp(b, nxac2MaxLen, []byte{byte(a.MaxLen >> 8), byte(a.MaxLen), 0, 0})
	}
	if a.ID != 0 {
		b = appendProp(b, nxac2CtrlID, []byte{byte(a.ID >> 8), byte(a.ID), 0, 0})
	}
	if a.Reason != ReasonAction {
		b = appendProp(b, nxac2Reason, []byte{byte(a.Reason)})
	}
	if len(a.Userdata) > 0 {
		b = appendProp(b, nxac2Userdata, a.Userdata)
	}
	if a.Pause {
		b = appendProp(b, nxac2Pause, nil)
	}
	if a.MeterID != 0 {
		b = appendProp(b, nxac2Meter, []byte{byte(a.MeterID >> 24), byte(a.MeterID >> 16), byte(a.MeterID >> 8), byte(a.MeterID)})
	}
	return finishAction(b, start)
}

// appendProp appends an OpenFlow property (type, len, value, pad to 8).
func appendProp(b []byte, typ uint16, value []byte) []byte {
	start := len(b)
	b = appendU16(b, typ)
	b = appendU16(b, uint16(4+len(value)))
	b = append(b, value...)
	return appendPad8(b, start)
}

func (a Controller) String() string {
	s := fmt.Sprintf("controller(reason=%d", a.Reason)
	if a.ID != 0 {
		s += fmt.Sprintf(",id=%d", a.ID)
	}
	if a.MaxLen != 0 {
		s += fmt.Sprintf(",max_len=%d", a.MaxLen)
	}
	if len(a.Userdata) > 0 {
		s += ",userdata=" + dotted(a.Userdata)
	}
	if a.MeterID != 0 {
		s += fmt.Sprintf(",meter_id=%d", a.MeterID)
	}
	if a.Pause {
		s += ",pause"
	}
	return s + ")"
}
