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

// RealizationState is the state of a policy on one Node.
type RealizationState string

const (
	// RealizationRealized: the Node reported the current generation without failure.
	RealizationRealized RealizationState = "Realized"
	// RealizationFailed: the Node reported a failure for the current generation.
	RealizationFailed RealizationState = "Failed"
	// RealizationPending: the Node needs the policy and has not reported the current
	// generation yet (it may have reported an older one).
	RealizationPending RealizationState = "Pending"
)

// PolicyReference names the policy a NetworkPolicyRealization is about.
type PolicyReference struct {
	// Type is the kind of the source policy, as in controlplane.antrea.io:
	// AntreaClusterNetworkPolicy, AntreaNetworkPolicy, or K8sClusterNetworkPolicy (an
	// upstream policy.networking.k8s.io ClusterNetworkPolicy).
	Type string `json:"type"`
	// Namespace of a namespaced source policy.
	// +optional
	Namespace string `json:"namespace,omitempty"`
	// Name of the source policy.
	Name string `json:"name"`
	// UID of the source policy.
	UID string `json:"uid"`
}

// +genclient
// +genclient:nonNamespaced
// +genclient:onlyVerbs=get,list
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// NetworkPolicyRealization is the realization of one Antrea-native or upstream
// ClusterNetworkPolicy on each Node that needs it (its span), as the node agents
// reported it. Its name is the name of the internal controlplane.antrea.io
// NetworkPolicy (the source policy's UID).
// The source policy's status sums it up (DESIRED NODES, CURRENT NODES; the Realized
// condition of an upstream ClusterNetworkPolicy).
type NetworkPolicyRealization struct {
	metav1.TypeMeta `json:",inline"`
	// Standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// SourceRef is the policy this is about.
	SourceRef PolicyReference `json:"sourceRef"`
	// Generation is the source policy's generation the Nodes should realize.
	Generation int64 `json:"generation"`
	// Nodes are the Nodes of the span, sorted by name.
	// +optional
	// +listType=map
	// +listMapKey=nodeName
	Nodes []NodeRealization `json:"nodes,omitempty"`
}

// NodeRealization is the state of a policy on one Node.
type NodeRealization struct {
	// NodeName is the Node.
	NodeName string `json:"nodeName"`
	// State is Realized, Failed or Pending.
	State RealizationState `json:"state"`
	// ReportedGeneration is the generation the Node last reported; 0 when it has not
	// reported yet.
	// +optional
	ReportedGeneration int64 `json:"reportedGeneration,omitempty"`
	// Message is the Node's failure message.
	// +optional
	Message string `json:"message,omitempty"`
}

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// NetworkPolicyRealizationList is a list of NetworkPolicyRealizations.
type NetworkPolicyRealizationList struct {
	metav1.TypeMeta `json:",inline"`
	// Standard list metadata.
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	// Items is the list.
	Items []NetworkPolicyRealization `json:"items"`
}
