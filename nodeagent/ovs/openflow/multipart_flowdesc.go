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
	"time"
)

// Multipart types and flags.
const (
	MultipartFlowDesc uint16 = 1
	MultipartMore     uint16 = 1
)

// FlowDescRequest is an OFPMP_FLOW_DESC multipart request (dump-flows).
// Table TableAll means all tables; OutPort/OutGroup 0 mean any.
type FlowDescRequest struct {
	Table      uint8
	OutPort    uint32
	OutGroup   uint32
	Cookie     uint64
	CookieMask uint64
	Match      Match
}

// MsgType implements Message.
func (FlowDescRequest) MsgType() MsgType { return TypeMultipartReq }

// AppendBody implements Message.
func (r FlowDescRequest) AppendBody(b []byte) []byte {
	b = appendU16(b, MultipartFlowDesc)
	b = append(b, 0, 0, 0, 0, 0, 0)
	b = append(b, r.Table, 0, 0, 0)
	b = appendU32(b, anyIfZero(r.OutPort))
	b = appendU32(b, anyIfZero(r.OutGroup))
	b = append(b, 0, 0, 0, 0)
	b = appendU64(b, r.Cookie)
	b = appendU64(b, r.CookieMask)
	return r.Match.appendOFPMatch(b)
}

// MultipartRequest is any other multipart request.
type MultipartRequest struct {
	Type  uint16
	Flags uint16
	Body  []byte
}

// MsgType implements Message.
func (MultipartRequest) MsgType() MsgType { return TypeMultipartReq }

// AppendBody implements Message.
func (r MultipartRequest) AppendBody(b []byte) []byte {
	b = appendU16(b, r.Type)
	b = appendU16(b, r.Flags)
	b = append(b, 0, 0, 0, 0)
	return append(b, r.Body...)
}

func decodeMultipartRequest(body []byte) (Message, error) {
	if len(body) < 8 {
		return nil, fmt.Errorf("multipart request: %w", ErrShort)
	}
	typ := be.Uint16(body)
	if typ != MultipartFlowDesc {
		return MultipartRequest{Type: typ, Flags: be.Uint16(body[2:]), Body: copyBytes(body[8:])}, nil
	}
	b := body[8:]
	if len(b) < 32 {
		return nil, fmt.Errorf("flow_desc request: %w", ErrShort)
	}
	r := FlowDescRequest{Table: b[0], OutPort: zeroIfAny(be.Uint32(b[4:])), OutGroup: zeroIfAny(be.Uint32(b[8:])),
		Cookie: be.Uint64(b[16:]), CookieMask: be.Uint64(b[24:])}
	m, _, err := parseOFPMatch(b[32:], false)
	if err != nil {
		return nil, fmt.Errorf("flow_desc request: %w", err)
	}
	r.Match = m
	return r, nil
}

// FlowStats is one flow of a FLOW_DESC reply with its OXS counters.
type FlowStats struct {
	Flow
	Duration    time.Duration
	IdleTime    time.Duration
	PacketCount uint64
	ByteCount   uint64
}

// FlowDescReply is an OFPMP_FLOW_DESC multipart reply part.
type FlowDescReply struct {
	Flags uint16
	Flows []FlowStats
}

// MultipartReply is any other multipart reply part.
type MultipartReply struct {
	Type  uint16
	Flags uint16
	Body  []byte
}

// MsgType implements Message.
func (FlowDescReply) MsgType() MsgType { return TypeMultipartReply }

// MsgType implements Message.
func (MultipartReply) MsgType() MsgType { return TypeMultipartReply }

// AppendBody implements Message.
func (r MultipartReply) AppendBody(b []byte) []byte {
	b = appendU16(b, r.Type)
	b = appendU16(b, r.Flags)
	b = append(b, 0, 0, 0, 0)
	return append(b, r.Body...)
}

// AppendBody implements Message.
func (r FlowDescReply) AppendBody(b []byte) []byte {
	b = appendU16(b, MultipartFlowDesc)
	b = appendU16(b, r.Flags)
	b = append(b, 0, 0, 0, 0)
	for _, fs := range r.Flows {
		b = fs.appendEntry(b)
	}
	return b
}

// OXS stat fields.
const (
	oxsDuration    = 0
	oxsIdleTime    = 1
	oxsPacketCount = 4
	oxsByteCount   = 5
)

func appendOXS(b []byte, field uint8, v uint64) []byte {
	b = appendU32(b, uint32(ClassOXS)<<16|uint32(field)<<9|8)
	return appendU64(b, v)
}

func durToOXS(d time.Duration) uint64 {
	return uint64(d/time.Second)<<32 | uint64(d%time.Second)
}

func oxsToDur(v uint64) time.Duration {
	return time.Duration(v>>32)*time.Second + time.Duration(uint32(v))
}

func (fs FlowStats) appendEntry(b []byte) []byte {
	start := len(b)
	b = append(b, 0, 0, 0, 0, fs.Table, 0)
	b = appendU16(b, fs.Priority)
	b = appendU16(b, fs.IdleTimeout)
	b = appendU16(b, fs.HardTimeout)
	b = appendU16(b, uint16(fs.Flags))
	b = appendU16(b, fs.Importance)
	b = appendU64(b, fs.Cookie)
	b = fs.Match.appendOFPMatch(b)
	st := len(b)
	b = append(b, 0, 0, 0, 0)
	b = appendOXS(b, oxsDuration, durToOXS(fs.Duration))
	b = appendOXS(b, oxsIdleTime, durToOXS(fs.IdleTime))
	b = appendOXS(b, oxsPacketCount, fs.PacketCount)
	b = appendOXS(b, oxsByteCount, fs.ByteCount)
	be.PutUint16(b[st+2:], uint16(len(b)-st))
	b = appendPad8(b, st)
	b = append(b, fs.Instructions.enc...)
	be.PutUint16(b[start:], uint16(len(b)-start))
	return b
}

func decodeMultipartReply(body []byte) (Message, error) {
	if len(body) < 8 {
		return nil, fmt.Errorf("multipart reply: %w", ErrShort)
	}
	typ, flags := be.Uint16(body), be.Uint16(body[2:])
	if typ != MultipartFlowDesc {
		return MultipartReply{Type: typ, Flags: flags, Body: copyBytes(body[8:])}, nil
	}
	r := FlowDescReply{Flags: flags}
	b := body[8:]
	for len(b) > 0 {
		fs, n, err := decodeFlowStats(b)
		if err != nil {
			return nil, fmt.Errorf("flow_desc reply entry %d: %w", len(r.Flows), err)
		}
		r.Flows = append(r.Flows, fs)
		b = b[n:]
	}
	return r, nil
}

func decodeFlowStats(b []byte) (FlowStats, int, error) {
	if len(b) < 24 {
		return FlowStats{}, 0, ErrShort
	}
	l := int(be.Uint16(b))
	if l < 24 || l > len(b) {
		return FlowStats{}, 0, fmt.Errorf("length %d: %w", l, ErrShort)
	}
	e := b[:l]
	var fs FlowStats
	fs.Table, fs.Priority = e[4], be.Uint16(e[6:])
	fs.IdleTimeout, fs.HardTimeout = be.Uint16(e[8:]), be.Uint16(e[10:])
	fs.Flags, fs.Importance = FlowFlags(be.Uint16(e[12:])), be.Uint16(e[14:])
	fs.Cookie = be.Uint64(e[16:])
	m, n, err := parseOFPMatch(e[24:], false)
	if err != nil {
		return FlowStats{}, 0, err
	}
	fs.Match = m
	rest := e[24+n:]
	sn, err := fs.parseStats(rest)
	if err != nil {
		return FlowStats{}, 0, err
	}
	ins, err := ParseInstructions(rest[sn:])
	if err != nil {
		return FlowStats{}, 0, err
	}
	fs.Instructions = ins
	return fs, l, nil
}

// parseStats decodes ofp_stats and returns its padded length.
func (fs *FlowStats) parseStats(b []byte) (int, error) {
	if len(b) < 4 {
		return 0, fmt.Errorf("ofp_stats: %w", ErrShort)
	}
	l := int(be.Uint16(b[2:]))
	if l < 4 || pad8(l) > len(b) {
		return 0, fmt.Errorf("ofp_stats length %d: %w", l, ErrShort)
	}
	s := b[4:l]
	for len(s) >= 4 {
		h := be.Uint32(s)
		n := int(h & 0xff)
		if len(s) < 4+n {
			return 0, fmt.Errorf("oxs 0x%08x: %w", h, ErrShort)
		}
		if h>>16 == uint32(ClassOXS) && n == 8 {
			v := be.Uint64(s[4:])
			switch (h >> 9) & 0x7f {
			case oxsDuration:
				fs.Duration = oxsToDur(v)
			case oxsIdleTime:
				fs.IdleTime = oxsToDur(v)
			case oxsPacketCount:
				fs.PacketCount = v
			case oxsByteCount:
				fs.ByteCount = v
			}
		}
		s = s[4+n:]
	}
	return pad8(l), nil
}
