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
)

// Condition is one clause of a "where": [column, function, value]. Function is
// one of "==", "!=", "includes", "excludes", "<", "<=", ">", ">=".
type Condition struct {
	Column   string
	Function string
	Value    any
}

// MarshalJSON implements json.Marshaler.
func (c Condition) MarshalJSON() ([]byte, error) {
	return json.Marshal([3]any{c.Column, c.Function, c.Value})
}

// Equal is the condition column == value.
func Equal(column string, value any) Condition {
	return Condition{Column: column, Function: "==", Value: value}
}

// Includes is the condition "column includes value" (sets and maps).
func Includes(column string, value any) Condition {
	return Condition{Column: column, Function: "includes", Value: value}
}

// Mutation is one [column, mutator, value] of a mutate operation. Mutator is
// "insert" or "delete" for sets and maps, or an arithmetic mutator.
type Mutation struct {
	Column  string
	Mutator string
	Value   any
}

// MarshalJSON implements json.Marshaler.
func (m Mutation) MarshalJSON() ([]byte, error) {
	return json.Marshal([3]any{m.Column, m.Mutator, m.Value})
}

// InsertTo adds set elements or map pairs. For maps, keys already present
// keep their old value (RFC 7047 5.1), so SetKey deletes first.
func InsertTo(column string, value any) Mutation {
	return Mutation{Column: column, Mutator: "insert", Value: value}
}

// DeleteFrom removes set elements, or map pairs by key when value is a Set.
func DeleteFrom(column string, value any) Mutation {
	return Mutation{Column: column, Mutator: "delete", Value: value}
}

// SetKey returns the mutations that set key=value in a string map column
// without touching other keys.
func SetKey(column, key, value string) []Mutation {
	return []Mutation{
		DeleteFrom(column, StringSet(key)),
		InsertTo(column, Map{{Key: key, Value: value}}),
	}
}

// Operation is one operation of a transact request. Build it with Insert,
// Select, Update, MutateOp, Delete or Wait: each kind carries only the members
// the server accepts for it (ovsdb-server rejects unexpected members).
type Operation struct {
	Op        string
	Table     string
	Row       map[string]any
	Rows      []map[string]any
	Where     []Condition
	Columns   []string
	Mutations []Mutation
	UUIDName  string
	Until     string
	TimeoutMS *int
}

// Insert inserts row; uuidName, if set, names the new row for NamedUUID
// references elsewhere in the same transaction.
func Insert(table string, row map[string]any, uuidName string) Operation {
	return Operation{Op: "insert", Table: table, Row: row, UUIDName: uuidName}
}

// Select selects columns (all when none are given) of the rows matching where.
func Select(table string, where []Condition, columns ...string) Operation {
	return Operation{Op: "select", Table: table, Where: where, Columns: columns}
}

// Update sets the columns in row on all rows matching where.
func Update(table string, where []Condition, row map[string]any) Operation {
	return Operation{Op: "update", Table: table, Where: where, Row: row}
}

// MutateOp applies mutations, in order, to all rows matching where.
func MutateOp(table string, where []Condition, mutations ...Mutation) Operation {
	return Operation{Op: "mutate", Table: table, Where: where, Mutations: mutations}
}

// Delete deletes the rows matching where.
func Delete(table string, where []Condition) Operation {
	return Operation{Op: "delete", Table: table, Where: where}
}

// WaitCondition is the condition of a wait operation: the Columns of the
// selected rows must compare Until ("==" or "!=") to Rows.
type WaitCondition struct {
	Columns []string
	Until   string
	Rows    []map[string]any
	// TimeoutMS is how long the server waits for the condition; 0 checks it
	// once and fails the transaction with "timed out" if it does not hold.
	TimeoutMS int
}

// Wait aborts the transaction unless cond holds for the rows matching where
// (a precondition, e.g. "this bridge still exists").
func Wait(table string, where []Condition, cond WaitCondition) Operation {
	timeout := cond.TimeoutMS
	return Operation{Op: "wait", Table: table, Where: where, Columns: cond.Columns,
		Until: cond.Until, Rows: cond.Rows, TimeoutMS: &timeout}
}

// MarshalJSON implements json.Marshaler.
func (o Operation) MarshalJSON() ([]byte, error) {
	m := map[string]any{"op": o.Op, "table": o.Table}
	switch o.Op {
	case "insert":
		m["row"] = o.Row
		if o.UUIDName != "" {
			m["uuid-name"] = o.UUIDName
		}
	case "select":
		m["where"] = nonNil(o.Where)
		if len(o.Columns) > 0 {
			m["columns"] = o.Columns
		}
	case "update":
		m["where"], m["row"] = nonNil(o.Where), o.Row
	case "mutate":
		m["where"], m["mutations"] = nonNil(o.Where), nonNil(o.Mutations)
	case "delete":
		m["where"] = nonNil(o.Where)
	case "wait":
		m["where"], m["columns"], m["until"], m["rows"] = nonNil(o.Where), nonNil(o.Columns), o.Until, nonNil(o.Rows)
		if o.TimeoutMS != nil {
			m["timeout"] = *o.TimeoutMS
		}
	}
	return json.Marshal(m)
}

// String names the operation for error messages, e.g. "insert Port".
func (o Operation) String() string {
	return o.Op + " " + o.Table
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
