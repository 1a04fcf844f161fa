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

// Package ovsdb is a small RFC 7047 (OVSDB) JSON-RPC client for the
// Open_vSwitch database, written on the standard library.
//
// # Connection
//
// New (or Connect, with the default Config) dials ovsdb-server's unix socket
// (<rundir>/db.sock); the first dial must succeed. A Client is safe for
// concurrent use and keeps its connection up until Close: each connection has
// one reader goroutine that matches replies to requests by id, answers the
// server's "echo" inactivity probes and hands "update" notifications to the
// monitors, and a supervisor goroutine redials when the connection drops
// (ovsdb-server restarted, crashed or upgraded).
//
// Reconnection: the delay between attempts starts at Config.MinBackoff
// (100ms) and doubles up to Config.MaxBackoff (5s); each delay is drawn from
// the upper half of its step, never below MinBackoff. The step starts over
// once a connection has lasted MaxBackoff. Config.AttemptTimeout (10s)
// bounds one attempt. ovsdb-server keeps the database on disk, so nothing is
// written back; the client only sends its monitors' requests again (see
// Monitors) before handing the new connection out. Losing and regaining the
// connection is logged at level 0, failed attempts at V(2).
//
// Calls during an outage:
//
//   - A call made while the client reconnects waits for the connection,
//     bounded by its ctx; if ctx ends first, the error wraps both
//     ErrDisconnected and ctx's error ("waiting for the connection to ...").
//   - A request in flight when the connection drops cannot be known to have
//     been applied or not. Requests whose replay is harmless are sent again
//     on the next connection: echo, read-only transactions (select, wait),
//     the map-key helpers (Set/Remove...ExternalID, Set/RemoveOtherConfig),
//     DeletePort and DeleteBridge. Any other fails with an error wrapping
//     ErrDisconnected that says the request may have been applied; the
//     caller decides, by reading the state back or calling again
//     (CreateBridge converges; AddPort of a port that was added fails on its
//     existing name).
//   - Close ends the client: calls and monitors fail with ErrClosed, and
//     Done is closed. Done is never closed by a lost connection; Err tells
//     whether the client is connected (nil), reconnecting (wraps
//     ErrDisconnected) or closed (ErrClosed), and Connects counts the
//     connections made.
//
// # Monitors
//
// Monitor sends a "monitor" request (waiting for a connection like any
// call); Next returns its initial content, then each update. A monitor survives reconnections: the client sends the same
// request (same monitor id) on the new connection, compares the new initial
// content with the rows the monitor has reported (it keeps a copy of their
// monitored columns) and queues the difference as one update, possibly
// empty: rows inserted, modified (Old holding the previous values of the
// changed columns, like a server update) and deleted while it was
// disconnected. So a reader never misses a change, and an update after a
// reconnection is its cue to resynchronise if it wants to. A monitor the
// server refuses after a reconnection (a changed schema) ends with the error.
//
// # Transactions
//
// Transact sends operations built with Insert, Select, Update, MutateOp,
// Delete and Wait as one atomic transaction. Values use the OVSDB JSON
// encodings: Set → ["set",[...]], Map → ["map",[[k,v],...]], UUID →
// ["uuid","..."], NamedUUID → ["named-uuid","..."] for rows inserted earlier
// in the same transaction. A refused transaction returns a *TransactionError
// naming the failing operation (or "commit") with the server's error and
// details; nothing was committed.
//
// # Typed helpers
//
// Each write helper is one transaction:
//
//	CreateBridge        insert Interface+Port (local port)+Bridge, mutate Open_vSwitch.bridges;
//	                    or, if the bridge exists, update it (external_ids merged key by key)
//	DeleteBridge        mutate Open_vSwitch.bridges, delete Bridge (ports are garbage-collected)
//	AddPort             insert Interface + Port (named-uuid), mutate Bridge.ports
//	DeletePort          mutate Bridge.ports, delete Port (its interfaces are garbage-collected)
//	Set/Remove...       mutate one key of a map column (delete key, insert pair), other keys kept
//	SetFlowTableNames   insert Flow_Table rows, mutate Bridge.flow_tables
//
// Helpers that address a bridge check the mutate's row count and wrap
// ErrNotFound when it is 0 (any rows inserted in that transaction are then
// unreferenced and garbage-collected by the server, so nothing leaks).
// DeleteBridge and DeletePort of a missing row succeed, so callers can retry.
//
// WaitOFPort uses a monitor on the Interface table and returns as soon as
// vswitchd assigns a valid ofport; the ctx deadline bounds the wait (also
// across a reconnection) and the error says what was last seen (missing row,
// no ofport yet, ofport -1 with the interface's error column).
//
// Logging is contextual (klog.FromContext); V(2) for changes, V(4) and above
// for protocol detail.
package ovsdb
