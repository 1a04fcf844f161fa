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

// NetworkPolicyStatus is what a node agent reports (POST networkpolicies/NAME/status)
// about the realization of one NetworkPolicy on its Node.
type NetworkPolicyStatus struct {
	metav1.TypeMeta
	// Standard object metadata; the name is the NetworkPolicy's name.
	metav1.ObjectMeta

	// Nodes are the reports, one per Node.
	Nodes []NetworkPolicyNodeStatus
}

// NetworkPolicyNodeStatus is the realization of a NetworkPolicy on one Node.
type NetworkPolicyNodeStatus struct {
	// NodeName is the reporting Node.
	NodeName string
	// Generation is the generation of the NetworkPolicy the Node realized.
	Generation int64
	// RealizationFailure is true when the Node failed to realize it.
	RealizationFailure bool
	// Message explains a failure.
	Message string
}
