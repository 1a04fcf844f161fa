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

// PacketOut is OFPT_PACKET_OUT. InPort is the packet's ingress port as seen
// by the pipeline (PortController for controller-originated packets);
// Metadata carries further pipeline fields (registers, ...). The frame is
// never buffered.
type PacketOut struct {
	InPort   uint32
	Metadata Match
	Actions  []Action
	Data     []byte
}

// MsgType implements Message.
func (PacketOut) MsgType() MsgType { return TypePacketOut }

// AppendBody implements Message.
func (p PacketOut) AppendBody(b []byte) []byte {
	b = appendU32(b, noBuffer)
	lenAt := len(b)
	b = append(b, 0, 0, 0, 0)
	m := p.match()
	b = m.appendOFPMatch(b)
	start := len(b)
	b = AppendActions(b, p.Actions...)
	be.PutUint16(b[lenAt:], uint16(len(b)-start))
	return append(b, p.Data...)
}

// match merges InPort into Metadata in canonical order.
func (p PacketOut) match() Match {
	var c canon
	_ = c.add(InPort(p.InPort))
	for _, mf := range p.Metadata.Fields() {
		_ = c.add(mf)
	}
	return Match{oxm: string(c.appendOXM(nil))}
}

func decodePacketOut(body []byte) (PacketOut, error) {
	if len(body) < 8 {
		return PacketOut{}, fmt.Errorf("packet_out: %w", ErrShort)
	}
	al := int(be.Uint16(body[4:]))
	m, n, err := parseOFPMatch(body[8:], true)
	if err != nil {
		return PacketOut{}, fmt.Errorf("packet_out: %w", err)
	}
	rest := body[8+n:]
	if al > len(rest) {
		return PacketOut{}, fmt.Errorf("packet_out actions: %w", ErrShort)
	}
	acts, err := DecodeActions(rest[:al])
	if err != nil {
		return PacketOut{}, fmt.Errorf("packet_out: %w", err)
	}
	p := PacketOut{Actions: acts, Data: copyBytes(rest[al:])}
	var c canon
	for _, mf := range m.Fields() {
		if mf.Field == FieldInPort {
			p.InPort = uint32(mf.Uint())
			continue
		}
		_ = c.add(mf)
	}
	p.Metadata = Match{oxm: string(c.appendOXM(nil))}
	return p, nil
}
