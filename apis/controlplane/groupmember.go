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

// GroupMember is one member of an AddressGroup or AppliedToGroup. AppliedToGroup
// members carry no IPs (a Pod reference and its named ports); AddressGroup members
// carry IPs.
type GroupMember struct {
	// Pod is the Pod this member stands for.
	Pod *PodReference
	// ExternalEntity is the ExternalEntity this member stands for.
	ExternalEntity *ExternalEntityReference
	// IPs are the member's addresses.
	IPs []IPAddress
	// Ports are the member's named ports.
	Ports []NamedPort
	// Node is the Node this member stands for.
	Node *NodeReference
	// Service is the Service this member stands for.
	Service *ServiceReference
}

// PodReference refers to a Pod.
type PodReference struct {
	// Name of the Pod.
	Name string
	// Namespace of the Pod.
	Namespace string
}

// ExternalEntityReference refers to an ExternalEntity.
type ExternalEntityReference struct {
	// Name of the ExternalEntity.
	Name string
	// Namespace of the ExternalEntity.
	Namespace string
}

// NodeReference refers to a Node.
type NodeReference struct {
	// Name of the Node.
	Name string
}

// ServiceReference refers to a Service.
type ServiceReference struct {
	// Name of the Service.
	Name string
	// Namespace of the Service.
	Namespace string
}

// NamedPort is a named container port of a member.
type NamedPort struct {
	// Port is the port number.
	Port int32
	// Name is the port's name.
	Name string
	// Protocol is the port's protocol.
	Protocol Protocol
}
