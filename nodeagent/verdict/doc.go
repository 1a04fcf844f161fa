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

// Package verdict is the order in which strata-agent's OpenFlow pipeline
// evaluates the rules of one direction, and the walk of a connection through
// that order. The agent lays out its tables by it (nodeagent/pipeline: the
// stage of a rule is its table, types.Priority.Less its OF priority within
// the table) and strata-apiserver's explain (apiserver/explain) walks it over
// the same types.CompletedRules the agent installs (nodeagent/policy
// completes them from the per-Node controlplane objects).
//
//	rules of one direction that apply to the Pod
//	      │ Sort: stage, then (tier, policy priority, rule index)
//	      ▼
//	StageTiered   AntreaPolicy{Egress,Ingress}Rule: first match decides
//	      │       Allow / Drop / Reject; Pass jumps to StageK8s
//	      ▼
//	StageK8s      {Egress,Ingress}Rule: any match allows; a Pod selected by
//	      │       a K8s rule of this direction is isolated: drop
//	      ▼
//	StageBaseline {Egress,Ingress}DefaultRule below the isolation drop:
//	      │       first match decides (no Pass)
//	      ▼
//	default       allow
//
// Established connections skip the policy tables: the walk is that of the
// first packet of a connection.
package verdict
