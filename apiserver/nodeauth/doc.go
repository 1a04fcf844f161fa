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

// Package nodeauth confines every strata-agent to its own Node's slice of the
// controlplane API (controlplane.antrea.io), as Kubernetes' Node authorizer and
// NodeRestriction confine kubelets.
//
// # Flow
//
//	agent request ─► kube-apiserver: authenticates (client certificate or bound
//	      │          ServiceAccount token), RBAC (ClusterRole strata-agent), then
//	      │          proxies with X-Remote-User/-Group/-Extra-* (aggregation layer)
//	      ▼
//	strata-apiserver: request-header authentication ─► user.Info
//	      │
//	      ▼
//	Identities.NodeOf(user) ─► not an agent: NoOpinion (RBAC decides, by SubjectAccessReview)
//	      │ an agent of Node N (or an agent whose Node is unknown: denied)
//	      ▼
//	Authorizer (first in the chain, before the delegated RBAC); it only denies,
//	a request within bounds goes on to RBAC (the ClusterRole strata-agent):
//	      list/watch networkpolicies, addressgroups, appliedtogroups: only with
//	          fieldSelector=nodeName=N
//	      get of those: only an object whose span holds N (SpanChecker)
//	      create networkpolicies/status, nodesyncreports, podstartups,
//	          nodestatssummaries (its name, when the URL has one, is N): within
//	          bounds here, the body is checked by Admission
//	      anything else in controlplane.antrea.io: 403 naming the rule
//	      ▼
//	Admission (always in the chain, not a plugin one can disable): the Node
//	named in the body (status nodes[].nodeName, podstartup nodeName, the
//	metadata.name of a nodesyncreport or nodestatssummary) must be N: 403 otherwise
//
// An agent identity is one of:
//   - a client certificate of user system:strata-agent:<node> in group
//     system:strata-agents (the local cluster's process agents);
//   - a bound ServiceAccount token of one of the agent ServiceAccounts
//     (--agent-service-accounts, default kube-system/strata-agent) whose
//     user info carries the extra authentication.kubernetes.io/node-name (a
//     token bound to the agent's Pod: the DaemonSet's projected token).
//
// An identity of the group, or of an agent ServiceAccount, that names no Node
// (a legacy or unbound token) is an agent of no Node: it is refused everything in
// controlplane.antrea.io.
package nodeauth
