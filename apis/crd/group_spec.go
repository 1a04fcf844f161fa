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

package crd

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// GroupSpec defines the members of a ClusterGroup or Group. Set one kind of
// membership: podSelector and/or namespaceSelector, nodeSelector,
// externalEntitySelector (with namespaceSelector), ipBlocks, serviceReference or
// childGroups.
type GroupSpec struct {
	// PodSelector selects Pods: in the Namespaces of NamespaceSelector when set, else
	// in all Namespaces (ClusterGroup) or the Group's Namespace (Group).
	PodSelector *metav1.LabelSelector
	// NamespaceSelector selects Namespaces; alone it selects all their Pods.
	NamespaceSelector *metav1.LabelSelector
	// NodeSelector selects Nodes (ClusterGroup only).
	NodeSelector *metav1.LabelSelector
	// IPBlocks lists CIDRs. A group of only ipBlocks has no effect as an appliedTo.
	IPBlocks []IPBlock
	// ServiceReference selects the Pods selected by this Service's selector.
	ServiceReference *NamespacedName
	// ExternalEntitySelector selects ExternalEntities.
	ExternalEntitySelector *metav1.LabelSelector
	// ChildGroups lists groups whose members are members of this group (one level).
	ChildGroups []ClusterGroupReference
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
	Conditions []GroupCondition
}

// GroupCondition is one observation of a group's state.
type GroupCondition struct {
	// Type is GroupMembersComputed.
	Type GroupConditionType
	// Status is True, False or Unknown.
	Status metav1.ConditionStatus
	// LastTransitionTime is when the condition last changed status.
	LastTransitionTime metav1.Time
	// Reason is a one-word CamelCase reason for the last transition.
	Reason string
	// Message is a human-readable explanation.
	Message string
}
