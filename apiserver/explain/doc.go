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

// Package explain answers networkpolicyevaluations (controlplane.antrea.io):
// which rules decide a connection between two Pods (or addresses), on both
// sides, from exactly what each side's agent installs.
//
//	request: source, destination (Pod or IP), protocol, port
//	   │ resolve.go: Pod → Node, IP; IP → the Pod that has it
//	   ▼
//	rules.go, per side (egress: source Pod on its Node; ingress: destination)
//	   │ the Node's AppliedToGroups holding the Pod → the NetworkPolicies
//	   │ in the Node's span using them → converted to v1beta2 as served and
//	   │ completed by nodeagent/policy.CompleteRules (the agent's code)
//	   ▼
//	nodeagent/verdict.Evaluate: the pipeline's table and priority order
//	   ▼
//	respond.go: Antrea's response (the deciding policy and rule) and the
//	            decision path of each side, overall verdict
//
// A side whose end is not a Pod (an outside address) has no agent and no
// rules: it allows.
package explain
