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
	"bytes"
	"fmt"
	"strings"
)

// GroupSelection is Open vSwitch's selection method of a select group (the
// NTR selection method group property, ovs-ofctl's
// "selection_method=hash,fields(ip_src,tcp_src)"). Without it OVS selects
// with dp_hash: the datapath hashes the packet and recirculates, so one
// cached datapath flow serves every connection between two hosts. With
// Method "hash" OVS hashes Fields itself, so the cached flows match those
// fields exactly and every new connection (new source port) is translated
// afresh, seeing flows learned by the connections before it.
type GroupSelection struct {
	// Method is "hash" or "dp_hash" (at most 15 bytes).
	Method string
	// Param is the method's parameter (the hash basis).
	Param uint64
	// Fields are the fields the hash covers.
	Fields []Field
}

// NTR (Netronome) experimenter property of the selection method.
const (
	ntrVendorID             uint32 = 0x0000154d
	ntrSelectionMethod      uint32 = 1
	groupPropExperimenter   uint16 = 0xffff
	selectionMethodLen             = 16
	selectionMethodFixedLen        = 40
)

func (s GroupSelection) appendProp(b []byte) []byte {
	start := len(b)
	b = appendU16(b, groupPropExperimenter)
	b = append(b, 0, 0)
	b = appendU32(b, ntrVendorID)
	b = appendU32(b, ntrSelectionMethod)
	b = append(b, 0, 0, 0, 0)
	var name [selectionMethodLen]byte
	copy(name[:selectionMethodLen-1], s.Method)
	b = append(b, name[:]...)
	b = appendU64(b, s.Param)
	for _, f := range s.Fields {
		// As OVS: each field as an OXM entry whose value is the field's
		// mask (all ones: the whole field is hashed).
		b = appendU32(b, f.Header(false))
		b = append(b, bytes.Repeat([]byte{0xff}, f.Width())...)
	}
	be.PutUint16(b[start+2:], uint16(len(b)-start))
	for (len(b)-start)%8 != 0 {
		b = append(b, 0)
	}
	return b
}

// decodeGroupSelection decodes the value of a group property (after type
// and length); ok is false for other properties.
func decodeGroupSelection(typ uint16, v []byte) (GroupSelection, bool, error) {
	if typ != groupPropExperimenter || len(v) < 8 || be.Uint32(v) != ntrVendorID || be.Uint32(v[4:]) != ntrSelectionMethod {
		return GroupSelection{}, false, nil
	}
	if len(v) < selectionMethodFixedLen-4 {
		return GroupSelection{}, false, fmt.Errorf("selection method property: %w", ErrShort)
	}
	name := v[12 : 12+selectionMethodLen]
	if i := bytes.IndexByte(name, 0); i >= 0 {
		name = name[:i]
	}
	s := GroupSelection{Method: string(name), Param: be.Uint64(v[28:])}
	fields := v[selectionMethodFixedLen-4:]
	for len(fields) >= 4 && be.Uint32(fields) != 0 {
		f, masked, ok := FieldFromHeader(be.Uint32(fields))
		if !ok || masked || len(fields) < 4+f.Width() ||
			!bytes.Equal(fields[4:4+f.Width()], bytes.Repeat([]byte{0xff}, f.Width())) {
			return GroupSelection{}, false, fmt.Errorf("selection method field %#x (only whole fields): %w",
				be.Uint32(fields), ErrMatch)
		}
		s.Fields = append(s.Fields, f)
		fields = fields[4+f.Width():]
	}
	return s, true, nil
}

// String is the ovs-ofctl spelling: selection_method=hash,fields(ip_src,...).
func (s GroupSelection) String() string {
	out := "selection_method=" + s.Method
	if s.Param != 0 {
		out += fmt.Sprintf(",selection_method_param=%d", s.Param)
	}
	if len(s.Fields) > 0 {
		names := make([]string, len(s.Fields))
		for i, f := range s.Fields {
			names[i] = f.String()
		}
		out += ",fields(" + strings.Join(names, ",") + ")"
	}
	return out
}
