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

// GroupMember is one member of an AddressGroup or AppliedToGroup. AppliedToGroup
// members carry no IPs (a Pod reference and its named ports); AddressGroup members
// carry IPs.
type GroupMember struct {
	// Pod is the Pod this member stands for.
	// +optional
	Pod *PodReference `json:"pod,omitempty"`
	// ExternalEntity is the ExternalEntity this member stands for.
	// +optional
	ExternalEntity *ExternalEntityReference `json:"externalEntity,omitempty"`
	// IPs are the member's addresses.
	// +optional
	// +listType=atomic
	IPs []IPAddress `json:"ips,omitempty"`
	// Ports are the member's named ports.
	// +optional
	// +listType=atomic
	Ports []NamedPort `json:"ports,omitempty"`
	// Node is the Node this member stands for.
	// +optional
	Node *NodeReference `json:"node,omitempty"`
	// Service is the Service this member stands for.
	// +optional
	Service *ServiceReference `json:"service,omitempty"`
}

// PodReference refers to a Pod.
type PodReference struct {
	// Name of the Pod.
	Name string `json:"name,omitempty"`
	// Namespace of the Pod.
	Namespace string `json:"namespace,omitempty"`
}

// ExternalEntityReference refers to an ExternalEntity.
type ExternalEntityReference struct {
	// Name of the ExternalEntity.
	Name string `json:"name,omitempty"`
	// Namespace of the ExternalEntity.
	Namespace string `json:"namespace,omitempty"`
}

// NodeReference refers to a Node.
type NodeReference struct {
	// Name of the Node.
	Name string `json:"name,omitempty"`
}

// ServiceReference refers to a Service.
type ServiceReference struct {
	// Name of the Service.
	Name string `json:"name,omitempty"`
	// Namespace of the Service.
	Namespace string `json:"namespace,omitempty"`
}

// NamedPort is a named container port of a member.
type NamedPort struct {
	// Port is the port number.
	Port int32 `json:"port,omitempty"`
	// Name is the port's name.
	Name string `json:"name,omitempty"`
	// Protocol is the port's protocol.
	Protocol Protocol `json:"protocol,omitempty"`
}
