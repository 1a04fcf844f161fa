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

// walkOXM calls fn for every OXM TLV in b. Unknown headers are an error.
func walkOXM(b []byte, fn func(MatchField) error) error {
	for len(b) > 0 {
		mf, n, err := parseOXMField(b)
		if err != nil {
			return err
		}
		if err := fn(mf); err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}

// parseOXMField decodes one OXM TLV and returns it with its encoded length.
func parseOXMField(b []byte) (MatchField, int, error) {
	if len(b) < 4 {
		return MatchField{}, 0, fmt.Errorf("oxm header: %w", ErrShort)
	}
	h := be.Uint32(b)
	n := 4 + int(h&0xff)
	if h>>16 == 0xffff {
		return MatchField{}, 0, fmt.Errorf("experimenter oxm 0x%08x not supported", h)
	}
	if len(b) < n {
		return MatchField{}, 0, fmt.Errorf("oxm 0x%08x: %w", h, ErrShort)
	}
	f, masked, ok := FieldFromHeader(h)
	if !ok {
		return MatchField{}, n, &unknownFieldError{header: h}
	}
	w := f.Width()
	mf := MatchField{Field: f, Masked: masked}
	copy(mf.Value[:w], b[4:4+w])
	if masked {
		copy(mf.Mask[:w], b[4+w:4+2*w])
	}
	return mf, n, nil
}

type unknownFieldError struct{ header uint32 }

func (e *unknownFieldError) Error() string {
	return fmt.Sprintf("unknown oxm field 0x%08x", e.header)
}

// ParseMatch decodes OXM TLVs (without the ofp_match header) and
// canonicalizes them, so any spelling OVS accepts yields the same Match.
func ParseMatch(oxm []byte) (Match, error) {
	var fields []MatchField
	if err := walkOXM(oxm, func(mf MatchField) error {
		fields = append(fields, mf)
		return nil
	}); err != nil {
		return Match{}, fmt.Errorf("%w: %w", ErrMatch, err)
	}
	return NewMatch(fields...)
}

// parseMatchLoose decodes packet metadata OXMs: unknown fields are skipped
// and prerequisites are not checked.
func parseMatchLoose(oxm []byte) (Match, error) {
	var c canon
	for len(oxm) > 0 {
		mf, n, err := parseOXMField(oxm)
		if err != nil {
			if _, unknown := err.(*unknownFieldError); !unknown {
				return Match{}, err
			}
		} else if err := c.add(mf); err != nil {
			return Match{}, err
		}
		oxm = oxm[n:]
	}
	return Match{oxm: string(c.appendOXM(nil))}, nil
}

// parseOFPMatch decodes an ofp_match (type, length, OXMs, padding) and
// returns the match and the padded length consumed.
func parseOFPMatch(b []byte, loose bool) (Match, int, error) {
	if len(b) < 4 {
		return Match{}, 0, fmt.Errorf("ofp_match: %w", ErrShort)
	}
	if t := be.Uint16(b); t != 1 {
		return Match{}, 0, fmt.Errorf("ofp_match type %d is not OXM", t)
	}
	l := int(be.Uint16(b[2:]))
	if l < 4 || len(b) < pad8(l) {
		return Match{}, 0, fmt.Errorf("ofp_match length %d: %w", l, ErrShort)
	}
	var m Match
	var err error
	if loose {
		m, err = parseMatchLoose(b[4:l])
	} else {
		m, err = ParseMatch(b[4:l])
	}
	return m, pad8(l), err
}
