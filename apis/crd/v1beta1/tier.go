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
// +genclient:nonNamespaced
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// Tier groups Antrea-native policies and orders them: the policies of a Tier with a
// lower priority are enforced before those of a Tier with a higher priority. Six
// system Tiers always exist: emergency (50), securityops (100), networkops (150),
// platform (200), application (250) and baseline (253, enforced after Kubernetes
// NetworkPolicies).
type Tier struct {
	metav1.TypeMeta `json:",inline"`
	// Standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the desired order and description of the Tier.
	Spec TierSpec `json:"spec"`
}

// TierSpec defines the desired state of a Tier.
type TierSpec struct {
	// Priority orders this Tier among all Tiers: lower values are enforced first.
	// It must be between 0 and 255, unique among Tiers, and may not be one of the
	// reserved values 251, 252, 254 and 255. It cannot be changed after creation.
	Priority int32 `json:"priority"`
	// Description is free text for humans.
	// +optional
	Description string `json:"description,omitempty"`
}

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// TierList is a list of Tiers.
type TierList struct {
	metav1.TypeMeta `json:",inline"`
	// Standard list metadata.
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`

	// Items is the list of Tiers.
	Items []Tier `json:"items"`
}
