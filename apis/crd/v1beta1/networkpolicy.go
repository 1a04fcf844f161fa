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

// +genclient
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// NetworkPolicy (ANNP) is the namespaced variant of ClusterNetworkPolicy: its
// appliedTo and podSelector peers are limited to its own Namespace and it uses
// Groups of the same Namespace instead of ClusterGroups.
type NetworkPolicy struct {
	metav1.TypeMeta `json:",inline"`
	// Standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the desired policy.
	Spec NetworkPolicySpec `json:"spec"`
	// Status is the realization of the policy on the Nodes, maintained by the system.
	// +optional
	Status NetworkPolicyStatus `json:"status,omitempty"`
}

// NetworkPolicySpec defines the desired state of an Antrea NetworkPolicy.
type NetworkPolicySpec struct {
	// Tier is the name of the Tier this policy belongs to. Empty means "application".
	// +optional
	Tier string `json:"tier,omitempty"`
	// Priority orders this policy within its Tier: lower values are enforced first.
	// It must be between 1.0 and 10000.0.
	Priority float64 `json:"priority"`
	// AppliedTo selects the workloads of this Namespace the policy applies to. Set it
	// either here or on every rule, not both.
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

// NetworkPolicyList is a list of Antrea NetworkPolicies.
type NetworkPolicyList struct {
	metav1.TypeMeta `json:",inline"`
	// Standard list metadata.
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`

	// Items is the list of NetworkPolicies.
	Items []NetworkPolicy `json:"items"`
}
