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

package controlplane

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// NetworkPolicyEvaluation asks strata-apiserver which rules decide a
// connection (POST networkpolicyevaluations: the answer is the request with
// its Response; nothing is stored). Antrea-compatible, extended with the
// protocol and port of the connection and the whole decision path on both
// sides, walked over the rules each Node's agent installs (nodeagent/verdict).
type NetworkPolicyEvaluation struct {
	metav1.TypeMeta
	// Standard object metadata; the name is ignored.
	metav1.ObjectMeta

	// Request is the connection to evaluate.
	Request *NetworkPolicyEvaluationRequest
	// Response is the evaluation, in the answer.
	Response *NetworkPolicyEvaluationResponse
}

// Entity is one end of the evaluated connection: a Pod, or (Strata) an IP
// address, which is resolved to the Pod that has it, if any.
type Entity struct {
	// Pod is the Pod by namespace and name.
	Pod *PodReference
	// IP is an IP address (Strata extension); exclusive with Pod.
	IP string
}

// NetworkPolicyEvaluationRequest is the evaluated connection.
type NetworkPolicyEvaluationRequest struct {
	// Source is the client end.
	Source Entity
	// Destination is the server end.
	Destination Entity
	// Protocol is TCP, UDP or SCTP (Strata extension); empty means TCP.
	Protocol Protocol
	// Port is the destination port (Strata extension); 0 evaluates the rules
	// regardless of their ports, as Antrea does.
	Port int32
}

// RuleRef names the deciding rule.
type RuleRef struct {
	// Direction is the side of the rule: In (ingress) or Out (egress).
	Direction Direction
	// Name is the rule's name.
	Name string
	// Action is the rule's action; nil for a Kubernetes NetworkPolicy rule.
	Action *RuleAction
}

// NetworkPolicyEvaluationResponse is the evaluation of the connection.
type NetworkPolicyEvaluationResponse struct {
	// NetworkPolicy is the policy of the rule that decides the connection
	// (empty when no rule does: see AllowedByDefault, or a side's DecidedBy).
	NetworkPolicy NetworkPolicyReference
	// RuleIndex is the index of that rule in its policy.
	RuleIndex int32
	// Rule is that rule.
	Rule RuleRef

	// TierPriority is the priority of the deciding rule's tier (Strata
	// extension; nil for a Kubernetes NetworkPolicy or no rule).
	TierPriority *int32
	// Verdict is the overall fate of the connection: Allow, Drop or Reject
	// (Strata extension).
	Verdict string
	// AllowedByDefault: no rule and no isolation applies on either side.
	AllowedByDefault bool
	// DependsOnDNS: the verdict is not certain. An egress rule with FQDN
	// peers comes before the deciding rule, does not hold the destination by
	// its other peers, and would give another verdict if the destination's
	// address was one the source's agent learnt for those names from DNS
	// (which the server does not know). See the egress side's steps with
	// outcome DependsOnDNS (Strata extension).
	// +optional
	DependsOnDNS bool
	// Egress is the evaluation at the source's Node (Strata extension).
	Egress EvaluationSide
	// Ingress is the evaluation at the destination's Node (Strata extension).
	Ingress EvaluationSide
}

// EvaluationSide is the decision path of one direction.
type EvaluationSide struct {
	// Direction is Out for the egress side, In for the ingress side.
	Direction Direction
	// Pod is the Pod whose rules apply (nil: the end is not a Pod, no
	// policy applies on this side).
	Pod *PodReference
	// IP is the address of the end.
	IP string
	// NodeName is the Node whose agent enforces this side.
	NodeName string
	// Verdict is Allow, Drop or Reject.
	Verdict string
	// DecidedBy is Rule, K8sIsolation or Default.
	DecidedBy string
	// Isolated: a Kubernetes NetworkPolicy selects the Pod for this direction.
	Isolated bool
	// Passed: a Pass rule sent the connection on to the Kubernetes
	// NetworkPolicies and the baseline.
	Passed bool
	// AllowingPolicies are the Kubernetes NetworkPolicies whose rules allow.
	AllowingPolicies []NetworkPolicyReference
	// Steps are the rules that apply to the Pod in this direction, in the
	// order the agent evaluates them, with what each did.
	Steps []EvaluationStep
	// NotInstalled are the rules applying here that the agent does not
	// install (not enforceable as written), with the reason.
	NotInstalled []string
	// DependsOnDNS: this side's verdict is not certain (see the response's
	// DependsOnDNS).
	// +optional
	DependsOnDNS bool
}

// EvaluationStep is one rule considered.
type EvaluationStep struct {
	// NetworkPolicy is the rule's policy.
	NetworkPolicy NetworkPolicyReference
	// TierPriority is the priority of its tier; nil for Kubernetes
	// NetworkPolicy.
	TierPriority *int32
	// PolicyPriority is the policy's priority, formatted.
	PolicyPriority string
	// RuleIndex is the rule's index in its policy.
	RuleIndex int32
	// RuleName is the rule's name.
	RuleName string
	// Action is the rule's action (Allow for a Kubernetes NetworkPolicy).
	Action string
	// Stage is Audit (a policy in audit mode), Tiered, KubernetesNetworkPolicy or Baseline.
	Stage string
	// Outcome is NoMatch, Allow, Drop, Reject, Pass, Skipped (after a Pass)
	// or NotReached (an earlier rule decided); for an audit rule that matches,
	// AuditAllow, AuditDrop, AuditReject or AuditPass: the action it logs and
	// counts, which decides nothing; DependsOnDNS for an egress rule with
	// FQDN peers that matches if the destination's address was learnt by the
	// source's agent from a DNS answer for those names (not known to the
	// server).
	Outcome string
}
