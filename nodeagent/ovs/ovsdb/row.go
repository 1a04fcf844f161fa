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

package ovsdb

import (
	"encoding/json"
	"fmt"
)

// Row is a database row as returned by select or a monitor update: column name
// to OVSDB-encoded value. The accessors decode the wire encodings.
type Row map[string]json.RawMessage

// UUID returns the row's _uuid.
func (r Row) UUID() (UUID, error) {
	var u UUID
	if err := r.decode("_uuid", &u); err != nil {
		return "", err
	}
	return u, nil
}

// String returns a string column, or "" for an empty optional string.
func (r Row) String(col string) (string, error) {
	atoms, err := r.atoms(col)
	if err != nil || len(atoms) == 0 {
		return "", err
	}
	var s string
	if err := json.Unmarshal(atoms[0], &s); err != nil {
		return "", fmt.Errorf("column %q: %w", col, err)
	}
	return s, nil
}

// Int returns an integer column. ok is false when an optional integer is
// empty (for example Interface.ofport before vswitchd assigned it).
func (r Row) Int(col string) (v int64, ok bool, err error) {
	atoms, err := r.atoms(col)
	if err != nil || len(atoms) == 0 {
		return 0, false, err
	}
	if err := json.Unmarshal(atoms[0], &v); err != nil {
		return 0, false, fmt.Errorf("column %q: %w", col, err)
	}
	return v, true, nil
}

// Strings returns a set-of-strings column.
func (r Row) Strings(col string) ([]string, error) {
	atoms, err := r.atoms(col)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(atoms))
	for _, a := range atoms {
		var s string
		if err := json.Unmarshal(a, &s); err != nil {
			return nil, fmt.Errorf("column %q: %w", col, err)
		}
		out = append(out, s)
	}
	return out, nil
}

// UUIDs returns a set-of-uuids column.
func (r Row) UUIDs(col string) ([]UUID, error) {
	atoms, err := r.atoms(col)
	if err != nil {
		return nil, err
	}
	out := make([]UUID, 0, len(atoms))
	for _, a := range atoms {
		var u UUID
		if err := json.Unmarshal(a, &u); err != nil {
			return nil, fmt.Errorf("column %q: %w", col, err)
		}
		out = append(out, u)
	}
	return out, nil
}

// StringMap returns a string-to-string map column (external_ids, options...).
func (r Row) StringMap(col string) (map[string]string, error) {
	out := map[string]string{}
	err := r.eachPair(col, func(k, v json.RawMessage) error {
		var ks, vs string
		if err := json.Unmarshal(k, &ks); err != nil {
			return err
		}
		if err := json.Unmarshal(v, &vs); err != nil {
			return err
		}
		out[ks] = vs
		return nil
	})
	return out, err
}

// IntUUIDMap returns an integer-to-uuid map column (Bridge.flow_tables).
func (r Row) IntUUIDMap(col string) (map[int64]UUID, error) {
	out := map[int64]UUID{}
	err := r.eachPair(col, func(k, v json.RawMessage) error {
		var ki int64
		var vu UUID
		if err := json.Unmarshal(k, &ki); err != nil {
			return err
		}
		if err := json.Unmarshal(v, &vu); err != nil {
			return err
		}
		out[ki] = vu
		return nil
	})
	return out, err
}

func (r Row) decode(col string, v any) error {
	raw, ok := r[col]
	if !ok {
		return fmt.Errorf("column %q missing from row", col)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("column %q: %w", col, err)
	}
	return nil
}

func (r Row) atoms(col string) ([]json.RawMessage, error) {
	raw, ok := r[col]
	if !ok {
		return nil, fmt.Errorf("column %q missing from row", col)
	}
	atoms, err := decodeSet(raw)
	if err != nil {
		return nil, fmt.Errorf("column %q: %w", col, err)
	}
	return atoms, nil
}

func (r Row) eachPair(col string, fn func(k, v json.RawMessage) error) error {
	raw, ok := r[col]
	if !ok {
		return fmt.Errorf("column %q missing from row", col)
	}
	pairs, err := decodeMap(raw)
	if err != nil {
		return fmt.Errorf("column %q: %w", col, err)
	}
	for _, p := range pairs {
		if err := fn(p[0], p[1]); err != nil {
			return fmt.Errorf("column %q: %w", col, err)
		}
	}
	return nil
}

// decodeSet returns the atoms of a value that is either ["set",[...]] or a
// single atom (a set of one element may be sent bare, RFC 7047 5.1).
func decodeSet(raw json.RawMessage) ([]json.RawMessage, error) {
	tag, rest, isTagged := splitTagged(raw)
	if !isTagged || tag != "set" {
		return []json.RawMessage{raw}, nil
	}
	var atoms []json.RawMessage
	if err := json.Unmarshal(rest, &atoms); err != nil {
		return nil, fmt.Errorf("decode set %s: %w", raw, err)
	}
	return atoms, nil
}

// decodeMap returns the pairs of a ["map",[[k,v],...]] value.
func decodeMap(raw json.RawMessage) ([][2]json.RawMessage, error) {
	tag, rest, isTagged := splitTagged(raw)
	if !isTagged || tag != "map" {
		return nil, fmt.Errorf("expected [\"map\", pairs], got %s", raw)
	}
	var pairs [][2]json.RawMessage
	if err := json.Unmarshal(rest, &pairs); err != nil {
		return nil, fmt.Errorf("decode map %s: %w", raw, err)
	}
	return pairs, nil
}

// splitTagged splits ["<tag>", <rest>]; isTagged is false for bare atoms.
func splitTagged(raw json.RawMessage) (tag string, rest json.RawMessage, isTagged bool) {
	var arr []json.RawMessage
	if err := json.Unmarshal(raw, &arr); err != nil || len(arr) != 2 {
		return "", nil, false
	}
	if err := json.Unmarshal(arr[0], &tag); err != nil {
		return "", nil, false
	}
	return tag, arr[1], true
}
