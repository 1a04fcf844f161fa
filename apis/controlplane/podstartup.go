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

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// PodStartup is what a node agent posts (POST podstartups) while it attaches a new
// Pod, before the Pod can send a packet: strata-apiserver takes the Pod's
// addresses, computes every group that selects the Pod, and answers once every
// Node that enforces a rule naming the Pod (and the Pod's own Node) has installed
// that state in Open vSwitch; or refuses (503) when it cannot tell in time, and
// the Pod does not start.
type PodStartup struct {
	metav1.TypeMeta
	// Standard object metadata; the name is the Pod's UID.
	metav1.ObjectMeta

	// Pod is the starting Pod.
	Pod PodReference
	// PodUID is the Pod's UID.
	PodUID types.UID
	// NodeName is the Node the Pod starts on.
	NodeName string
	// Addresses are the IP addresses the Pod got.
	Addresses []IPAddress

	// Nodes, in the answer, are the Nodes that installed the state naming the Pod.
	Nodes []string
}

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// NodeSyncReport is what a node agent posts (POST nodesyncreports) once it has
// installed in Open vSwitch everything its watches delivered up to a BOOKMARK:
// per kind, the resourceVersion of the last such BOOKMARK.
type NodeSyncReport struct {
	metav1.TypeMeta
	// Standard object metadata; the name is the Node's name.
	metav1.ObjectMeta

	// NetworkPolicies is the resourceVersion of networkpolicies installed.
	NetworkPolicies int64
	// AddressGroups is the resourceVersion of addressgroups installed.
	AddressGroups int64
	// AppliedToGroups is the resourceVersion of appliedtogroups installed.
	AppliedToGroups int64
}
