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
	"encoding/binary"
	"errors"
	"fmt"
)

// Version is the only OpenFlow version this package speaks (OpenFlow 1.5).
const Version = 0x06

// HeaderLen is the size of the common OpenFlow header.
const HeaderLen = 8

// MaxMessageLen is the largest OpenFlow message (the length field is 16 bits).
const MaxMessageLen = 0xffff

// MsgType is the OpenFlow message type in the common header.
type MsgType uint8

// OpenFlow 1.5 message types used by this package.
const (
	TypeHello          MsgType = 0
	TypeError          MsgType = 1
	TypeEchoRequest    MsgType = 2
	TypeEchoReply      MsgType = 3
	TypeExperimenter   MsgType = 4
	TypeFeaturesReq    MsgType = 5
	TypeFeaturesReply  MsgType = 6
	TypeGetConfigReq   MsgType = 7
	TypeGetConfigReply MsgType = 8
	TypeSetConfig      MsgType = 9
	TypePacketIn       MsgType = 10
	TypeFlowRemoved    MsgType = 11
	TypePortStatus     MsgType = 12
	TypePacketOut      MsgType = 13
	TypeFlowMod        MsgType = 14
	TypeGroupMod       MsgType = 15
	TypeMultipartReq   MsgType = 18
	TypeMultipartReply MsgType = 19
	TypeBarrierReq     MsgType = 20
	TypeBarrierReply   MsgType = 21
	TypeMeterMod       MsgType = 29
	TypeBundleControl  MsgType = 33
	TypeBundleAdd      MsgType = 34
)

var msgTypeNames = map[MsgType]string{
	TypeHello: "HELLO", TypeError: "ERROR", TypeEchoRequest: "ECHO_REQUEST", TypeEchoReply: "ECHO_REPLY",
	TypeExperimenter: "EXPERIMENTER", TypeFeaturesReq: "FEATURES_REQUEST", TypeFeaturesReply: "FEATURES_REPLY",
	TypeGetConfigReq: "GET_CONFIG_REQUEST", TypeGetConfigReply: "GET_CONFIG_REPLY", TypeSetConfig: "SET_CONFIG",
	TypePacketIn: "PACKET_IN", TypeFlowRemoved: "FLOW_REMOVED", TypePortStatus: "PORT_STATUS",
	TypePacketOut: "PACKET_OUT", TypeFlowMod: "FLOW_MOD", TypeGroupMod: "GROUP_MOD",
	TypeMultipartReq: "MULTIPART_REQUEST", TypeMultipartReply: "MULTIPART_REPLY",
	TypeBarrierReq: "BARRIER_REQUEST", TypeBarrierReply: "BARRIER_REPLY", TypeMeterMod: "METER_MOD",
	TypeBundleControl: "BUNDLE_CONTROL", TypeBundleAdd: "BUNDLE_ADD_MESSAGE",
}

func (t MsgType) String() string {
	if s, ok := msgTypeNames[t]; ok {
		return s
	}
	return fmt.Sprintf("TYPE_%d", uint8(t))
}

// Header is the common OpenFlow header.
type Header struct {
	Version uint8
	Type    MsgType
	Length  uint16
	Xid     uint32
}

// ErrShort reports a message or structure shorter than its layout requires.
var ErrShort = errors.New("openflow: truncated")

// ParseHeader decodes the 8-byte common header.
func ParseHeader(b []byte) (Header, error) {
	if len(b) < HeaderLen {
		return Header{}, fmt.Errorf("header: %w", ErrShort)
	}
	return Header{Version: b[0], Type: MsgType(b[1]), Length: be.Uint16(b[2:]), Xid: be.Uint32(b[4:])}, nil
}

// Message is an OpenFlow message body. Bodies are values: the xid lives in
// the header and is chosen by the connection (or by AppendMessage's caller).
type Message interface {
	// MsgType is the type in the common header.
	MsgType() MsgType
	// AppendBody appends the encoded body (everything after the header).
	AppendBody(b []byte) []byte
}

// AppendMessage appends header and body of m with the given xid to b.
// Messages longer than 64 KiB cannot be expressed; the caller must split them
// (Validate via Encode if unsure).
func AppendMessage(b []byte, xid uint32, m Message) []byte { return Append(b, xid, m) }

// Append is AppendMessage for a concrete message type: with M a struct type
// (e.g. FlowMod) the message is not boxed in an interface, so encoding into
// a buffer with enough room allocates nothing.
func Append[M Message](b []byte, xid uint32, m M) []byte {
	start := len(b)
	b = append(b, Version, byte(m.MsgType()), 0, 0, byte(xid>>24), byte(xid>>16), byte(xid>>8), byte(xid))
	b = m.AppendBody(b)
	be.PutUint16(b[start+2:], uint16(len(b)-start))
	return b
}

// Encode returns the wire form of m, or an error if it is too long.
func Encode(xid uint32, m Message) ([]byte, error) {
	b := AppendMessage(nil, xid, m)
	if len(b) > MaxMessageLen {
		return nil, fmt.Errorf("%v is %d bytes, over the 65535 limit", m.MsgType(), len(b))
	}
	return b, nil
}

var be = binary.BigEndian

// Small append helpers, all allocation-free when b has room.

func appendU16(b []byte, v uint16) []byte { return append(b, byte(v>>8), byte(v)) }
func appendU32(b []byte, v uint32) []byte {
	return append(b, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}
func appendU64(b []byte, v uint64) []byte {
	return append(b, byte(v>>56), byte(v>>48), byte(v>>40), byte(v>>32), byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}

var zeros [64]byte

// appendPad8 pads b so that len(b)-start is a multiple of 8.
func appendPad8(b []byte, start int) []byte {
	if r := (len(b) - start) % 8; r != 0 {
		b = append(b, zeros[:8-r]...)
	}
	return b
}

func pad8(n int) int { return (n + 7) &^ 7 }
