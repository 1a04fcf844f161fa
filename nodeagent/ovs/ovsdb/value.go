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
	"sort"
)

// UUID is the UUID of a committed row. It encodes as ["uuid","<uuid>"].
type UUID string

// MarshalJSON implements json.Marshaler.
func (u UUID) MarshalJSON() ([]byte, error) {
	return json.Marshal([2]string{"uuid", string(u)})
}

// UnmarshalJSON implements json.Unmarshaler.
func (u *UUID) UnmarshalJSON(b []byte) error {
	s, err := decodeTagged(b, "uuid")
	if err != nil {
		return err
	}
	*u = UUID(s)
	return nil
}

// NamedUUID refers to a row inserted earlier in the same transaction by its
// "uuid-name". It encodes as ["named-uuid","<name>"].
type NamedUUID string

// MarshalJSON implements json.Marshaler.
func (n NamedUUID) MarshalJSON() ([]byte, error) {
	return json.Marshal([2]string{"named-uuid", string(n)})
}

// Set is an OVSDB set of atoms. It always encodes as ["set",[...]], which is
// valid for every set column, including empty and single-element sets.
type Set []any

// MarshalJSON implements json.Marshaler.
func (s Set) MarshalJSON() ([]byte, error) {
	elems := []any(s)
	if elems == nil {
		elems = []any{}
	}
	return json.Marshal([]any{"set", elems})
}

// Pair is one key/value entry of a Map.
type Pair struct {
	Key   any
	Value any
}

// Map is an OVSDB map. It encodes as ["map",[[k,v],...]] in slice order.
type Map []Pair

// MarshalJSON implements json.Marshaler.
func (m Map) MarshalJSON() ([]byte, error) {
	pairs := make([][2]any, 0, len(m))
	for _, p := range m {
		pairs = append(pairs, [2]any{p.Key, p.Value})
	}
	return json.Marshal([]any{"map", pairs})
}

// StringMap converts a Go map into a Map sorted by key, so encodings are
// deterministic.
func StringMap(m map[string]string) Map {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make(Map, 0, len(keys))
	for _, k := range keys {
		out = append(out, Pair{Key: k, Value: m[k]})
	}
	return out
}

// StringSet converts strings into a Set.
func StringSet(values ...string) Set {
	out := make(Set, 0, len(values))
	for _, v := range values {
		out = append(out, v)
	}
	return out
}

// decodeTagged decodes a two-element array ["<tag>", "<string>"].
func decodeTagged(b []byte, tag string) (string, error) {
	var arr []json.RawMessage
	if err := json.Unmarshal(b, &arr); err != nil || len(arr) != 2 {
		return "", fmt.Errorf("expected [%q, value], got %s", tag, b)
	}
	var got, val string
	if err := json.Unmarshal(arr[0], &got); err != nil || got != tag {
		return "", fmt.Errorf("expected [%q, value], got %s", tag, b)
	}
	if err := json.Unmarshal(arr[1], &val); err != nil {
		return "", fmt.Errorf("decode %s value %s: %w", tag, arr[1], err)
	}
	return val, nil
}
