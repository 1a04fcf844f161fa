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
	Direction Direction
	// From are the sources of an ingress rule.
	From NetworkPolicyPeer
	// To are the destinations of an egress rule.
	To NetworkPolicyPeer
	// Services restricts the rule to these protocols and ports; empty matches all.
	Services []Service
	// Priority is the index of the rule in its source list (ingress or egress).
	Priority int32
	// Action is Allow, Drop, Reject or Pass; nil means Allow.
	Action *RuleAction
	// EnableLogging logs the connections the rule matches.
	EnableLogging bool
	// AppliedToGroups names the rule-level AppliedToGroups.
	AppliedToGroups []string
	// Name is the rule's name in the source policy.
	Name string
	// L7Protocols restricts an Allow rule to these layer-7 requests.
	L7Protocols []L7Protocol
	// LogLabel is added to the log lines of this rule.
	LogLabel string
}

// NetworkPolicyPeer is the set of addresses a rule matches on its peer side.
type NetworkPolicyPeer struct {
	// AddressGroups names the AddressGroups whose members are peers.
	AddressGroups []string
	// IPBlocks are CIDR peers.
	IPBlocks []IPBlock
	// FQDNs are domain-name peers (egress).
	FQDNs []string
	// ToServices are Service peers (egress).
	ToServices []ServiceReference
	// LabelIdentities are multi-cluster label identities.
	LabelIdentities []uint32
}

// IPBlock is a CIDR minus its exceptions.
type IPBlock struct {
	// CIDR is the selected network.
	CIDR IPNet
	// Except are networks inside CIDR that are not selected.
	Except []IPNet
}

// IPAddress is an IPv4 (4 bytes) or IPv6 (16 bytes) address.
type IPAddress []byte

// IPNet is an IP network.
type IPNet struct {
	// IP is the network address.
	IP IPAddress
	// PrefixLength is the length of the network prefix.
	PrefixLength int32
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
	Protocol *Protocol
	// Port is a destination port number or a named port resolved per Pod.
	Port *intstr.IntOrString
	// EndPort makes the range Port..EndPort.
	EndPort *int32
	// ICMPType is the ICMP type.
	ICMPType *int32
	// ICMPCode is the ICMP code.
	ICMPCode *int32
	// IGMPType is the IGMP type.
	IGMPType *int32
	// GroupAddress is the IGMP multicast group address.
	GroupAddress string
	// SrcPort is a source port number.
	SrcPort *int32
	// SrcEndPort makes the source range SrcPort..SrcEndPort.
	SrcEndPort *int32
}

// L7Protocol selects layer-7 requests.
type L7Protocol struct {
	// HTTP selects HTTP requests.
	HTTP *HTTPProtocol
	// TLS selects TLS handshakes.
	TLS *TLSProtocol
}

// HTTPProtocol selects HTTP requests.
type HTTPProtocol struct {
	// Host is the request's host.
	Host string
	// Method is the request's method.
	Method string
	// Path is the request's URI path.
	Path string
}

// TLSProtocol selects TLS handshakes.
type TLSProtocol struct {
	// SNI is the server name indication.
	SNI string
}
