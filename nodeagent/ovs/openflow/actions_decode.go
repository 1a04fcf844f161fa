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
	"errors"
	"fmt"
	"net/netip"
)

// ErrAction is wrapped by action decoding errors.
var ErrAction = errors.New("invalid action")

// DecodeActions decodes an action list.
func DecodeActions(b []byte) ([]Action, error) {
	var acts []Action
	for len(b) > 0 {
		if len(b) < 8 {
			return nil, fmt.Errorf("%w: %d trailing bytes", ErrAction, len(b))
		}
		typ, l := be.Uint16(b), int(be.Uint16(b[2:]))
		if l < 8 || l%8 != 0 || l > len(b) {
			return nil, fmt.Errorf("%w: type %d has bad length %d", ErrAction, typ, l)
		}
		a, err := decodeAction(typ, b[:l])
		if err != nil {
			return nil, err
		}
		acts = append(acts, a)
		b = b[l:]
	}
	return acts, nil
}

func needLen(b []byte, n int, what string) error {
	if len(b) != n {
		return fmt.Errorf("%w: %s length %d, want %d", ErrAction, what, len(b), n)
	}
	return nil
}

func decodeAction(typ uint16, b []byte) (Action, error) {
	switch typ {
	case actOutput:
		if err := needLen(b, 16, "output"); err != nil {
			return nil, err
		}
		return Output{Port: be.Uint32(b[4:]), MaxLen: be.Uint16(b[8:])}, nil
	case actGroup:
		return Group{ID: be.Uint32(b[4:])}, needLen(b, 8, "group")
	case actMeter:
		return Meter{ID: be.Uint32(b[4:])}, needLen(b, 8, "meter")
	case actDecNwTTL:
		return DecTTL{}, needLen(b, 8, "dec_ttl")
	case actPopVLAN:
		return PopVLAN{}, needLen(b, 8, "pop_vlan")
	case actPushVLAN:
		return PushVLAN{EthType: be.Uint16(b[4:])}, needLen(b, 8, "push_vlan")
	case actSetField:
		return decodeSetField(b)
	case actCopyField:
		return decodeCopyField(b)
	case actExperimenter:
		return decodeNXAction(b)
	}
	return nil, fmt.Errorf("%w: unsupported action type %d", ErrAction, typ)
}

func decodeSetField(b []byte) (Action, error) {
	mf, n, err := parseOXMField(b[4:])
	if err != nil {
		return nil, fmt.Errorf("%w: set_field: %w", ErrAction, err)
	}
	if pad8(4+n) != len(b) {
		return nil, fmt.Errorf("%w: set_field length %d for a %d-byte oxm", ErrAction, len(b), n)
	}
	return SetField{Value: mf}, nil
}

func headerField(h uint32) (Field, error) {
	f, masked, ok := FieldFromHeader(h)
	if !ok || masked {
		return FieldNone, fmt.Errorf("%w: bad field header 0x%08x", ErrAction, h)
	}
	return f, nil
}

func decodeCopyField(b []byte) (Action, error) {
	if err := needLen(b, 24, "copy_field"); err != nil {
		return nil, err
	}
	src, err := headerField(be.Uint32(b[12:]))
	if err != nil {
		return nil, err
	}
	dst, err := headerField(be.Uint32(b[16:]))
	if err != nil {
		return nil, err
	}
	return CopyField{NBits: be.Uint16(b[4:]), SrcOfs: be.Uint16(b[6:]), DstOfs: be.Uint16(b[8:]), Src: src, Dst: dst}, nil
}

func decodeNXAction(b []byte) (Action, error) {
	if len(b) < 16 {
		return nil, fmt.Errorf("%w: experimenter action length %d", ErrAction, len(b))
	}
	if exp := be.Uint32(b[4:]); exp != NiciraID {
		return nil, fmt.Errorf("%w: experimenter 0x%08x", ErrAction, exp)
	}
	sub, body := be.Uint16(b[8:]), b[10:]
	switch sub {
	case nxastResubmitTable:
		return Resubmit{InPort: be.Uint16(body), Table: body[2]}, needLen(b, 16, "resubmit")
	case nxastConjunction:
		return Conjunction{Clause: body[0] + 1, NClauses: body[1], ID: be.Uint32(body[2:])}, needLen(b, 16, "conjunction")
	case nxastOutputReg:
		return decodeOutputReg(b)
	case nxastNote:
		return Note{Data: trimNote(body)}, nil
	case nxastCT:
		return decodeCT(b)
	case nxastNAT:
		return decodeNAT(b)
	case nxastController2:
		return decodeController2(b)
	case nxastLearn, nxastLearn2:
		return decodeLearn(b, sub == nxastLearn2)
	}
	return nil, fmt.Errorf("%w: unsupported NXAST subtype %d", ErrAction, sub)
}

// trimNote drops the zero padding OVS adds after note data (as ovs-ofctl does).
func trimNote(d []byte) []byte {
	for len(d) > 0 && d[len(d)-1] == 0 {
		d = d[:len(d)-1]
	}
	return append([]byte(nil), d...)
}

func decodeOutputReg(b []byte) (Action, error) {
	if err := needLen(b, 24, "output_reg"); err != nil {
		return nil, err
	}
	src, err := headerField(be.Uint32(b[12:]))
	if err != nil {
		return nil, err
	}
	on := be.Uint16(b[10:])
	return OutputReg{Src: src, Ofs: on >> 6, NBits: on&0x3f + 1, MaxLen: be.Uint16(b[16:])}, nil
}

func decodeCT(b []byte) (Action, error) {
	if len(b) < 24 {
		return nil, fmt.Errorf("%w: ct length %d", ErrAction, len(b))
	}
	flags := be.Uint16(b[10:])
	a := CT{Commit: flags&ctFlagCommit != 0, Force: flags&ctFlagForce != 0, Alg: be.Uint16(b[22:])}
	if src := be.Uint32(b[12:]); src == 0 {
		a.Zone = be.Uint16(b[16:])
	} else {
		f, err := headerField(src)
		if err != nil {
			return nil, err
		}
		on := be.Uint16(b[16:])
		a.ZoneSrc, a.ZoneOfs, a.ZoneNBits = f, on>>6, on&0x3f+1
	}
	if t := b[18]; t != 0xff {
		a.Recirc, a.Table = true, t
	}
	nested, err := DecodeActions(b[24:])
	if err != nil {
		return nil, fmt.Errorf("ct nested: %w", err)
	}
	a.Actions = nested
	return a, nil
}

func decodeNAT(b []byte) (Action, error) {
	a := NAT{Flags: NATFlags(be.Uint16(b[12:]))}
	p := be.Uint16(b[14:])
	r := b[16:]
	take := func(n int) ([]byte, bool) {
		if len(r) < n {
			return nil, false
		}
		v := r[:n]
		r = r[n:]
		return v, true
	}
	specs := []struct {
		bit uint16
		n   int
		dst *netip.Addr
	}{{natRangeIPv4Min, 4, &a.IPMin}, {natRangeIPv4Max, 4, &a.IPMax}, {natRangeIPv6Min, 16, &a.IPMin}, {natRangeIPv6Max, 16, &a.IPMax}}
	for _, s := range specs {
		if p&s.bit == 0 {
			continue
		}
		v, ok := take(s.n)
		if !ok {
			return nil, fmt.Errorf("%w: nat range: %w", ErrAction, ErrShort)
		}
		*s.dst, _ = netip.AddrFromSlice(v)
	}
	for _, s := range []struct {
		bit uint16
		dst *uint16
	}{{natRangeProtoMin, &a.PortMin}, {natRangeProtoMax, &a.PortMax}} {
		if p&s.bit == 0 {
			continue
		}
		v, ok := take(2)
		if !ok {
			return nil, fmt.Errorf("%w: nat range: %w", ErrAction, ErrShort)
		}
		*s.dst = be.Uint16(v)
	}
	return a, nil
}

func decodeController2(b []byte) (Action, error) {
	a := Controller{Reason: ReasonAction}
	err := walkProps(b[16:], func(typ uint16, v []byte) error {
		switch {
		case typ == nxac2MaxLen && (len(v) == 2 || len(v) == 4):
			a.MaxLen = be.Uint16(v)
		case typ == nxac2CtrlID && (len(v) == 2 || len(v) == 4):
			a.ID = be.Uint16(v)
		case typ == nxac2Reason && len(v) == 1:
			a.Reason = PacketInReason(v[0])
		case typ == nxac2Userdata:
			a.Userdata = append([]byte(nil), v...)
		case typ == nxac2Pause && len(v) == 0:
			a.Pause = true
		case typ == nxac2Meter && len(v) == 4:
			a.MeterID = be.Uint32(v)
		default:
			return fmt.Errorf("%w: controller2 property %d with %d bytes", ErrAction, typ, len(v))
		}
		return nil
	})
	if a.MaxLen == 0xffff {
		a.MaxLen = 0
	}
	return a, err
}

// walkProps iterates OpenFlow properties (type u16, len u16, value, pad8).
// Trailing zero padding shorter than a property header is accepted.
func walkProps(b []byte, fn func(typ uint16, value []byte) error) error {
	for len(b) >= 4 {
		typ, l := be.Uint16(b), int(be.Uint16(b[2:]))
		if l < 4 || l > len(b) {
			return fmt.Errorf("property %d length %d: %w", typ, l, ErrShort)
		}
		if err := fn(typ, b[4:l]); err != nil {
			return err
		}
		if pad8(l) > len(b) {
			return nil
		}
		b = b[pad8(l):]
	}
	return nil
}
