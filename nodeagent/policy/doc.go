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

// Package policy is the node agent's policy controller: it keeps this Node's
// slice of strata-apiserver's controlplane.antrea.io/v1beta2 API (NetworkPolicies,
// AppliedToGroups, AddressGroups) in a rule cache, hands the rules that can be
// installed to a Reconciler (implemented by nodeagent/pipeline), and reports the
// realization of Antrea-native policies and upstream ClusterNetworkPolicies back to
// strata-apiserver.
//
// # Flow
//
//	strata-apiserver  watch ?fieldSelector=nodeName=<node>, one per kind
//	      │  ADDED… BOOKMARK │ ADDED/MODIFIED(patch)/DELETED │ error/close → re-watch (backoff)
//	      ▼
//	watcher.go ── buffers ADDED until the BOOKMARK ─► one replace of the kind
//	      │        then applies events one by one
//	      ▼
//	cache.go  policies, AppliedToGroups, AddressGroups; rules keyed by content hash,
//	      │   indexed by group ──► dirty rule IDs ──────────────┐
//	      │                                                     │   PodChanged(pod)
//	      │ completion.go: rule + groups → types.CompletedRule  │   ─► rules of its groups
//	      ▼                                                     ▼
//	reconcile.go  worker drains the dirty set in batches (queue.go)
//	      │   complete rule        → Reconciler.Reconcile (a failed batch is retried
//	      │                          rule by rule; failures retried with backoff)
//	      │   not enforceable      → failed, not installed, not retried
//	      │   gone / incomplete    → Reconciler.Forget
//	      ▼
//	status.go  per Antrea-native policy or upstream CNP: all rules that apply here
//	      │    installed, or one failed → StatusReporter
//	      │    (POST networkpolicies/NAME/status)
//	      ▼
//	fallback.go  after the sync: the cached objects saved to StateDir (JSON, atomic)
//
// # Sync and resync
//
// Every watch starts with the full current state, ended by a BOOKMARK (there is
// no resume), so a re-watch after any error is a full replace: objects that
// disappeared while the watch was down are dropped, and their rules forgotten.
// The reconcile worker waits until the three kinds have been listed (a watch
// delivered each one's initial state), then reconciles every rule as one batch; after it, Synced is true and statuses are
// reported. Each later replace reports every status again (strata-apiserver keeps
// them in memory only).
//
// # Rules
//
// A rule's ID is a hash of its content, its policy's identity and priorities, and
// its AppliedToGroups, so a changed rule is another rule: the new one is
// installed, then the old one forgotten. A rule is complete when at least one of
// its AppliedToGroups and all of its AddressGroups are known; a rule that is not
// complete (any more) is forgotten, and reconciled when its groups arrive.
//
// An egress rule's fqdns (to.fqdns) are handed to the Reconciler with the rule
// (types.CompletedRule.FQDNs), which enforces them from the DNS responses the
// Pods receive (nodeagent/fqdn).
//
// A rule is installed as written or not at all, never broader: fields this
// agent does not enforce (l7Protocols; labelIdentities in a peer, fqdns and
// toServices in an ingress rule; an egress rule's fqdns and toServices are enforced), which strata-apiserver refuses at admission but a policy stored by an
// older version can carry, fail the rule at completion (completion.go) when
// installing the rest would not be the rule as written: any Allow, Pass or K8s
// NetworkPolicy rule with one of them, a Drop or Reject rule with l7Protocols
// or with nothing else in its peer. Such a rule is not installed and not
// retried, and its policy is reported failed naming the rule and the fields
// (a K8s NetworkPolicy rule is installed matching no peer, which keeps the
// isolation of its Pods and allows nothing). A
// Drop or Reject rule keeps its addressGroups and ipBlocks and ignores the rest
// (it drops less than written, never more).
//
// A rule whose flows Open vSwitch refuses (e.g. a full table) costs that rule
// only: the pipeline rolls a refused call back, leaving what was installed, so
// the rule-by-rule retry of the batch installs every other rule, and the
// rule's policy is reported failed with the rule's name and OVS's error while
// the rule is retried with backoff.
//
// # Fallback
//
// If the three kinds have not all been listed within Timeouts.Fallback of the
// start, the kinds that have not are loaded from StateDir and their rules reconciled, so
// the Node keeps enforcing its last known policies. The watches keep trying; the
// first listing of a kind replaces its saved state like any resync.
package policy
