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

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// +genclient
// +genclient:nonNamespaced
// +genclient:onlyVerbs=list,get,watch
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// AddressGroup is a set of addresses that rules use as peers. Its span is the union
// of the spans of the NetworkPolicies that use it; every Node in the span receives
// all its members.
type AddressGroup struct {
	metav1.TypeMeta `json:",inline"`
	// Standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// GroupMembers are the members of the group.
	// +optional
	// +listType=atomic
	GroupMembers []GroupMember `json:"groupMembers,omitempty"`
}

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// AddressGroupPatch is the change of an AddressGroup sent in MODIFIED watch events.
type AddressGroupPatch struct {
	metav1.TypeMeta `json:",inline"`
	// Standard object metadata (name and uid).
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// AddedGroupMembers joined the group.
	// +optional
	// +listType=atomic
	AddedGroupMembers []GroupMember `json:"addedGroupMembers,omitempty"`
	// RemovedGroupMembers left the group.
	// +optional
	// +listType=atomic
	RemovedGroupMembers []GroupMember `json:"removedGroupMembers,omitempty"`
}

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// AddressGroupList is a list of AddressGroups.
type AddressGroupList struct {
	metav1.TypeMeta `json:",inline"`
	// Standard list metadata.
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`

	// Items is the list of AddressGroups.
	Items []AddressGroup `json:"items"`
}
