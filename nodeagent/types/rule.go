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

package types

import (
	"k8s.io/apimachinery/pkg/types"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
)

// RuleID identifies a rule by its content: a rule whose selectors, services,
// direction or priorities change is another rule.
type RuleID string

// PolicyRef identifies the source policy of a rule.
type PolicyRef struct {
	Type      v1beta2.NetworkPolicyType
	Namespace string
	Name      string
	UID       types.UID
	// Generation is the generation of the internal NetworkPolicy, reported back in
	// the realization status.
	Generation int64
	// InternalName is the name of the controlplane NetworkPolicy (the source UID).
	InternalName string
}

// PodRef is a Pod by namespace and name.
type PodRef struct {
	Namespace string
	Name      string
}

// Member is a Pod a rule applies to on this Node, with its named ports.
type Member struct {
	Pod   PodRef
	Ports []v1beta2.NamedPort
}

// Address is a peer address: an IP of a group member (with the member's named ports,
// to resolve named ports of egress rules) or a CIDR of an ipBlock minus its
// exceptions, already expanded.
type Address struct {
	// CIDR is "10.0.0.1/32" for a member IP or the CIDR of an ipBlock part.
	CIDR  string
	Ports []v1beta2.NamedPort
}

// CompletedRule is a rule whose AppliedToGroups (this Node's members) and
// AddressGroups are all known.
type CompletedRule struct {
	ID        RuleID
	Policy    PolicyRef
	Direction v1beta2.Direction
	// Action is nil for K8s NetworkPolicy rules (Allow).
	Action *v1beta2.RuleAction
	// TierPriority and PolicyPriority are nil for K8s NetworkPolicy rules.
	TierPriority   *int32
	PolicyPriority *float64
	// RuleIndex is the index of the rule in its source ingress or egress list.
	RuleIndex int32
	Name      string
	// Targets are the Pods of this Node the rule applies to.
	Targets []Member
	// Peers are the addresses on the other side (from for ingress, to for egress);
	// nil means any address, empty means none.
	Peers []Address
	// ToServices are Service destinations of an egress rule, matched by the
	// Service port a connection was sent to before DNAT (any port of each
	// Service; a Service that does not exist matches nothing). They add to
	// Peers: a connection matches either.
	ToServices []v1beta2.ServiceReference
	// FQDNs are the domain-name patterns of an egress rule's peer (exact
	// names, or with "*" wildcards; see nodeagent/fqdn): the rule also
	// matches the addresses learnt for them from DNS responses.
	FQDNs         []string `json:",omitempty"`
	Services      []v1beta2.Service
	EnableLogging bool
	LogLabel      string
	// Audit: the rule's policy is in audit mode. The rule is installed in
	// the audit tables, ahead of the enforcing ones, where it counts and
	// logs the action it would take, and never decides.
	Audit bool `json:",omitempty"`
}

// IsBaseline tells whether the rule belongs to the baseline tier, enforced after K8s
// NetworkPolicies.
func (r *CompletedRule) IsBaseline() bool {
	return r.TierPriority != nil && *r.TierPriority >= 253
}

// IsK8s tells whether the rule comes from a Kubernetes NetworkPolicy.
func (r *CompletedRule) IsK8s() bool { return r.TierPriority == nil }

// Priority orders Antrea-native rules: tier, then policy priority, then rule
// index; lower is evaluated first.
type Priority struct {
	TierPriority   int32
	PolicyPriority float64
	RuleIndex      int32
}

// Less tells whether p is evaluated before o.
func (p Priority) Less(o Priority) bool {
	if p.TierPriority != o.TierPriority {
		return p.TierPriority < o.TierPriority
	}
	if p.PolicyPriority != o.PolicyPriority {
		return p.PolicyPriority < o.PolicyPriority
	}
	return p.RuleIndex < o.RuleIndex
}

// Priority returns the rule's priority; meaningful for Antrea-native rules only.
func (r *CompletedRule) Priority() Priority {
	p := Priority{RuleIndex: r.RuleIndex}
	if r.TierPriority != nil {
		p.TierPriority = *r.TierPriority
	}
	if r.PolicyPriority != nil {
		p.PolicyPriority = *r.PolicyPriority
	}
	return p
}
