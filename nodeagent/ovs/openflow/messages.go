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

// Hello is OFPT_HELLO. VersionBitmap, when non-zero, is sent as an
// OFPHET_VERSIONBITMAP element (bit n = version n; 1<<6 for OpenFlow 1.5).
type Hello struct{ VersionBitmap uint32 }

// MsgType implements Message.
func (Hello) MsgType() MsgType { return TypeHello }

// AppendBody implements Message.
func (h Hello) AppendBody(b []byte) []byte {
	if h.VersionBitmap == 0 {
		return b
	}
	b = append(b, 0, 1, 0, 8)
	return appendU32(b, h.VersionBitmap)
}

func decodeHello(body []byte) (Hello, error) {
	var h Hello
	for len(body) >= 4 {
		typ, l := be.Uint16(body), int(be.Uint16(body[2:]))
		if l < 4 || l > len(body) {
			return h, fmt.Errorf("hello element: %w", ErrShort)
		}
		if typ == 1 && l >= 8 {
			h.VersionBitmap = be.Uint32(body[4:])
		}
		if pad8(l) >= len(body) {
			break
		}
		body = body[pad8(l):]
	}
	return h, nil
}

// EchoRequest is OFPT_ECHO_REQUEST.
type EchoRequest struct{ Data []byte }

// EchoReply is OFPT_ECHO_REPLY.
type EchoReply struct{ Data []byte }

// MsgType implements Message.
func (EchoRequest) MsgType() MsgType { return TypeEchoRequest }

// AppendBody implements Message.
func (e EchoRequest) AppendBody(b []byte) []byte { return append(b, e.Data...) }

// MsgType implements Message.
func (EchoReply) MsgType() MsgType { return TypeEchoReply }

// AppendBody implements Message.
func (e EchoReply) AppendBody(b []byte) []byte { return append(b, e.Data...) }

// FeaturesRequest is OFPT_FEATURES_REQUEST.
type FeaturesRequest struct{}

// MsgType implements Message.
func (FeaturesRequest) MsgType() MsgType { return TypeFeaturesReq }

// AppendBody implements Message.
func (FeaturesRequest) AppendBody(b []byte) []byte { return b }

// FeaturesReply is OFPT_FEATURES_REPLY.
type FeaturesReply struct {
	DatapathID   uint64
	NBuffers     uint32
	NTables      uint8
	AuxiliaryID  uint8
	Capabilities uint32
}

// MsgType implements Message.
func (FeaturesReply) MsgType() MsgType { return TypeFeaturesReply }

// AppendBody implements Message.
func (f FeaturesReply) AppendBody(b []byte) []byte {
	b = appendU64(b, f.DatapathID)
	b = appendU32(b, f.NBuffers)
	b = append(b, f.NTables, f.AuxiliaryID, 0, 0)
	b = appendU32(b, f.Capabilities)
	return appendU32(b, 0)
}

func decodeFeaturesReply(body []byte) (FeaturesReply, error) {
	if len(body) < 24 {
		return FeaturesReply{}, fmt.Errorf("features_reply: %w", ErrShort)
	}
	return FeaturesReply{DatapathID: be.Uint64(body), NBuffers: be.Uint32(body[8:]), NTables: body[12],
		AuxiliaryID: body[13], Capabilities: be.Uint32(body[16:])}, nil
}

// SetConfig is OFPT_SET_CONFIG.
type SetConfig struct {
	Flags       uint16
	MissSendLen uint16
}

// MsgType implements Message.
func (SetConfig) MsgType() MsgType { return TypeSetConfig }

// AppendBody implements Message.
func (s SetConfig) AppendBody(b []byte) []byte {
	b = appendU16(b, s.Flags)
	return appendU16(b, s.MissSendLen)
}

func decodeSetConfig(body []byte) (SetConfig, error) {
	if len(body) < 4 {
		return SetConfig{}, fmt.Errorf("set_config: %w", ErrShort)
	}
	return SetConfig{Flags: be.Uint16(body), MissSendLen: be.Uint16(body[2:])}, nil
}

// BarrierRequest is OFPT_BARRIER_REQUEST.
type BarrierRequest struct{}

// BarrierReply is OFPT_BARRIER_REPLY.
type BarrierReply struct{}

// MsgType implements Message.
func (BarrierRequest) MsgType() MsgType { return TypeBarrierReq }

// AppendBody implements Message.
func (BarrierRequest) AppendBody(b []byte) []byte { return b }

// MsgType implements Message.
func (BarrierReply) MsgType() MsgType { return TypeBarrierReply }

// AppendBody implements Message.
func (BarrierReply) AppendBody(b []byte) []byte { return b }

// Nicira experimenter message subtypes.
const (
	nxtSetPacketInFormat uint32 = 16
	nxtSetControllerID   uint32 = 20
	nxtResume            uint32 = 28
	nxtPacketIn2         uint32 = 30
)

// Packet-in formats for SetPacketInFormat.
const (
	PacketInFormatStandard uint32 = 0
	PacketInFormatNXT      uint32 = 1
	PacketInFormatNXT2     uint32 = 2
)

func appendNXMsgHeader(b []byte, subtype uint32) []byte {
	b = appendU32(b, NiciraID)
	return appendU32(b, subtype)
}

// SetPacketInFormat is NXT_SET_PACKET_IN_FORMAT.
type SetPacketInFormat struct{ Format uint32 }

// MsgType implements Message.
func (SetPacketInFormat) MsgType() MsgType { return TypeExperimenter }

// AppendBody implements Message.
func (s SetPacketInFormat) AppendBody(b []byte) []byte {
	return appendU32(appendNXMsgHeader(b, nxtSetPacketInFormat), s.Format)
}

// SetControllerID is NXT_SET_CONTROLLER_ID: packet-ins from
// controller(id=ID) actions go only to this connection.
type SetControllerID struct{ ID uint16 }

// MsgType implements Message.
func (SetControllerID) MsgType() MsgType { return TypeExperimenter }

// AppendBody implements Message.
func (s SetControllerID) AppendBody(b []byte) []byte {
	b = append(appendNXMsgHeader(b, nxtSetControllerID), zeros[:6]...)
	return appendU16(b, s.ID)
}

// Experimenter is any other experimenter message.
type Experimenter struct {
	Experimenter uint32
	ExpType      uint32
	Data         []byte
}

// MsgType implements Message.
func (Experimenter) MsgType() MsgType { return TypeExperimenter }

// AppendBody implements Message.
func (e Experimenter) AppendBody(b []byte) []byte {
	b = appendU32(b, e.Experimenter)
	b = appendU32(b, e.ExpType)
	return append(b, e.Data...)
}

// Unknown is a message of a type this package does not decode.
type Unknown struct {
	Type MsgType
	Body []byte
}

// MsgType implements Message.
func (u Unknown) MsgType() MsgType { return u.Type }

// AppendBody implements Message.
func (u Unknown) AppendBody(b []byte) []byte { return append(b, u.Body...) }
