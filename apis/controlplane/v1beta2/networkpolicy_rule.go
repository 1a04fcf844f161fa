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

import "k8s.io/apimachinery/pkg/util/intstr"

// Direction is the direction of a rule.
type Direction string

// The rule directions.
const (
	// DirectionIn is an ingress rule: it matches traffic to the applied-to workloads.
	DirectionIn Direction = "In"
	// DirectionOut is an egress rule: it matches traffic from the applied-to workloads.
	DirectionOut Direction = "Out"
)

// RuleAction is what a rule does with the traffic it matches.
type RuleAction string

// The rule actions; a nil action means Allow (K8s NetworkPolicy rules).
const (
	RuleActionAllow  RuleAction = "Allow"
	RuleActionDrop   RuleAction = "Drop"
	RuleActionReject RuleAction = "Reject"
	RuleActionPass   RuleAction = "Pass"
)

// NetworkPolicyRule is one computed rule.
type NetworkPolicyRule struct {
	// Direction is In (ingress) or Out (egress).
	Direction Direction `json:"direction"`
	// From are the sources of an ingress rule.
	// +optional
	From NetworkPolicyPeer `json:"from,omitempty"`
	// To are the destinations of an egress rule.
	// +optional
	To NetworkPolicyPeer `json:"to,omitempty"`
	// Services restricts the rule to these protocols and ports; empty matches all.
	// +optional
	// +listType=atomic
	Services []Service `json:"services,omitempty"`
	// Priority is the index of the rule in its source list (ingress or egress).
	// +optional
	Priority int32 `json:"priority,omitempty"`
	// Action is Allow, Drop, Reject or Pass; nil means Allow.
	// +optional
	Action *RuleAction `json:"action,omitempty"`
	// EnableLogging logs the connections the rule matches.
	// +optional
	EnableLogging bool `json:"enableLogging"`
	// AppliedToGroups names the rule-level AppliedToGroups.
	// +optional
	// +listType=atomic
	AppliedToGroups []string `json:"appliedToGroups,omitempty"`
	// Name is the rule's name in the source policy.
	// +optional
	Name string `json:"name,omitempty"`
	// L7Protocols restricts an Allow rule to these layer-7 requests.
	// +optional
	// +listType=atomic
	L7Protocols []L7Protocol `json:"l7Protocols,omitempty"`
	// LogLabel is added to the log lines of this rule.
	// +optional
	LogLabel string `json:"logLabel,omitempty"`
}

// NetworkPolicyPeer is the set of addresses a rule matches on its peer side.
type NetworkPolicyPeer struct {
	// AddressGroups names the AddressGroups whose members are peers.
	// +optional
	// +listType=atomic
	AddressGroups []string `json:"addressGroups,omitempty"`
	// IPBlocks are CIDR peers.
	// +optional
	// +listType=atomic
	IPBlocks []IPBlock `json:"ipBlocks,omitempty"`
	// FQDNs are domain-name peers (egress).
	// +optional
	// +listType=atomic
	FQDNs []string `json:"fqdns,omitempty"`
	// ToServices are Service peers (egress).
	// +optional
	// +listType=atomic
	ToServices []ServiceReference `json:"toServices,omitempty"`
	// LabelIdentities are multi-cluster label identities.
	// +optional
	// +listType=atomic
	LabelIdentities []uint32 `json:"labelIdentities,omitempty"`
}

// IPBlock is a CIDR minus its exceptions.
type IPBlock struct {
	// CIDR is the selected network.
	CIDR IPNet `json:"cidr"`
	// Except are networks inside CIDR that are not selected.
	// +optional
	// +listType=atomic
	Except []IPNet `json:"except,omitempty"`
}

// IPAddress is an IPv4 (4 bytes) or IPv6 (16 bytes) address.
type IPAddress []byte

// IPNet is an IP network.
type IPNet struct {
	// IP is the network address.
	IP IPAddress `json:"ip,omitempty"`
	// PrefixLength is the length of the network prefix.
	PrefixLength int32 `json:"prefixLength,omitempty"`
}

// Protocol is a protocol a Service matches.
type Protocol string

// The protocols of Service.
const (
	ProtocolTCP  Protocol = "TCP"
	ProtocolUDP  Protocol = "UDP"
	ProtocolSCTP Protocol = "SCTP"
	ProtocolICMP Protocol = "ICMP"
	ProtocolIGMP Protocol = "IGMP"
)

// Service matches traffic by protocol and ports (or ICMP/IGMP fields).
type Service struct {
	// Protocol is TCP, UDP, SCTP, ICMP or IGMP; nil means TCP.
	// +optional
	Protocol *Protocol `json:"protocol,omitempty"`
	// Port is a destination port number or a named port resolved per Pod.
	// +optional
	Port *intstr.IntOrString `json:"port,omitempty"`
	// EndPort makes the range Port..EndPort.
	// +optional
	EndPort *int32 `json:"endPort,omitempty"`
	// ICMPType is the ICMP type.
	// +optional
	ICMPType *int32 `json:"icmpType,omitempty"`
	// ICMPCode is the ICMP code.
	// +optional
	ICMPCode *int32 `json:"icmpCode,omitempty"`
	// IGMPType is the IGMP type.
	// +optional
	IGMPType *int32 `json:"igmpType,omitempty"`
	// GroupAddress is the IGMP multicast group address.
	// +optional
	GroupAddress string `json:"groupAddress,omitempty"`
	// SrcPort is a source port number.
	// +optional
	SrcPort *int32 `json:"srcPort,omitempty"`
	// SrcEndPort makes the source range SrcPort..SrcEndPort.
	// +optional
	SrcEndPort *int32 `json:"srcEndPort,omitempty"`
}

// L7Protocol selects layer-7 requests.
type L7Protocol struct {
	// HTTP selects HTTP requests.
	// +optional
	HTTP *HTTPProtocol `json:"http,omitempty"`
	// TLS selects TLS handshakes.
	// +optional
	TLS *TLSProtocol `json:"tls,omitempty"`
}

// HTTPProtocol selects HTTP requests.
type HTTPProtocol struct {
	// Host is the request's host.
	// +optional
	Host string `json:"host,omitempty"`
	// Method is the request's method.
	// +optional
	Method string `json:"method,omitempty"`
	// Path is the request's URI path.
	// +optional
	Path string `json:"path,omitempty"`
}

// TLSProtocol selects TLS handshakes.
type TLSProtocol struct {
	// SNI is the server name indication.
	// +optional
	SNI string `json:"sni,omitempty"`
}
