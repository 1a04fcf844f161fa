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

// FlowModCommand is the OFPFC_* command.
type FlowModCommand uint8

// Flow-mod commands.
const (
	FlowAdd          FlowModCommand = 0
	FlowModify       FlowModCommand = 1
	FlowModifyStrict FlowModCommand = 2
	FlowDelete       FlowModCommand = 3
	FlowDeleteStrict FlowModCommand = 4
)

var flowCmdNames = [...]string{"ADD", "MOD", "MOD_STRICT", "DEL", "DEL_STRICT"}

func (c FlowModCommand) String() string {
	if int(c) < len(flowCmdNames) {
		return flowCmdNames[c]
	}
	return fmt.Sprintf("CMD_%d", uint8(c))
}

// noBuffer is OFP_NO_BUFFER.
const noBuffer uint32 = 0xffffffff

// DefaultPriority is OFP_DEFAULT_PRIORITY, used by non-strict deletes.
const DefaultPriority uint16 = 0x8000

// FlowMod is an OFPT_FLOW_MOD. OutPort and OutGroup 0 mean "any" (they only
// filter deletes); the buffer id is always OFP_NO_BUFFER.
type FlowMod struct {
	Command FlowModCommand
	Flow
	CookieMask uint64
	OutPort    uint32
	OutGroup   uint32
}

// AddFlow returns an ADD for f (replaces a flow with the same key, keeping
// its counters).
func AddFlow(f Flow) FlowMod { return FlowMod{Command: FlowAdd, Flow: f} }

// ModifyFlowStrict replaces the instructions (and cookie) of the flow with
// f's key.
func ModifyFlowStrict(f Flow) FlowMod { return FlowMod{Command: FlowModifyStrict, Flow: f} }

// DeleteFlowStrict deletes exactly the flow with key k.
func DeleteFlowStrict(k FlowKey) FlowMod {
	return FlowMod{Command: FlowDeleteStrict, Flow: Flow{Table: k.Table, Priority: k.Priority, Match: k.Match}}
}

// DeleteFlows deletes every flow in table (TableAll for all) whose match is
// at least as specific as m and whose cookie&mask == cookie&mask.
func DeleteFlows(table uint8, m Match, cookie, cookieMask uint64) FlowMod {
	return FlowMod{
		Command:    FlowDelete,
		Flow:       Flow{Table: table, Priority: DefaultPriority, Cookie: cookie & cookieMask, Match: m},
		CookieMask: cookieMask,
	}
}

// DeleteCookie deletes flows in all tables with cookie&mask == cookie&mask
// (e.g. a stale round: DeleteCookie(round<<48, 0xffff<<48)).
func DeleteCookie(cookie, cookieMask uint64) FlowMod {
	return DeleteFlows(TableAll, Match{}, cookie, cookieMask)
}

// MsgType implements Message.
func (FlowMod) MsgType() MsgType { return TypeFlowMod }

func anyIfZero(v uint32) uint32 {
	if v == 0 {
		return PortAny
	}
	return v
}

func zeroIfAny(v uint32) uint32 {
	if v == PortAny {
		return 0
	}
	return v
}

// AppendBody implements Message. It allocates nothing when b has room.
func (fm FlowMod) AppendBody(b []byte) []byte {
	b = appendU64(b, fm.Cookie)
	b = appendU64(b, fm.CookieMask)
	b = append(b, fm.Table, byte(fm.Command))
	b = appendU16(b, fm.IdleTimeout)
	b = appendU16(b, fm.HardTimeout)
	b = appendU16(b, fm.Priority)
	b = appendU32(b, noBuffer)
	b = appendU32(b, anyIfZero(fm.OutPort))
	b = appendU32(b, anyIfZero(fm.OutGroup))
	b = appendU16(b, uint16(fm.Flags))
	b = appendU16(b, fm.Importance)
	b = fm.Match.appendOFPMatch(b)
	return append(b, fm.Instructions.enc...)
}

// String formats the flow mod for logs and errors.
func (fm FlowMod) String() string { return fm.Command.String() + " " + fm.Flow.String() }

const flowModFixed = 40 // after the header, before the match

func decodeFlowMod(body []byte) (FlowMod, error) {
	if len(body) < flowModFixed+8 {
		return FlowMod{}, fmt.Errorf("flow_mod: %w", ErrShort)
	}
	fm := FlowMod{
		Command:    FlowModCommand(body[17]),
		CookieMask: be.Uint64(body[8:]),
		OutPort:    zeroIfAny(be.Uint32(body[28:])),
		OutGroup:   zeroIfAny(be.Uint32(body[32:])),
	}
	fm.Cookie = be.Uint64(body)
	fm.Table = body[16]
	fm.IdleTimeout = be.Uint16(body[18:])
	fm.HardTimeout = be.Uint16(body[20:])
	fm.Priority = be.Uint16(body[22:])
	fm.Flags = FlowFlags(be.Uint16(body[36:]))
	fm.Importance = be.Uint16(body[38:])
	m, n, err := parseOFPMatch(body[flowModFixed:], false)
	if err != nil {
		return FlowMod{}, fmt.Errorf("flow_mod: %w", err)
	}
	fm.Match = m
	ins, err := ParseInstructions(body[flowModFixed+n:])
	if err != nil {
		return FlowMod{}, fmt.Errorf("flow_mod: %w", err)
	}
	fm.Instructions = ins
	return fm, nil
}
