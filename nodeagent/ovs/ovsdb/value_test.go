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
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValueEncoding(t *testing.T) {
	tests := []struct {
		name  string
		value any
		want  string
	}{
		{name: "uuid", value: UUID("36bd4f6c-0000-4000-8000-000000000001"), want: `["uuid","36bd4f6c-0000-4000-8000-000000000001"]`},
		{name: "named uuid", value: NamedUUID("port"), want: `["named-uuid","port"]`},
		{name: "empty set", value: Set{}, want: `["set",[]]`},
		{name: "nil set", value: Set(nil), want: `["set",[]]`},
		{name: "string set", value: StringSet("OpenFlow13", "OpenFlow15"), want: `["set",["OpenFlow13","OpenFlow15"]]`},
		{name: "set of named uuids", value: Set{NamedUUID("a"), NamedUUID("b")}, want: `["set",[["named-uuid","a"],["named-uuid","b"]]]`},
		{name: "empty map", value: StringMap(nil), want: `["map",[]]`},
		{name: "string map sorted by key", value: StringMap(map[string]string{"b": "2", "a": "1"}), want: `["map",[["a","1"],["b","2"]]]`},
		{name: "int to named uuid map", value: Map{{Key: 14, Value: NamedUUID("t14")}}, want: `["map",[[14,["named-uuid","t14"]]]]`},
		{name: "condition", value: Equal("name", "br0"), want: `["name","==","br0"]`},
		{name: "includes map", value: Includes("external_ids", StringMap(map[string]string{"k": "v"})), want: `["external_ids","includes",["map",[["k","v"]]]]`},
		{name: "set key mutations", value: SetKey("external_ids", "roundNum", "3"), want: `[["external_ids","delete",["set",["roundNum"]]],["external_ids","insert",["map",[["roundNum","3"]]]]]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := json.Marshal(tc.value)
			require.NoError(t, err)
			assert.JSONEq(t, tc.want, string(got))
		})
	}
}

func TestOperationEncoding(t *testing.T) {
	where := []Condition{Equal("name", "br0")}
	tests := []struct {
		name string
		op   Operation
		want string
	}{
		{
			name: "insert with uuid-name",
			op:   Insert("Port", map[string]any{"name": "p1", "interfaces": Set{NamedUUID("i")}}, "port"),
			want: `{"op":"insert","table":"Port","uuid-name":"port","row":{"name":"p1","interfaces":["set",[["named-uuid","i"]]]}}`,
		},
		{
			name: "insert without uuid-name",
			op:   Insert("Flow_Table", map[string]any{"name": "t"}, ""),
			want: `{"op":"insert","table":"Flow_Table","row":{"name":"t"}}`,
		},
		{
			name: "select all rows keeps an empty where",
			op:   Select("Interface", nil, "name", "ofport"),
			want: `{"op":"select","table":"Interface","where":[],"columns":["name","ofport"]}`,
		},
		{
			name: "select all columns",
			op:   Select("Bridge", where),
			want: `{"op":"select","table":"Bridge","where":[["name","==","br0"]]}`,
		},
		{
			name: "update",
			op:   Update("Bridge", where, map[string]any{"fail_mode": Set{"secure"}}),
			want: `{"op":"update","table":"Bridge","where":[["name","==","br0"]],"row":{"fail_mode":["set",["secure"]]}}`,
		},
		{
			name: "mutate",
			op:   MutateOp("Bridge", where, InsertTo("ports", Set{NamedUUID("p")})),
			want: `{"op":"mutate","table":"Bridge","where":[["name","==","br0"]],"mutations":[["ports","insert",["set",[["named-uuid","p"]]]]]}`,
		},
		{
			name: "delete",
			op:   Delete("Port", []Condition{Equal("_uuid", UUID("u1"))}),
			want: `{"op":"delete","table":"Port","where":[["_uuid","==",["uuid","u1"]]]}`,
		},
		{
			name: "wait",
			op: Wait("Interface", []Condition{Equal("name", "p1")}, WaitCondition{
				Columns: []string{"ofport"}, Until: "!=", Rows: []map[string]any{{"ofport": Set{}}}, TimeoutMS: 5000}),
			want: `{"op":"wait","table":"Interface","where":[["name","==","p1"]],"columns":["ofport"],"until":"!=","rows":[{"ofport":["set",[]]}],"timeout":5000}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := json.Marshal(tc.op)
			require.NoError(t, err)
			assert.JSONEq(t, tc.want, string(got))
		})
	}
}

func TestRowDecoding(t *testing.T) {
	row := Row{
		"_uuid":        json.RawMessage(`["uuid","u-1"]`),
		"name":         json.RawMessage(`"p1"`),
		"ofport":       json.RawMessage(`7`),
		"no_ofport":    json.RawMessage(`["set",[]]`),
		"mac_in_use":   json.RawMessage(`["set",[]]`),
		"protocols":    json.RawMessage(`["set",["OpenFlow13","OpenFlow15"]]`),
		"one_protocol": json.RawMessage(`"OpenFlow15"`),
		"interfaces":   json.RawMessage(`["uuid","i-1"]`),
		"two_ifaces":   json.RawMessage(`["set",[["uuid","i-1"],["uuid","i-2"]]]`),
		"external_ids": json.RawMessage(`["map",[["a","1"],["b","2"]]]`),
		"flow_tables":  json.RawMessage(`["map",[[14,["uuid","t-14"]]]]`),
	}
	u, err := row.UUID()
	require.NoError(t, err)
	assert.Equal(t, UUID("u-1"), u)

	tests := []struct {
		name string
		get  func() (any, error)
		want any
	}{
		{name: "string", get: func() (any, error) { return row.String("name") }, want: "p1"},
		{name: "empty optional string", get: func() (any, error) { return row.String("mac_in_use") }, want: ""},
		{name: "int", get: func() (any, error) { v, _, err := row.Int("ofport"); return v, err }, want: int64(7)},
		{name: "empty optional int", get: func() (any, error) { _, ok, err := row.Int("no_ofport"); return ok, err }, want: false},
		{name: "string set", get: func() (any, error) { return row.Strings("protocols") }, want: []string{"OpenFlow13", "OpenFlow15"}},
		{name: "bare single-element set", get: func() (any, error) { return row.Strings("one_protocol") }, want: []string{"OpenFlow15"}},
		{name: "bare single uuid", get: func() (any, error) { return row.UUIDs("interfaces") }, want: []UUID{"i-1"}},
		{name: "uuid set", get: func() (any, error) { return row.UUIDs("two_ifaces") }, want: []UUID{"i-1", "i-2"}},
		{name: "string map", get: func() (any, error) { return row.StringMap("external_ids") }, want: map[string]string{"a": "1", "b": "2"}},
		{name: "int uuid map", get: func() (any, error) { return row.IntUUIDMap("flow_tables") }, want: map[int64]UUID{14: "t-14"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.get()
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestRowDecodingErrors(t *testing.T) {
	row := Row{"name": json.RawMessage(`"x"`), "bad_map": json.RawMessage(`["set",[]]`)}
	tests := []struct {
		name    string
		get     func() error
		wantErr string
	}{
		{name: "missing column", get: func() error { _, err := row.String("nope"); return err }, wantErr: `column "nope" missing`},
		{name: "not a map", get: func() error { _, err := row.StringMap("bad_map"); return err }, wantErr: `expected ["map", pairs]`},
		{name: "string is not an int", get: func() error { _, _, err := row.Int("name"); return err }, wantErr: `column "name"`},
		{name: "no uuid", get: func() error { _, err := row.UUID(); return err }, wantErr: `column "_uuid" missing`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.ErrorContains(t, tc.get(), tc.wantErr)
		})
	}
}

func TestTransactionErrorMessage(t *testing.T) {
	ops := []Operation{Insert("Interface", nil, "i"), Insert("Port", nil, "p")}
	tests := []struct {
		name   string
		index  int
		result OperationResult
		want   string
	}{
		{
			name:   "operation",
			index:  1,
			result: OperationResult{Error: "unknown column", Details: "No column foo in table Port."},
			want:   "ovsdb refused operation 1 (insert Port): unknown column: No column foo in table Port.",
		},
		{
			name:   "commit",
			index:  2,
			result: OperationResult{Error: "constraint violation"},
			want:   "ovsdb refused commit: constraint violation",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := transactionError(ops, tc.index, &tc.result)
			assert.EqualError(t, err, tc.want)
		})
	}
}
