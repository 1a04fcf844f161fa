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

// Package podstartup is strata-apiserver's side of the Pod start-up barrier: a
// new Pod sends no packet before every Node that enforces a rule naming it has
// installed the Pod's address, and its own Node has installed its own rules.
//
// # Flow
//
//	strata-agent (CNI ADD, Pod attached, its process not started yet)
//	      │  POST podstartups {pod, uid, node, addresses}
//	      ▼
//	Barrier.Await
//	      │ 1. policy.Controller.ReportPodAddresses: the addresses go into the
//	      │    computation (the Pod's status has none yet); wait for a pass
//	      │    that includes them to be published
//	      │ 2. the Nodes that must know: the Pod's own Node, and the span of
//	      │    every AddressGroup with the Pod as a member
//	      │ 3. Progress on each controlplane store: every watcher gets a
//	      │    BOOKMARK at a new resourceVersion of the store (the targets)
//	      │ 4. wait until each of those Nodes acknowledged (Tracker) at least
//	      │    the targets of all three kinds, or the deadline passes
//	      ▼
//	201 with the Nodes ─► the agent lets CNI ADD return: the Pod starts
//	503 naming the Nodes that did not acknowledge ─► ADD fails with
//	    TRY_AGAIN_LATER: the runtime retries, the Pod does not start unprotected
//
//	strata-agent (each kind's watch): BOOKMARK rv ─► every rule made dirty
//	      before it is installed in Open vSwitch ─► POST nodesyncreports
//	      {node, rv per kind} ─► Tracker.Report
//
// Each strata-apiserver process numbers its stores from scratch, under an epoch
// of its own that every BOOKMARK and every report carries. The acknowledgements
// are in memory: after a restart the agents' watches start over, and their first
// BOOKMARKs, in the new epoch, acknowledge again.
//
// With several replicas (Config.Peers, apiserver/podstartup/replicas) a Pod
// start involves all of them: each does Confirm (steps 1–4 for the Nodes whose
// watch of a kind it serves) and reports which (Node, kind) it covers; the Pod
// starts once every live replica confirmed and every Node of the span is covered
// of every kind. A report of another live replica's epoch is forwarded to it
// (Tracker.ForwardTo); one of an epoch no replica has is refused (409) and never
// counts.
package podstartup
