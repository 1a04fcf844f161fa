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

// Package replicas runs the Pod start-up barrier across strata-apiserver
// replicas. Every replica computes from its own informers and numbers its
// controlplane stores from scratch under an epoch of its own; an agent installs
// what the replica serving each of its watches computed, and through
// kube-apiserver's aggregation a Node's three watches, its sync reports and its
// Pod start-ups may each reach a different replica. So a Pod start involves
// every replica, over strata's etcd:
//
//	<prefix>/podstartup/epochs/<epoch>            a live replica (its etcd lease)
//	<prefix>/podstartup/acks/<epoch>/<node>       a sync report posted to another replica
//	<prefix>/podstartup/requests/<id>             a Pod start (lease of the replica it was posted to)
//	<prefix>/podstartup/confirms/<id>/<epoch>     a replica's part done: the Nodes it covers
//
//	agent ── POST podstartups ──► replica A: Announce (requests/<id>)
//	                                 │ its own part: Barrier.Confirm
//	                                 ▼
//	           every other replica R (Run, watching requests/): Barrier.Confirm
//	           = the Pod's addresses into R's computation, a progress BOOKMARK on
//	           R's stores, a wait for the acknowledgements of the Nodes of R's
//	           span whose watches R serves ─► confirms/<id>/<R's epoch>
//	                                 │
//	                                 ▼
//	A: every live replica confirmed, and every Node of the span covered of
//	   every kind ─► 201; else 503 when the barrier's time is up
//
//	agent ── POST nodesyncreports (epoch E) ──► any replica: E its own ─► its
//	   Tracker; E another live replica's ─► acks/E/<node> ─► that replica's
//	   Tracker (Run mirrors acks/<own epoch>/); E of no live replica ─► 409
//
// A replica registers its epoch with an etcd lease before its controlplane API
// serves (Ready), so no agent installs from a replica the others would not wait
// for. If the lease is lost (etcd unreachable for its TTL), the replica drops
// every watch (OnLost) and serves none until it has registered again: the other
// replicas have stopped waiting for it. The requests and confirmations carry the
// announcing replica's lease and go with it.
package replicas
