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

import "k8s.io/apimachinery/pkg/util/intstr"

// RuleAction is what a rule does with the traffic it matches.
type RuleAction string

// The rule actions.
const (
	// RuleActionAllow accepts the traffic; later rules and K8s NetworkPolicies are skipped.
	RuleActionAllow RuleAction = "Allow"
	// RuleActionDrop silently drops the traffic.
	RuleActionDrop RuleAction = "Drop"
	// RuleActionReject drops the traffic and answers with a TCP RST or an ICMP error.
	RuleActionReject RuleAction = "Reject"
	// RuleActionPass skips the remaining non-baseline tiers: K8s NetworkPolicies and
	// the baseline tier decide. Not allowed in the baseline tier.
	RuleActionPass RuleAction = "Pass"
)

// Rule is one ordered ingress or egress rule of a policy.
type Rule struct {
	// Action is Allow, Drop, Reject or Pass.
	Action *RuleAction `json:"action"`
	// Ports restricts the rule to these destination ports. Empty (together with
	// Protocols) matches all traffic.
	// +optional
	// +listType=atomic
	Ports []NetworkPolicyPort `json:"ports,omitempty"`
	// Protocols restricts the rule to ICMP or IGMP traffic.
	// +optional
	// +listType=atomic
	Protocols []NetworkPolicyProtocol `json:"protocols,omitempty"`
	// L7Protocols restricts an Allow rule to these layer-7 requests.
	// +optional
	// +listType=atomic
	L7Protocols []L7Protocol `json:"l7Protocols,omitempty"`
	// From lists the sources of an ingress rule. Empty matches all sources.
	// +optional
	// +listType=atomic
	From []NetworkPolicyPeer `json:"from,omitempty"`
	// To lists the destinations of an egress rule. Empty (with empty ToServices)
	// matches all destinations.
	// +optional
	// +listType=atomic
	To []NetworkPolicyPeer `json:"to,omitempty"`
	// ToServices lists ClusterIP Services as destinations of an egress rule. It cannot
	// be combined with To, Ports or Protocols.
	// +optional
	// +listType=atomic
	ToServices []PeerService `json:"toServices,omitempty"`
	// Name identifies the rule in the policy; generated when empty. Names are unique
	// within a policy.
	// +optional
	Name string `json:"name,omitempty"`
	// EnableLogging logs every new connection the rule matches.
	// +optional
	EnableLogging bool `json:"enableLogging"`
	// LogLabel is added to the log lines of this rule (at most 63 characters:
	// letters, digits, '-', '_' and '.').
	// +optional
	LogLabel string `json:"logLabel,omitempty"`
	// AppliedTo selects the workloads this rule applies to, when the policy has no
	// spec-level appliedTo.
	// +optional
	// +listType=atomic
	AppliedTo []AppliedTo `json:"appliedTo,omitempty"`
}

// Protocol is a layer-4 protocol.
type Protocol string

// The layer-4 protocols of NetworkPolicyPort.
const (
	ProtocolTCP  Protocol = "TCP"
	ProtocolUDP  Protocol = "UDP"
	ProtocolSCTP Protocol = "SCTP"
)

// NetworkPolicyPort selects traffic by protocol and ports.
type NetworkPolicyPort struct {
	// Protocol is TCP, UDP or SCTP. Defaults to TCP.
	// +optional
	Protocol *Protocol `json:"protocol,omitempty"`
	// Port is a destination port number or a named container port. Empty matches all
	// ports.
	// +optional
	Port *intstr.IntOrString `json:"port,omitempty"`
	// EndPort, with a numeric Port, makes the range Port..EndPort.
	// +optional
	EndPort *int32 `json:"endPort,omitempty"`
	// SourcePort is a source port number.
	// +optional
	SourcePort *int32 `json:"sourcePort,omitempty"`
	// SourceEndPort, with SourcePort, makes the range SourcePort..SourceEndPort.
	// +optional
	SourceEndPort *int32 `json:"sourceEndPort,omitempty"`
}

// NetworkPolicyProtocol selects ICMP or IGMP traffic; exactly one of its fields is set.
type NetworkPolicyProtocol struct {
	// ICMP selects ICMP traffic.
	// +optional
	ICMP *ICMPProtocol `json:"icmp,omitempty"`
	// IGMP selects IGMP traffic.
	// +optional
	IGMP *IGMPProtocol `json:"igmp,omitempty"`
}

// ICMPProtocol selects ICMP messages by type and code.
type ICMPProtocol struct {
	// ICMPType is the ICMP type (0-255). Empty matches all types.
	// +optional
	ICMPType *int32 `json:"icmpType,omitempty"`
	// ICMPCode is the ICMP code (0-255); needs ICMPType.
	// +optional
	ICMPCode *int32 `json:"icmpCode,omitempty"`
}

// IGMPProtocol selects IGMP messages.
type IGMPProtocol struct {
	// IGMPType is 0x11 (query, ingress) or 0x12, 0x16, 0x22 (reports, egress).
	// +optional
	IGMPType *int32 `json:"igmpType,omitempty"`
	// GroupAddress is the multicast group address.
	// +optional
	GroupAddress string `json:"groupAddress,omitempty"`
}

// L7Protocol selects layer-7 requests; exactly one of its fields is set.
type L7Protocol struct {
	// HTTP selects HTTP requests.
	// +optional
	HTTP *HTTPProtocol `json:"http,omitempty"`
	// TLS selects TLS handshakes.
	// +optional
	TLS *TLSProtocol `json:"tls,omitempty"`
}

// HTTPProtocol selects HTTP requests; empty fields match everything.
type HTTPProtocol struct {
	// Host is the request's host, "*" wildcards allowed.
	// +optional
	Host string `json:"host,omitempty"`
	// Method is GET, POST, PUT, HEAD, DELETE, TRACE, OPTIONS, CONNECT or PATCH.
	// +optional
	Method string `json:"method,omitempty"`
	// Path is the request's URI path, "*" wildcards allowed.
	// +optional
	Path string `json:"path,omitempty"`
}

// TLSProtocol selects TLS handshakes.
type TLSProtocol struct {
	// SNI is the server name indication, "*" wildcards allowed.
	// +optional
	SNI string `json:"sni,omitempty"`
}
