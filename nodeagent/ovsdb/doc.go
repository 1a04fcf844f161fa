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
// Connect dials ovsdb-server's unix socket (<rundir>/db.sock) and starts one
// reader goroutine that matches replies to requests by id, answers the
// server's "echo" inactivity probes and queues "update" notifications for
// monitors. A Client is safe for concurrent use. It never reconnects: when
// the connection ends, Done is closed, every pending call fails with an error
// wrapping ErrClosed, and the caller connects again (ovsdb-server keeps all
// state, so nothing has to be replayed into it).
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
// vswitchd assigns a valid ofport; the ctx deadline bounds the wait and the
// error says what was last seen (missing row, no ofport yet, ofport -1 with
// the interface's error column).
//
// Logging is contextual (klog.FromContext); V(2) for changes, V(4) and above
// for protocol detail.
package ovsdb
