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

// decodeLearn decodes NXAST_LEARN (learn2 false) and NXAST_LEARN2.
func decodeLearn(b []byte, learn2 bool) (Action, error) {
	fixed := 32
	if learn2 {
		fixed = 40
	}
	if len(b) < fixed {
		return nil, fmt.Errorf("%w: learn length %d", ErrAction, len(b))
	}
	a := Learn{
		IdleTimeout: be.Uint16(b[10:]), HardTimeout: be.Uint16(b[12:]), Priority: be.Uint16(b[14:]),
		Cookie: be.Uint64(b[16:]), Flags: LearnFlags(be.Uint16(b[24:])), Table: b[26],
		FinIdleTimeout: be.Uint16(b[28:]), FinHardTimeout: be.Uint16(b[30:]),
	}
	r := &learnReader{b: b[fixed:]}
	if learn2 {
		a.Limit = be.Uint32(b[32:])
		ofs := be.Uint16(b[36:])
		if a.Flags&LearnWriteResult != 0 {
			f, err := r.field()
			if err != nil {
				return nil, fmt.Errorf("learn result_dst: %w", err)
			}
			a.ResultDst = Subfield{Field: f, Ofs: ofs, NBits: 1}
		}
	}
	for r.more() {
		s, err := r.spec()
		if err != nil {
			return nil, err
		}
		a.Specs = append(a.Specs, s)
	}
	return a, r.padding()
}

// learnReader walks flow_mod_specs; a zero header starts the padding.
type learnReader struct{ b []byte }

func (r *learnReader) more() bool { return len(r.b) >= 2 && (r.b[0] != 0 || r.b[1] != 0) }

// padding checks that only zero bytes follow the last spec.
func (r *learnReader) padding() error {
	for _, c := range r.b {
		if c != 0 {
			return fmt.Errorf("%w: learn: %d bytes after the specs are not padding", ErrAction, len(r.b))
		}
	}
	return nil
}

func (r *learnReader) take(n int) ([]byte, error) {
	if len(r.b) < n {
		return nil, fmt.Errorf("%w: learn spec: %w", ErrAction, ErrShort)
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v, nil
}

func (r *learnReader) field() (Field, error) {
	h, err := r.take(4)
	if err != nil {
		return FieldNone, err
	}
	return learnFieldFromHeader(be.Uint32(h))
}

func (r *learnReader) subfield(nbits uint16) (Subfield, error) {
	f, err := r.field()
	if err != nil {
		return Subfield{}, err
	}
	ofs, err := r.take(2)
	if err != nil {
		return Subfield{}, err
	}
	sf := Subfield{Field: f, Ofs: be.Uint16(ofs), NBits: nbits}
	if int(sf.Ofs)+int(nbits) > int(learnField(f).bits) {
		return Subfield{}, fmt.Errorf("%w: learn: %v is outside the field", ErrAction, sf)
	}
	return sf, nil
}

func (r *learnReader) value(nbits uint16) (Uint128, error) {
	v, err := r.take(learnValueLen(nbits))
	if err != nil {
		return Uint128{}, err
	}
	var full [16]byte
	if len(v) > 16 {
		v = v[len(v)-16:]
	}
	copy(full[16-len(v):], v)
	return Uint128{Hi: be.Uint64(full[:]), Lo: be.Uint64(full[8:])}, nil
}

func (r *learnReader) spec() (LearnSpec, error) {
	hb, err := r.take(2)
	if err != nil {
		return nil, err
	}
	h := be.Uint16(hb)
	nbits, imm, dst := h&learnNBitsMask, h&learnSrcImmediate != 0, h&(3<<11)
	if h>>14 != 0 || nbits == 0 || dst == 3<<11 || (imm && dst == learnDstOutput) {
		return nil, fmt.Errorf("%w: learn spec header 0x%04x", ErrAction, h)
	}
	var src Subfield
	var val Uint128
	if imm {
		val, err = r.value(nbits)
	} else {
		src, err = r.subfield(nbits)
	}
	if err != nil {
		return nil, err
	}
	if dst == learnDstOutput {
		return LearnOutput{Src: src}, nil
	}
	d, err := r.subfield(nbits)
	if err != nil {
		return nil, err
	}
	switch {
	case dst == learnDstLoad && imm:
		return LearnLoadValue{Dst: d, Value: val}, nil
	case dst == learnDstLoad:
		return LearnLoad{Src: src, Dst: d}, nil
	case imm:
		return LearnMatchValue{Dst: d, Value: val}, nil
	}
	return LearnMatch{Dst: d, Src: src}, nil
}
