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

// ServerEpochAnnotation, on a BOOKMARK's object and on a NodeSyncReport, names the
// strata-apiserver process whose resourceVersions they carry: each process numbers
// its controlplane stores from scratch, so a resourceVersion means nothing to
// another one (after a restart, or on another replica).
const ServerEpochAnnotation = "controlplane.antrea.io/strata-server-epoch"

// +genclient
// +genclient:nonNamespaced
// +genclient:onlyVerbs=create
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// PodStartup is what a node agent posts (POST podstartups) while it attaches a new
// Pod, before the Pod can send a packet: strata-apiserver takes the Pod's
// addresses, computes every group that selects the Pod, and answers once every
// Node that enforces a rule naming the Pod (and the Pod's own Node) has installed
// that state in Open vSwitch; or refuses (503) when it cannot tell in time, and
// the Pod does not start.
type PodStartup struct {
	metav1.TypeMeta `json:",inline"`
	// Standard object metadata; the name is the Pod's UID.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Pod is the starting Pod.
	Pod PodReference `json:"pod"`
	// PodUID is the Pod's UID.
	PodUID types.UID `json:"podUID"`
	// NodeName is the Node the Pod starts on.
	NodeName string `json:"nodeName"`
	// Addresses are the IP addresses the Pod got.
	// +listType=atomic
	Addresses []IPAddress `json:"addresses"`

	// Nodes, in the answer, are the Nodes that installed the state naming the Pod.
	// +optional
	// +listType=atomic
	Nodes []string `json:"nodes,omitempty"`
}

// +genclient
// +genclient:nonNamespaced
// +genclient:onlyVerbs=create
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// NodeSyncReport is what a node agent posts (POST nodesyncreports) once it has
// installed in Open vSwitch everything its watches delivered up to a BOOKMARK:
// per kind, the resourceVersion of the last such BOOKMARK.
type NodeSyncReport struct {
	metav1.TypeMeta `json:",inline"`
	// Standard object metadata; the name is the Node's name.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// NetworkPolicies is the resourceVersion of networkpolicies installed.
	// +optional
	NetworkPolicies int64 `json:"networkPolicies,omitempty"`
	// AddressGroups is the resourceVersion of addressgroups installed.
	// +optional
	AddressGroups int64 `json:"addressGroups,omitempty"`
	// AppliedToGroups is the resourceVersion of appliedtogroups installed.
	// +optional
	AppliedToGroups int64 `json:"appliedToGroups,omitempty"`
}
