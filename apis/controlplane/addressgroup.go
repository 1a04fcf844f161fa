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

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// AddressGroup is a set of addresses that rules use as peers. Its span is the union
// of the spans of the NetworkPolicies that use it; every Node in the span receives
// all its members.
type AddressGroup struct {
	metav1.TypeMeta
	// Standard object metadata.
	metav1.ObjectMeta

	// GroupMembers are the members of the group.
	GroupMembers []GroupMember
}

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// AddressGroupPatch is the change of an AddressGroup sent in MODIFIED watch events.
type AddressGroupPatch struct {
	metav1.TypeMeta
	// Standard object metadata (name and uid).
	metav1.ObjectMeta

	// AddedGroupMembers joined the group.
	AddedGroupMembers []GroupMember
	// RemovedGroupMembers left the group.
	RemovedGroupMembers []GroupMember
}

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// AddressGroupList is a list of AddressGroups.
type AddressGroupList struct {
	metav1.TypeMeta
	// Standard list metadata.
	metav1.ListMeta

	// Items is the list of AddressGroups.
	Items []AddressGroup
}
