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
	"strings"
)

// Instructions is an immutable, comparable encoded instruction list. Build it
// with Apply, Goto and Drop; the zero value is "drop" (no instructions).
// Apply actions always precede goto_table, which is OVS's canonical order.
type Instructions struct{ enc string }

const (
	instrGotoTable     uint16 = 1
	instrWriteMetadata uint16 = 2
	instrWriteActions  uint16 = 3
	instrApplyActions  uint16 = 4
	instrClearActions  uint16 = 5
)

// Drop returns the empty instruction list.
func Drop() Instructions { return Instructions{} }

// Apply returns an apply_actions instruction. With no actions it is Drop():
// OVS stores an empty apply_actions as no instructions.
func Apply(acts ...Action) Instructions {
	if len(acts) == 0 {
		return Instructions{}
	}
	b := make([]byte, 8, 64)
	b[1] = byte(instrApplyActions)
	b = AppendActions(b, acts...)
	be.PutUint16(b[2:], uint16(len(b)))
	return Instructions{enc: string(b)}
}

// Goto returns a goto_table instruction.
func Goto(table uint8) Instructions { return Instructions{}.Goto(table) }

// Goto returns i followed by goto_table.
func (i Instructions) Goto(table uint8) Instructions {
	return Instructions{enc: i.enc + string([]byte{0, byte(instrGotoTable), 0, 8, table, 0, 0, 0})}
}

// IsDrop reports whether there are no instructions.
func (i Instructions) IsDrop() bool { return i.enc == "" }

// Bytes returns the encoded instructions.
func (i Instructions) Bytes() []byte { return []byte(i.enc) }

// Len returns the encoded length.
func (i Instructions) Len() int { return len(i.enc) }

// Decoded is a decoded instruction list.
type Decoded struct {
	Apply     []Action
	HasGoto   bool
	GotoTable uint8
}

// Decode parses the instructions into actions and goto_table.
func (i Instructions) Decode() (Decoded, error) { return decodeInstructions([]byte(i.enc)) }

// ParseInstructions validates encoded instructions and returns them.
func ParseInstructions(b []byte) (Instructions, error) {
	if _, err := decodeInstructions(b); err != nil {
		return Instructions{}, err
	}
	return Instructions{enc: string(b)}, nil
}

func decodeInstructions(b []byte) (Decoded, error) {
	var d Decoded
	for len(b) > 0 {
		if len(b) < 8 {
			return d, fmt.Errorf("instruction: %w", ErrShort)
		}
		typ, l := be.Uint16(b), int(be.Uint16(b[2:]))
		if l < 8 || l%8 != 0 || l > len(b) {
			return d, fmt.Errorf("instruction %d: bad length %d", typ, l)
		}
		switch typ {
		case instrGotoTable:
			if l != 8 {
				return d, fmt.Errorf("goto_table: bad length %d", l)
			}
			d.HasGoto, d.GotoTable = true, b[4]
		case instrApplyActions:
			acts, err := DecodeActions(b[8:l])
			if err != nil {
				return d, fmt.Errorf("apply_actions: %w", err)
			}
			d.Apply = append(d.Apply, acts...)
		default:
			return d, fmt.Errorf("unsupported instruction type %d", typ)
		}
		b = b[l:]
	}
	return d, nil
}

// String formats the instructions like ovs-ofctl's actions= part.
func (i Instructions) String() string {
	d, err := i.Decode()
	if err != nil {
		return "<" + err.Error() + ">"
	}
	var parts []string
	for _, a := range d.Apply {
		parts = append(parts, a.String())
	}
	if d.HasGoto {
		parts = append(parts, fmt.Sprintf("goto_table:%d", d.GotoTable))
	}
	if len(parts) == 0 {
		return "drop"
	}
	return strings.Join(parts, ",")
}
