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

// Package store holds the computed controlplane objects (NetworkPolicies,
// AddressGroups, AppliedToGroups) in memory and streams their changes to the node
// agents that watch them.
//
// Store[T] is a generic watchable map keyed by object name. The policy computation
// writes it with Upsert and Delete; the REST adapters of controlplane.antrea.io read
// it with Get, Select and Watch. Every change that is not a no-op gets the next
// resourceVersion (a store-local uint64) and is turned ONCE into an Event by the
// kind's EventFunc; the Event is then rendered PER WATCHER by ToWatchEvent, which
// decides from the watcher's Node whether it sees ADDED, MODIFIED, DELETED or
// nothing:
//
//	watcher of Node N          | N in curr span          | N not in curr span
//	(no node: "exists")        | (or object exists)      | (or object deleted)
//	---------------------------+-------------------------+--------------------------
//	N not in prev span         | ADDED                   | nothing
//	(or object did not exist)  |   full object; an       |
//	                           |   AppliedToGroup holds  |
//	                           |   only N's members      |
//	---------------------------+-------------------------+--------------------------
//	N in prev span             | MODIFIED                | DELETED
//	(or object existed)        |   NetworkPolicy: full   |   metadata only: name,
//	                           |   object;               |   uid (NetworkPolicy:
//	                           |   AddressGroup: patch   |   also generation and
//	                           |   of added/removed      |   sourceRef)
//	                           |   members, nothing if   |
//	                           |   only the span changed;|
//	                           |   AppliedToGroup: patch |
//	                           |   of N's members,       |
//	                           |   nothing if N's        |
//	                           |   members are unchanged |
//
// A change whose prev and curr are semantically equal is a no-op: no event, no new
// resourceVersion. A member whose key (MemberKey) stays but whose content changes is
// sent in AddedGroupMembers only: agents replace members by key.
//
// Watch protocol: every watch, and every re-watch, starts with the current state
// (the objects selected by the watcher's Node, name and labels) as ADDED events,
// then one BOOKMARK whose object is an empty object of the kind carrying the
// snapshot resourceVersion (and the annotation k8s.io/initial-events-end: "true"
// when the request asked for watch-list semantics: sendInitialEvents and
// allowWatchBookmarks), then every change after the snapshot. There is no resume
// from a resourceVersion.
//
// Delivery: one dispatcher goroutine hands every change to the buffered channel
// (1000 changes) of each watcher; each watcher renders and sends in its own
// goroutine. A watcher whose buffer stays full for 50ms (one timer shared by all the
// watchers blocked on the same change) is stopped as too slow; its client re-watches
// and gets the full state again. A slow watcher therefore never blocks the others
// and never makes the store hold more than its bounded buffer.
//
// Objects are immutable once stored: the computation builds a new object for every
// change, reusing unchanged members (pointer equality makes the diff cheap), and
// the events share them between watchers.
package store
