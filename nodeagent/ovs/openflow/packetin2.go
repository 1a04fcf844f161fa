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

// PacketIn2 is NXT_PACKET_IN2 (enabled with SetPacketInFormat{NXT2}).
// TableID is the table of the controller() action (not the table that
// decided: keep that in a register). Metadata holds the pipeline fields
// (in_port, registers split from OVS's xreg form, ct_*), canonicalized.
type PacketIn2 struct {
	Packet       []byte
	FullLen      uint32
	BufferID     uint32
	TableID      uint8
	Cookie       uint64
	Reason       PacketInReason
	Metadata     Match
	Userdata     []byte
	Continuation []byte
}

// NXPINT_* property types.
const (
	pinPacket       uint16 = 0
	pinFullLen      uint16 = 1
	pinBufferID     uint16 = 2
	pinTableID      uint16 = 3
	pinCookie       uint16 = 4
	pinReason       uint16 = 5
	pinMetadata     uint16 = 6
	pinUserdata     uint16 = 7
	pinContinuation uint16 = 8
)

// MsgType implements Message.
func (PacketIn2) MsgType() MsgType { return TypeExperimenter }

// AppendBody implements Message (mostly for tests and fake switches).
func (p PacketIn2) AppendBody(b []byte) []byte {
	return p.appendProps(appendNXMsgHeader(b, nxtPacketIn2))
}

// appendProps appends the NXPINT properties (shared with NXT_RESUME).
func (p PacketIn2) appendProps(b []byte) []byte {
	b = appendProp(b, pinPacket, p.Packet)
	if p.FullLen != 0 {
		b = appendProp(b, pinFullLen, appendU32(nil, p.FullLen))
	}
	if p.BufferID != 0 {
		b = appendProp(b, pinBufferID, appendU32(nil, p.BufferID))
	}
	b = appendProp(b, pinTableID, []byte{p.TableID})
	b = appendProp(b, pinCookie, appendU64([]byte{0, 0, 0, 0}, p.Cookie))
	b = appendProp(b, pinReason, []byte{byte(p.Reason)})
	b = appendProp(b, pinMetadata, []byte(p.Metadata.oxm))
	if len(p.Userdata) > 0 {
		b = appendProp(b, pinUserdata, p.Userdata)
	}
	if len(p.Continuation) > 0 {
		b = appendProp(b, pinContinuation, p.Continuation)
	}
	return b
}

func decodePacketIn2(data []byte) (PacketIn2, error) {
	var p PacketIn2
	err := walkProps(data, func(typ uint16, v []byte) error {
		return p.setProp(typ, v)
	})
	if err != nil {
		return PacketIn2{}, fmt.Errorf("packet_in2: %w", err)
	}
	return p, nil
}

func (p *PacketIn2) setProp(typ uint16, v []byte) error {
	bad := func() error { return fmt.Errorf("property %d with %d bytes", typ, len(v)) }
	switch typ {
	case pinPacket:
		p.Packet = copyBytes(v)
	case pinFullLen, pinBufferID:
		if len(v) != 4 {
			return bad()
		}
		if typ == pinFullLen {
			p.FullLen = be.Uint32(v)
		} else {
			p.BufferID = be.Uint32(v)
		}
	case pinTableID, pinReason:
		if len(v) != 1 {
			return bad()
		}
		if typ == pinTableID {
			p.TableID = v[0]
		} else {
			p.Reason = PacketInReason(v[0])
		}
	case pinCookie:
		if len(v) != 12 {
			return bad()
		}
		p.Cookie = be.Uint64(v[4:])
	case pinMetadata:
		m, err := parseMatchLoose(v)
		if err != nil {
			return fmt.Errorf("metadata: %w", err)
		}
		p.Metadata = m
	case pinUserdata:
		p.Userdata = copyBytes(v)
	case pinContinuation:
		p.Continuation = copyBytes(v)
	}
	return nil
}

// Resume is NXT_RESUME: it continues the pipeline of a packet that a
// controller(pause) action sent as PacketIn (which must carry the
// Continuation), with the actions after the controller action.
type Resume struct{ PacketIn PacketIn2 }

// MsgType implements Message.
func (Resume) MsgType() MsgType { return TypeExperimenter }

// AppendBody implements Message.
func (r Resume) AppendBody(b []byte) []byte {
	return r.PacketIn.appendProps(appendNXMsgHeader(b, nxtResume))
}

// Reg returns register n from the metadata (0 when absent).
func (p PacketIn2) Reg(n int) uint32 {
	mf, ok := p.Metadata.Get(Reg(n))
	if !ok {
		return 0
	}
	return uint32(mf.Uint())
}

// Field returns a metadata field, if present.
func (p PacketIn2) Field(f Field) (MatchField, bool) { return p.Metadata.Get(f) }
