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
	"net"
	"net/netip"
	"sort"
	"strings"
)

// Match is a canonical, immutable OXM match. It holds the OXM TLVs exactly as
// OVS 3.1 emits the same match in OpenFlow 1.5 (field order of nx_put_raw,
// registers merged into xregs, all-ones masks dropped, value&mask), so two
// Matches are == exactly when they match the same packets, and a Match
// decoded from a FLOW_DESC reply equals the one that was installed.
// The zero Match matches everything.
type Match struct{ oxm string }

// ErrMatch is wrapped by every match validation error.
var ErrMatch = errors.New("invalid match")

// NewMatch validates fields, adds implied prerequisites (eth_type for
// IPv4/IPv6/ARP fields, ip_proto for L4 ports and ICMP) and returns the
// canonical match.
func NewMatch(fields ...MatchField) (Match, error) {
	var c canon
	for _, mf := range fields {
		if err := c.add(mf); err != nil {
			return Match{}, err
		}
	}
	if err := c.implyPrereqs(); err != nil {
		return Match{}, err
	}
	if err := c.checkPrereqs(); err != nil {
		return Match{}, err
	}
	return Match{oxm: string(c.appendOXM(nil))}, nil
}

// MustMatch is NewMatch that panics on error (for static pipeline flows).
func MustMatch(fields ...MatchField) Match {
	m, err := NewMatch(fields...)
	if err != nil {
		panic(err)
	}
	return m
}

// IsZero reports whether m matches every packet.
func (m Match) IsZero() bool { return m.oxm == "" }

// OXM returns the raw OXM TLVs (no ofp_match header, no padding).
func (m Match) OXM() []byte { return []byte(m.oxm) }

// Len is the length of the OXM TLVs.
func (m Match) Len() int { return len(m.oxm) }

// appendOFPMatch appends the ofp_match structure (type OXM, length, TLVs, pad).
func (m Match) appendOFPMatch(b []byte) []byte {
	start := len(b)
	b = append(b, 0, 1)
	b = appendU16(b, uint16(4+len(m.oxm)))
	b = append(b, m.oxm...)
	return appendPad8(b, start)
}

// Fields returns the match fields in canonical order, with xregs split back
// into the 32-bit registers they carry.
func (m Match) Fields() []MatchField {
	var out []MatchField
	_ = walkOXM([]byte(m.oxm), func(mf MatchField) error {
		out = appendSplitXReg(out, mf)
		return nil
	})
	return out
}

// Get returns the field f (registers are looked up in xregs), if present.
func (m Match) Get(f Field) (MatchField, bool) {
	for _, mf := range m.Fields() {
		if mf.Field == f {
			return mf, true
		}
	}
	return MatchField{}, false
}

// With returns a new match with extra fields added.
func (m Match) With(fields ...MatchField) (Match, error) {
	return NewMatch(append(m.Fields(), fields...)...)
}

// String formats the match in an ovs-ofctl-like "field=value/mask" syntax.
func (m Match) String() string {
	var sb strings.Builder
	for i, mf := range m.Fields() {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(mf.String())
	}
	return sb.String()
}

// String formats a field as name=value[/mask]: IPv4/IPv6 fields as
// addresses, 6-byte fields as MACs, everything else in hex.
func (mf MatchField) String() string {
	w := mf.Field.Width()
	f := hexValue
	switch {
	case w == 6:
		f = func(b []byte) string { return net.HardwareAddr(b).String() }
	case isAddrField(mf.Field):
		f = func(b []byte) string { a, _ := netip.AddrFromSlice(b); return a.String() }
	}
	s := mf.Field.String() + "=" + f(mf.Value[:w])
	if mf.Masked {
		s += "/" + f(mf.Mask[:w])
	}
	return s
}

func isAddrField(f Field) bool {
	switch f {
	case FieldIPv4Src, FieldIPv4Dst, FieldIPv6Src, FieldIPv6Dst, FieldARPSPA, FieldARPTPA,
		FieldTunSrc, FieldTunDst, FieldCTNwSrc, FieldCTNwDst:
		return true
	}
	return false
}

func hexValue(b []byte) string {
	for len(b) > 8 && b[0] == 0 {
		b = b[1:]
	}
	if len(b) <= 8 {
		return fmt.Sprintf("0x%x", getUint(b))
	}
	return fmt.Sprintf("0x%x", b)
}

func appendSplitXReg(out []MatchField, mf MatchField) []MatchField {
	if !mf.Field.isXReg() {
		return append(out, mf)
	}
	n := int(mf.Field - FieldXReg0)
	v, mask := mf.Uint(), mf.MaskUint()
	for half := 0; half < 2; half++ {
		shift := 32 * (1 - half)
		hm := uint32(mask >> shift)
		if hm == 0 {
			continue
		}
		r := RegFieldMasked(2*n+half, uint32(v>>shift), hm)
		r.Masked = hm != 0xffffffff
		if !r.Masked {
			r.Mask = [16]byte{}
		}
		out = append(out, r)
	}
	return out
}

// canon accumulates fields for canonicalization.
type canon struct {
	fields  []MatchField
	present [numFields]bool
	regV    [16]uint32
	regM    [16]uint32
}

func (c *canon) add(mf MatchField) error {
	f := mf.Field
	if !f.Valid() || !f.info().matchOK {
		return fmt.Errorf("%w: %v cannot be matched", ErrMatch, f)
	}
	if mf.Masked && !f.Maskable() {
		return fmt.Errorf("%w: %v is not maskable", ErrMatch, f)
	}
	if f.isReg() || f.isXReg() {
		return c.addReg(mf)
	}
	w := f.Width()
	if mf.Masked {
		allOnes, allZero := true, true
		for i := 0; i < w; i++ {
			mf.Value[i] &= mf.Mask[i]
			allOnes = allOnes && (mf.Mask[i] == 0xff || (f == FieldVLANVID && i == 0 && mf.Mask[0] == 0x1f))
			allZero = allZero && mf.Mask[i] == 0
		}
		if allZero {
			return nil
		}
		if allOnes {
			mf.Masked, mf.Mask = false, [16]byte{}
		}
	}
	for i := w; i < 16; i++ {
		mf.Value[i], mf.Mask[i] = 0, 0
	}
	if f == FieldPacketType && mf.Uint() == 0 && !mf.Masked {
		return nil // packet_type=ethernet is the only kind on our bridges
	}
	if c.present[f] {
		return fmt.Errorf("%w: %v given twice", ErrMatch, f)
	}
	c.present[f] = true
	c.fields = append(c.fields, mf)
	return nil
}

func (c *canon) addReg(mf MatchField) error {
	v, m := mf.Uint(), mf.MaskUint()
	if mf.Field.isReg() {
		n := int(mf.Field - FieldReg0)
		return c.setReg(n, uint32(v), uint32(m))
	}
	n := 2 * int(mf.Field-FieldXReg0)
	if err := c.setReg(n, uint32(v>>32), uint32(m>>32)); err != nil {
		return err
	}
	return c.setReg(n+1, uint32(v), uint32(m))
}

func (c *canon) setReg(n int, v, m uint32) error {
	if m == 0 {
		return nil
	}
	if c.regM[n] != 0 {
		return fmt.Errorf("%w: reg%d given twice", ErrMatch, n)
	}
	c.regV[n], c.regM[n] = v&m, m
	return nil
}

func (c *canon) get(f Field) (MatchField, bool) {
	if !c.present[f] {
		return MatchField{}, false
	}
	for _, mf := range c.fields {
		if mf.Field == f {
			return mf, true
		}
	}
	return MatchField{}, false
}

func (c *canon) appendOXM(b []byte) []byte {
	for n := 0; n < 8; n++ {
		m := uint64(c.regM[2*n])<<32 | uint64(c.regM[2*n+1])
		if m != 0 {
			v := uint64(c.regV[2*n])<<32 | uint64(c.regV[2*n+1])
			c.fields = append(c.fields, FieldUintMasked(XReg(n), v, m))
			c.fields[len(c.fields)-1].Masked = m != ^uint64(0)
			if m == ^uint64(0) {
				c.fields[len(c.fields)-1].Mask = [16]byte{}
			}
		}
	}
	sort.SliceStable(c.fields, func(i, j int) bool {
		return c.fields[i].Field.info().rank < c.fields[j].Field.info().rank
	})
	for _, mf := range c.fields {
		b = appendOXMField(b, mf)
	}
	return b
}

// appendOXMField appends one OXM TLV (header, value, optional mask).
func appendOXMField(b []byte, mf MatchField) []byte {
	w := mf.Field.Width()
	b = appendU32(b, mf.Field.Header(mf.Masked))
	b = append(b, mf.Value[:w]...)
	if mf.Masked {
		b = append(b, mf.Mask[:w]...)
	}
	return b
}
