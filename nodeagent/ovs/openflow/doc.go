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

// Package openflow is Strata's OpenFlow 1.5 (+ Open vSwitch Nicira
// extensions) codec and controller connection, written on the standard
// library. It speaks to ovs-vswitchd over a bridge's management socket
// (<rundir>/<bridge>.mgmt).
//
// # Flows are values
//
// A Flow is a comparable struct: table, priority, cookie, timeouts, a Match
// and Instructions. Match and Instructions hold their canonical wire
// encoding in an unexported string, so Flows can be compared with ==, used
// as map keys, cached for replay and diffed, and are encoded by copying:
//
//	f := openflow.Flow{Table: 13, Priority: 14500, Cookie: cookie,
//		Match: openflow.MustMatch(openflow.IPv4Src(p), openflow.RegField(1, ofport)),
//		Instructions: openflow.Apply(openflow.Conjunction{ID: 1, Clause: 1, NClauses: 3})}
//	f.Key() // (table, priority, match): OVS's identity for ADD/MODIFY_STRICT/DELETE_STRICT
//
// The canonical match is exactly what OVS 3.1 emits for the same match in
// OpenFlow 1.5: fields in OVS's nx_put_raw order, registers merged into the
// 64-bit xreg form OVS uses (reg1=2 is xreg0=0x2/0xffffffff), all-ones masks
// dropped, value&mask. NewMatch adds implied prerequisites (eth_type for
// IPv4/IPv6/ARP fields, ip_proto for ports and ICMP) and rejects what OVS
// would reject (OFPBMC_BAD_PREREQ and friends) with an ErrMatch error. So a
// flow read back with Conn.DumpFlows is == the flow that was installed.
//
// Actions are typed values (Output, SetField, CopyField, Group, Meter,
// DecTTL, Resubmit, OutputReg, Conjunction, CT with nested SetField /
// CopyField / NAT, Controller (NXAST_CONTROLLER2), Note, Push/PopVLAN) and
// are encoded the way OVS re-encodes them, so they round-trip byte for byte.
// Learn (NXAST_LEARN/LEARN2) builds Service session-affinity flows from typed
// specs (LearnMatchOf, LearnMatchImm, LearnLoadOf, LearnLoadImm, LearnOutput
// over Subfields such as Bits(Reg(4), 0, 16)); its String is ovs-ofctl's.
// The golden vectors for learn, ct/nat, select groups, output:in_port and
// ct_label/ct_mark matches are re-captured from ovs-ofctl through a
// transparent proxy by TestOVSOfctlGoldens.
// PortRangeMasks turns a port range into value/mask matches.
//
// # Messages
//
// Every message type implements Message (MsgType, AppendBody); AppendMessage
// and the generic Append write header and body into a caller's buffer
// without allocating (Append[FlowMod] ~30ns/flow). DecodeMessage decodes any
// message and never panics (FuzzDecode). Errors (OFPT_ERROR) decode into
// ErrorMsg, whose Error() names the OVS symbol and meaning, e.g.
// "OFPBMC_BAD_PREREQ (a prerequisite was not met)".
//
// # Connection contract
//
// Dial performs HELLO (version bitmap), FEATURES, SET_CONFIG,
// NXT_SET_PACKET_IN_FORMAT=NXT2, optional NXT_SET_CONTROLLER_ID and a
// BARRIER, then a single reader goroutine dispatches. A Conn is safe for
// concurrent use:
//   - Request waits for the reply with the request's xid;
//   - Exec sends messages plus a BARRIER; since OVS processes in order, all
//     errors have arrived when the barrier reply does, and they come back as
//     a *BatchError of *RequestError, each naming the failing message;
//   - OpenBundle/Add/AddFlowMods/Commit stream BUNDLE_ADD_MESSAGEs through a
//     bufio writer without waiting per message; Commit first sends a BARRIER
//     and discards the bundle if any message was rejected, so a bundle with
//     one bad flow never changes the switch; commit-time failures (e.g.
//     OFPFMFC_OVERLAP) are mapped back to the message as well;
//   - DumpFlows collects a multipart FLOW_DESC reply with OXS counters;
//   - packet-ins arrive on PacketIns(); the reader never blocks on them;
//   - switch ECHO_REQUESTs are answered; our own echoes detect a dead switch.
//
// Client wraps Conn with automatic reconnect (backoff) and calls OnConnect
// after every handshake, with reconnect=true after the first, before the
// connection is handed out: the caller replays groups, meters and flows
// there (an ovs-vswitchd restart loses them all).
//
// # OVS facts this package relies on
//
//   - OF1.5 packet-in table_id is the table of the controller() action; keep
//     the deciding table in a register.
//   - Userdata in packet-ins needs NXT_PACKET_IN2 (Dial enables it).
//   - Group and meter ADD are not idempotent: delete all on (re)connect.
//   - Re-ADDing a flow with the same key replaces its actions and cookie and
//     keeps its counters.
//   - Large bundles commit superlinearly; BundleFlowModsChunked trades
//     global atomicity for speed in bulk replays.
package openflow
