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

// Package policy is strata-apiserver's policy computation: from the policy objects
// (Tiers, ClusterNetworkPolicies, Antrea NetworkPolicies, ClusterGroups, Groups,
// Kubernetes NetworkPolicies, upstream ClusterNetworkPolicies) and the cluster's
// Pods, Namespaces, Nodes and Services, it computes the objects of
// controlplane.antrea.io/v1beta2 that node agents enforce: internal NetworkPolicies,
// AddressGroups and AppliedToGroups (apiserver/computed), each with its span, the
// Nodes that need it. It also aggregates the agents' realization reports into the
// policies' status.
//
// # Flow
//
//	informers (controller.go, pod_informer.go)
//	      │  every add/update/delete ─► a Compiler method of changes.go
//	      ▼
//	changes.go records what changed in the dirty sets (compiler.go), wakes the loop;
//	      │   no computation here
//	      ▼
//	Controller.Run ─► Compiler.Process: passes until nothing is dirty, each in
//	      │   dependency order:
//	      │     ClusterGroups ─► policies (compile, acquire/release groups)
//	      │     ─► groups (members from the grouping index; AppliedToGroup spans)
//	      │     ─► policy spans ─► AddressGroup spans ─► publish
//	      │   compile, members and spans run in parallel (ordered_fanout.go), their
//	      │   results applied in order on the pass's goroutine
//	      │
//	      │   groupState (groupstate.go) holds the groups the policies use: their
//	      │   users, their selectors in the grouping index, and which groups use
//	      │   each selector. Policies acquire and release groups; a Pod, Namespace,
//	      │   Node or ClusterGroup change reaches it through the index's handler,
//	      │   reselect or nodesChanged; it reports the groups whose members must be
//	      │   computed again (groupStale) or that are gone (groupRemoved) to its
//	      │   listener, the Compiler, which queues them for the pass
//	      ▼
//	Sink      UpsertNetworkPolicy / UpsertAddressGroup / UpsertAppliedToGroup
//	      │   and the deletes; IssueSink: what keeps a policy from being
//	      │   realized as written (issues.go), or that it waits for its Tier
//	      ▼
//	registry/controlplane/store (strata-apiserver's Sink): one watchable store per
//	      │   kind, immutable objects, events rendered per Node
//	      ▼
//	watchers  each agent watches its Node's slice (fieldSelector=nodeName=<node>)
//
// Nothing is served before the first complete pass: Ready (readiness.go) is nil only
// once every informer has synced and the pass over all of it has been handed to the
// Sink (/readyz/strata-policy-computation). ReportPodAddresses (startup.go) is the
// Pod start-up barrier: an agent's report of a starting Pod's addresses returns once
// a pass that includes them is published.
//
// # Locking
//
// The Compiler's state (grouping index, policies, groupState, spans, dirty sets) is
// guarded by one mutex, Compiler.mu; groupState has no lock of its own and calls
// its listener synchronously, under mu. The feed methods hold it only to record a
// change; Process holds it until nothing is dirty, so a pass sees a consistent state
// and informer handlers wait at most one Process. The Sink and the IssueSink are
// called with mu held: they must not call the Compiler back, and they take only locks
// of their own (the stores', the status aggregator's), never the other way round. The
// parallel stages (ordered_fanout.go) write only their own item's result and read nothing
// the in-order stage writes without a lock; the in-order stage, on the pass's
// goroutine, applies the results to the state. Controller.podMu orders a Pod's
// informer update and a start-up report of the same Pod, so neither overwrites the
// other's newer view.
//
// # Status aggregation
//
// StatusAggregator (status.go) sits beside the Sink, not in the pass:
// strata-apiserver's Sink tells it what was published (Observe: generation and span;
// Forget), the IssueSink what the computation found (PolicyIssues, waiting for its
// Tier), and the agents' reports (POST networkpolicies/NAME/status) arrive through
// ReportStatus. It computes each policy's status (phase, desired and current Nodes
// realized, the Realizable condition) and writes it through a StatusClient from its
// own work queue and goroutine; with leader election, only while this replica holds
// the status Lease (Leadership, apiserver/leader). Realization (realization.go)
// renders the same state Node by Node for system.antrea.io's
// networkpolicyrealizations; upstream ClusterNetworkPolicies get their conditions
// from it through apiserver/cnpstatus.
package policy
