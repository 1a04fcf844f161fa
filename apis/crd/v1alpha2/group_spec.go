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

package v1alpha2

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// GroupSpec defines the members of a ClusterGroup or Group. Set one kind of
// membership: podSelector and/or namespaceSelector, nodeSelector,
// externalEntitySelector (with namespaceSelector), ipBlock, ipBlocks,
// serviceReference or childGroups.
type GroupSpec struct {
	// PodSelector selects Pods: in the Namespaces of NamespaceSelector when set, else
	// in all Namespaces (ClusterGroup) or the Group's Namespace (Group).
	// +optional
	PodSelector *metav1.LabelSelector `json:"podSelector,omitempty"`
	// NamespaceSelector selects Namespaces; alone it selects all their Pods.
	// +optional
	NamespaceSelector *metav1.LabelSelector `json:"namespaceSelector,omitempty"`
	// NodeSelector selects Nodes (ClusterGroup only).
	// +optional
	NodeSelector *metav1.LabelSelector `json:"nodeSelector,omitempty"`
	// IPBlock is a single CIDR. Deprecated: use ipBlocks; it is converted into the first
	// element of ipBlocks.
	// +optional
	IPBlock *IPBlock `json:"ipBlock,omitempty"`
	// IPBlocks lists CIDRs. A group of only ipBlocks has no effect as an appliedTo.
	// +optional
	// +listType=atomic
	IPBlocks []IPBlock `json:"ipBlocks,omitempty"`
	// ServiceReference selects the Pods selected by this Service's selector.
	// +optional
	ServiceReference *NamespacedName `json:"serviceReference,omitempty"`
	// ExternalEntitySelector selects ExternalEntities.
	// +optional
	ExternalEntitySelector *metav1.LabelSelector `json:"externalEntitySelector,omitempty"`
	// ChildGroups lists groups whose members are members of this group (one level).
	// +optional
	// +listType=atomic
	ChildGroups []ClusterGroupReference `json:"childGroups,omitempty"`
}

// ClusterGroupReference is the name of a ClusterGroup (or of a Group of the same
// Namespace, for Groups).
type ClusterGroupReference string

// GroupConditionType is the type of a group condition.
type GroupConditionType string

// GroupMembersComputed is true once the members of the group have been computed.
const GroupMembersComputed GroupConditionType = "GroupMembersComputed"

// ReasonChildGroupsNestingExceeded explains a False GroupMembersComputed condition.
const ReasonChildGroupsNestingExceeded = "ChildGroupsNestingExceeded"

// GroupStatus is the observed state of a group.
type GroupStatus struct {
	// Conditions are the latest observations of the group's state.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []GroupCondition `json:"conditions,omitempty"`
}

// GroupCondition is one observation of a group's state.
type GroupCondition struct {
	// Type is GroupMembersComputed.
	Type GroupConditionType `json:"type"`
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

// IPBlock selects the addresses of a CIDR, minus its exceptions.
type IPBlock struct {
	// CIDR is an IPv4 or IPv6 CIDR, e.g. "10.0.0.0/8".
	CIDR string `json:"cidr"`
	// Except lists CIDRs strictly inside CIDR that are not selected.
	// +optional
	// +listType=atomic
	Except []string `json:"except,omitempty"`
}

// NamespacedName refers to a namespaced object.
type NamespacedName struct {
	// Name of the object.
	Name string `json:"name,omitempty"`
	// Namespace of the object.
	Namespace string `json:"namespace,omitempty"`
}
