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

package v1beta2

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// +genclient
// +genclient:nonNamespaced
// +genclient:onlyVerbs=list,get,watch
// +genclient:method=UpdateStatus,verb=create,subresource=status,input=NetworkPolicyStatus,result=NetworkPolicyStatus
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// NetworkPolicy is the computed form of a ClusterNetworkPolicy, Antrea NetworkPolicy
// or Kubernetes NetworkPolicy that node agents enforce. Its name is the UID of the
// source policy; its span is the union of the spans of its AppliedToGroups.
type NetworkPolicy struct {
	metav1.TypeMeta `json:",inline"`
	// Standard object metadata; generation is the source policy's generation.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Rules is the list of rules, ingress and egress, in their source order.
	// +optional
	// +listType=atomic
	Rules []NetworkPolicyRule `json:"rules,omitempty"`
	// AppliedToGroups names the AppliedToGroups of the policy-level appliedTo; empty
	// when every rule carries its own.
	// +optional
	// +listType=atomic
	AppliedToGroups []string `json:"appliedToGroups,omitempty"`
	// Priority is the policy priority within its tier; nil for K8s NetworkPolicies.
	// +optional
	Priority *float64 `json:"priority,omitempty"`
	// TierPriority is the priority of the policy's tier; nil for K8s NetworkPolicies.
	// +optional
	TierPriority *int32 `json:"tierPriority,omitempty"`
	// SourceRef identifies the policy this one was computed from.
	// +optional
	SourceRef *NetworkPolicyReference `json:"sourceRef,omitempty"`
	// Audit marks an Antrea-native policy in audit mode (annotation
	// policy.strata.io/enforcement: audit): agents install its rules in the
	// audit tables, where they count and log the action they would take but
	// never decide. False for enforced policies.
	// +optional
	Audit bool `json:"audit,omitempty"`
}

// NetworkPolicyType is the kind of a source policy.
type NetworkPolicyType string

// The kinds of source policies.
const (
	K8sNetworkPolicy            NetworkPolicyType = "K8sNetworkPolicy"
	AntreaClusterNetworkPolicy  NetworkPolicyType = "AntreaClusterNetworkPolicy"
	AntreaNetworkPolicy         NetworkPolicyType = "AntreaNetworkPolicy"
	AdminNetworkPolicy          NetworkPolicyType = "AdminNetworkPolicy"
	BaselineAdminNetworkPolicy  NetworkPolicyType = "BaselineAdminNetworkPolicy"
	K8sClusterNetworkPolicyType NetworkPolicyType = "K8sClusterNetworkPolicy"
)

// NetworkPolicyReference identifies a source policy.
type NetworkPolicyReference struct {
	// Type is the kind of the source policy.
	Type NetworkPolicyType `json:"type,omitempty"`
	// Namespace of the source policy; empty for cluster-scoped ones.
	// +optional
	Namespace string `json:"namespace,omitempty"`
	// Name of the source policy.
	Name string `json:"name,omitempty"`
	// UID of the source policy.
	UID types.UID `json:"uid,omitempty"`
}

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// NetworkPolicyList is a list of NetworkPolicies.
type NetworkPolicyList struct {
	metav1.TypeMeta `json:",inline"`
	// Standard list metadata.
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`

	// Items is the list of NetworkPolicies.
	Items []NetworkPolicy `json:"items"`
}
