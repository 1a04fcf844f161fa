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

package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// +genclient
// +genclient:nonNamespaced
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// ClusterNetworkPolicy is a cluster-wide, ordered network policy set by a cluster
// administrator. Its rules are enforced in the order (tier priority, policy
// priority, rule index) with explicit actions, before Kubernetes NetworkPolicies
// (or after them for the baseline tier). It never isolates a Pod by itself: only
// traffic matched by a Drop or Reject rule is denied.
type ClusterNetworkPolicy struct {
	metav1.TypeMeta `json:",inline"`
	// Standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the desired policy.
	Spec ClusterNetworkPolicySpec `json:"spec"`
	// Status is the realization of the policy on the Nodes, maintained by the system.
	// +optional
	Status NetworkPolicyStatus `json:"status,omitempty"`
}

// ClusterNetworkPolicySpec defines the desired state of a ClusterNetworkPolicy.
type ClusterNetworkPolicySpec struct {
	// Tier is the name of the Tier this policy belongs to. Empty means "application".
	// +optional
	Tier string `json:"tier,omitempty"`
	// Priority orders this policy within its Tier: lower values are enforced first.
	// It must be between 1.0 and 10000.0.
	Priority float64 `json:"priority"`
	// AppliedTo selects the workloads this policy applies to. Set it either here or on
	// every rule, not both.
	// +optional
	// +listType=atomic
	AppliedTo []AppliedTo `json:"appliedTo,omitempty"`
	// Ingress is the ordered list of rules for traffic entering the selected workloads.
	// +optional
	// +listType=atomic
	Ingress []Rule `json:"ingress,omitempty"`
	// Egress is the ordered list of rules for traffic leaving the selected workloads.
	// +optional
	// +listType=atomic
	Egress []Rule `json:"egress,omitempty"`
}

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// ClusterNetworkPolicyList is a list of ClusterNetworkPolicies.
type ClusterNetworkPolicyList struct {
	metav1.TypeMeta `json:",inline"`
	// Standard list metadata.
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`

	// Items is the list of ClusterNetworkPolicies.
	Items []ClusterNetworkPolicy `json:"items"`
}
