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

package v1beta1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// NetworkPolicyPhase is the phase of a policy's realization.
type NetworkPolicyPhase string

// The phases of a policy's realization.
const (
	// NetworkPolicyPending means the policy has not been processed yet.
	NetworkPolicyPending NetworkPolicyPhase = "Pending"
	// NetworkPolicyRealizing means some Nodes have not realized the current generation.
	NetworkPolicyRealizing NetworkPolicyPhase = "Realizing"
	// NetworkPolicyRealized means every Node in the span realized the current generation.
	NetworkPolicyRealized NetworkPolicyPhase = "Realized"
	// NetworkPolicyFailed means some Nodes failed to realize the current generation.
	NetworkPolicyFailed NetworkPolicyPhase = "Failed"
)

// NetworkPolicyConditionType is the type of a policy condition.
type NetworkPolicyConditionType string

// The condition types of a policy.
const (
	// NetworkPolicyConditionRealizable tells whether the policy can be realized.
	NetworkPolicyConditionRealizable NetworkPolicyConditionType = "Realizable"
	// NetworkPolicyConditionRealizationFailure tells whether some Node failed to realize it.
	NetworkPolicyConditionRealizationFailure NetworkPolicyConditionType = "RealizationFailure"
	// NetworkPolicyConditionAudited is True for a policy in audit mode
	// (annotation policy.strata.io/enforcement: audit): its rules are
	// installed, counted and logged, but decide nothing.
	NetworkPolicyConditionAudited NetworkPolicyConditionType = "Audited"
)

// NetworkPolicyStatus is the realization status of a policy, computed by the system
// from the reports of the Nodes in its span.
type NetworkPolicyStatus struct {
	// Phase is Pending, Realizing, Realized or Failed.
	// +optional
	Phase NetworkPolicyPhase `json:"phase,omitempty"`
	// ObservedGeneration is the generation of the policy these figures refer to.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// CurrentNodesRealized is the number of Nodes that realized the observed generation.
	// +optional
	CurrentNodesRealized int32 `json:"currentNodesRealized,omitempty"`
	// DesiredNodesRealized is the number of Nodes that should realize the policy.
	// +optional
	DesiredNodesRealized int32 `json:"desiredNodesRealized,omitempty"`
	// Conditions are the latest observations of the policy's state.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []NetworkPolicyCondition `json:"conditions,omitempty"`
}

// NetworkPolicyCondition is one observation of a policy's state.
type NetworkPolicyCondition struct {
	// Type is Realizable, RealizationFailure or Audited.
	Type NetworkPolicyConditionType `json:"type"`
	// Status is True, False or Unknown.
	Status metav1.ConditionStatus `json:"status"`
	// LastTransitionTime is when the condition last changed status.
	// +optional
	LastTransitionTime metav1.Time `json:"lastTransitionTime,omitempty"`
	// Reason is a one-word CamelCase reason for the last transition.
	// +optional
	Reason string `json:"reason,omitempty"`
	// Message is a human-readable explanation.
	// +optional
	Message string `json:"message,omitempty"`
}
