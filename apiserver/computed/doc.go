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

// Package computed holds the objects the policy computation produces for the node
// agents, other than the NetworkPolicies themselves: AddressGroups (the addresses a
// rule's peer stands for, and the Nodes that need them) and AppliedToGroups (the
// members a policy applies to, split by Node), with MemberKey, the identity of a
// group member.
//
// The producer (apiserver/policy) and the consumers (the watchable store in
// registry/controlplane/store, its REST adapters, apiserver/explain) all import this
// package, so the computation depends on no consumer's storage:
//
//	apiserver/policy ──builds──▶ computed.AddressGroup, computed.AppliedToGroup
//	        │                              ▲
//	        └── Sink ──▶ registry/controlplane/store ──reads──┘ (Store[*computed.X])
//
// The objects are immutable once handed to a Sink: a change is a new object, which
// may share unchanged members with the previous one (the store diffs members by
// pointer first).
package computed
