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
	"net"
	"net/netip"
)

// Subfield is bits [Ofs, Ofs+NBits) of a field, as ovs-ofctl writes
// NXM_NX_REG4[0..15].
type Subfield struct {
	Field Field
	Ofs   uint16
	NBits uint16
}

// Whole is all of f as learn specs see it (in_port is 16 bits there).
func Whole(f Field) Subfield { return Subfield{Field: f, NBits: learnField(f).bits} }

// Bits is f[ofs..ofs+nbits-1].
func Bits(f Field, ofs, nbits uint16) Subfield { return Subfield{Field: f, Ofs: ofs, NBits: nbits} }

func (s Subfield) isWhole() bool { return s.Ofs == 0 && s.NBits == learnField(s.Field).bits }

// String is NAME[], NAME[ofs] or NAME[ofs..end] with OVS's NXM/OXM name.
func (s Subfield) String() string {
	name := learnField(s.Field).sfName
	switch {
	case s.isWhole():
		return name + "[]"
	case s.NBits == 1:
		return fmt.Sprintf("%s[%d]", name, s.Ofs)
	}
	return fmt.Sprintf("%s[%d..%d]", name, s.Ofs, s.Ofs+s.NBits-1)
}

func (s Subfield) appendRef(b []byte) []byte {
	b = appendU32(b, learnField(s.Field).header)
	return appendU16(b, s.Ofs)
}

// LearnSpec is one flow_mod_spec of a learn action: LearnMatch,
// LearnMatchValue, LearnLoad, LearnLoadValue or LearnOutput.
type LearnSpec interface {
	appendLearnSpec(b []byte) []byte
	fmt.Stringer
}

// flow_mod_spec header: src (bit 13), dst (bits 11-12), n_bits (bits 0-9).
const (
	learnSrcImmediate uint16 = 1 << 13
	learnDstLoad      uint16 = 1 << 11
	learnDstOutput    uint16 = 2 << 11
	learnNBitsMask    uint16 = 0x3ff
)

// LearnMatch makes the learned flow match Dst against the value Src has in
// the packet being processed: NXM_OF_IP_SRC[] (Src == Dst) or
// NXM_NX_REG1[0..7]=NXM_NX_REG2[8..15]. Src.NBits is the width.
type LearnMatch struct{ Dst, Src Subfield }

// LearnMatchOf is the spec "NAME[]": match f against the packet's f.
func LearnMatchOf(f Field) LearnMatch { return LearnMatch{Dst: Whole(f), Src: Whole(f)} }

func (s LearnMatch) appendLearnSpec(b []byte) []byte {
	b = appendU16(b, s.Src.NBits&learnNBitsMask)
	return s.Dst.appendRef(s.Src.appendRef(b))
}

func (s LearnMatch) String() string {
	if s.Src == s.Dst {
		return s.Dst.String()
	}
	return s.Dst.String() + "=" + s.Src.String()
}

// LearnMatchValue makes the learned flow match Dst == Value: eth_type=0x800,
// NXM_NX_CT_MARK[0..3]=0x5.
type LearnMatchValue struct {
	Dst   Subfield
	Value Uint128
}

// LearnMatchImm is the spec "name=v" for all of f.
func LearnMatchImm(f Field, v uint64) LearnMatchValue {
	return LearnMatchValue{Dst: Whole(f), Value: Uint128{Lo: v}}
}

func (s LearnMatchValue) appendLearnSpec(b []byte) []byte {
	b = appendU16(b, learnSrcImmediate|s.Dst.NBits&learnNBitsMask)
	b = appendLearnValue(b, s.Value, s.Dst.NBits)
	return s.Dst.appendRef(b)
}

func (s LearnMatchValue) String() string {
	if s.Dst.isWhole() {
		fi := learnField(s.Dst.Field)
		return fi.mfName + "=" + formatLearnValue(s.Value, fi)
	}
	return s.Dst.String() + "=" + hex128(s.Value)
}

// LearnLoad gives the learned flow the action load:<Src's value now>->Dst.
type LearnLoad struct{ Src, Dst Subfield }

// LearnLoadOf is load:sf->sf.
func LearnLoadOf(sf Subfield) LearnLoad { return LearnLoad{Src: sf, Dst: sf} }

func (s LearnLoad) appendLearnSpec(b []byte) []byte {
	b = appendU16(b, learnDstLoad|s.Src.NBits&learnNBitsMask)
	return s.Dst.appendRef(s.Src.appendRef(b))
}

func (s LearnLoad) String() string { return "load:" + s.Src.String() + "->" + s.Dst.String() }

// LearnLoadValue gives the learned flow the action load:Value->Dst.
type LearnLoadValue struct {
	Dst   Subfield
	Value Uint128
}

// LearnLoadImm is load:v->dst.
func LearnLoadImm(v uint64, dst Subfield) LearnLoadValue {
	return LearnLoadValue{Dst: dst, Value: Uint128{Lo: v}}
}

func (s LearnLoadValue) appendLearnSpec(b []byte) []byte {
	b = appendU16(b, learnSrcImmediate|learnDstLoad|s.Dst.NBits&learnNBitsMask)
	b = appendLearnValue(b, s.Value, s.Dst.NBits)
	return s.Dst.appendRef(b)
}

func (s LearnLoadValue) String() string { return "load:" + hex128(s.Value) + "->" + s.Dst.String() }

// LearnOutput gives the learned flow the action output:<port in Src now>.
type LearnOutput struct{ Src Subfield }

func (s LearnOutput) appendLearnSpec(b []byte) []byte {
	b = appendU16(b, learnDstOutput|s.Src.NBits&learnNBitsMask)
	return s.Src.appendRef(b)
}

func (s LearnOutput) String() string { return "output:" + s.Src.String() }

// learnValueLen is the size of an immediate of nbits: whole 16-bit units.
func learnValueLen(nbits uint16) int { return 2 * ((int(nbits) + 15) / 16) }

// appendLearnValue appends the low learnValueLen(nbits) bytes of v, big-endian.
func appendLearnValue(b []byte, v Uint128, nbits uint16) []byte {
	var full [16]byte
	be.PutUint64(full[:], v.Hi)
	be.PutUint64(full[8:], v.Lo)
	n := learnValueLen(nbits)
	if n > 16 {
		b = append(b, make([]byte, n-16)...)
		n = 16
	}
	return append(b, full[16-n:]...)
}

// hex128 is v as ovs-ofctl prints immediates: 0x-prefixed hex, or 0.
func hex128(v Uint128) string {
	switch {
	case v == Uint128{}:
		return "0"
	case v.Hi != 0:
		return fmt.Sprintf("%#x%016x", v.Hi, v.Lo)
	}
	return fmt.Sprintf("%#x", v.Lo)
}

func formatLearnValue(v Uint128, fi learnFieldInfo) string {
	var full [16]byte
	be.PutUint64(full[:], v.Hi)
	be.PutUint64(full[8:], v.Lo)
	switch fi.format {
	case fmtDec:
		return fmt.Sprint(v.Lo)
	case fmtIPv4:
		return netip.AddrFrom4([4]byte(full[12:])).String()
	case fmtIPv6:
		return netip.AddrFrom16(full).String()
	case fmtMAC:
		return net.HardwareAddr(full[10:]).String()
	}
	return hex128(v)
}
