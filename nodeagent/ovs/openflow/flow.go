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

// TableAll is OFPTT_ALL: every table (non-strict delete, flow stats).
const TableAll uint8 = 0xff

// FlowFlags are OFPFF_* flow-mod flags.
type FlowFlags uint16

// Flow-mod flags.
const (
	FlagSendFlowRem  FlowFlags = 1 << 0
	FlagCheckOverlap FlowFlags = 1 << 1
	FlagResetCounts  FlowFlags = 1 << 2
	FlagNoPktCounts  FlowFlags = 1 << 3
	FlagNoBytCounts  FlowFlags = 1 << 4
)

// Flow is one OpenFlow flow entry. It is a comparable value: == compares
// every field including the (canonical) match and instructions, and a Flow
// can be a map key. Use Key() to index flows the way OVS does.
type Flow struct {
	Table        uint8
	Priority     uint16
	Cookie       uint64
	IdleTimeout  uint16
	HardTimeout  uint16
	Flags        FlowFlags
	Importance   uint16
	Match        Match
	Instructions Instructions
}

// FlowKey identifies a flow in OVS: (table, priority, match). Two flows
// with the same key cannot coexist; ADD of one replaces the other.
type FlowKey struct {
	Table    uint8
	Priority uint16
	Match    Match
}

// Key returns the OVS identity of f.
func (f Flow) Key() FlowKey { return FlowKey{Table: f.Table, Priority: f.Priority, Match: f.Match} }

// String formats f roughly like ovs-ofctl dump-flows.
func (f Flow) String() string {
	m := f.Match.String()
	if m != "" {
		m = "," + m
	}
	return fmt.Sprintf("cookie=0x%x,table=%d,priority=%d%s actions=%s", f.Cookie, f.Table, f.Priority, m, f.Instructions)
}

// String formats the key.
func (k FlowKey) String() string {
	return fmt.Sprintf("table=%d,priority=%d,%s", k.Table, k.Priority, k.Match)
}
