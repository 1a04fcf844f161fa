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

package support

import (
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/strata-net/strata/apis/crd/v1beta1"
)

// Detail is the message of every refusal; a refusal of one value of a field (a
// ports entry's protocol SCTP) goes on with the value and why.
const Detail = "is not supported by this Strata version"

func refuse(path *field.Path) *field.Error { return field.Forbidden(path, Detail) }

// refuseValue refuses a value of a field whose other values are enforced: the
// message is Detail, then which value and why.
func refuseValue(path *field.Path, reason string) *field.Error {
	return field.Forbidden(path, Detail+": "+reason)
}

// sctpReason says why protocol SCTP is refused.
const sctpReason = "SCTP: Open vSwitch's userspace connection tracking does not track SCTP ports"

// PeerRefused tells whether a peer uses a field this version does not enforce.
func PeerRefused(p *v1beta1.NetworkPolicyPeer) bool { return len(Peer(p, field.NewPath("p"))) > 0 }

// Peer returns the refused fields of a rule's peer.
func Peer(p *v1beta1.NetworkPolicyPeer, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if p.ExternalEntitySelector != nil {
		errs = append(errs, refuse(path.Child("externalEntitySelector")))
	}
	if p.Scope == v1beta1.ScopeClusterSet {
		errs = append(errs, refuse(path.Child("scope")))
	}
	return errs
}

// AppliedToRefused tells whether an appliedTo entry uses a field this version does
// not enforce.
func AppliedToRefused(a *v1beta1.AppliedTo) bool { return len(AppliedTo(a, field.NewPath("a"))) > 0 }

// AppliedTo returns the refused fields of an appliedTo entry.
func AppliedTo(a *v1beta1.AppliedTo, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if a.Service != nil {
		errs = append(errs, refuse(path.Child("service")))
	}
	if a.NodeSelector != nil {
		errs = append(errs, refuse(path.Child("nodeSelector")))
	}
	if a.ExternalEntitySelector != nil {
		errs = append(errs, refuse(path.Child("externalEntitySelector")))
	}
	return errs
}

// ProtocolRefused tells whether a rule's protocol entry is one this version does
// not enforce (IGMP).
func ProtocolRefused(p *v1beta1.NetworkPolicyProtocol) bool { return p.IGMP != nil }

// PortRefused tells whether a rule's ports entry has a value this version does not
// enforce: protocol SCTP. Open vSwitch's userspace connection tracking (3.1) keeps
// one SCTP entry per pair of addresses (ports 0): an Allow of one SCTP port would
// let every other SCTP port between the two Pods through, and a Drop of a port
// would do nothing once another port's association is up.
func PortRefused(p *v1beta1.NetworkPolicyPort) bool {
	return p.Protocol != nil && *p.Protocol == v1beta1.ProtocolSCTP
}

// RuleWideRefused tells whether a rule uses a field that makes no part of it
// enforceable: l7Protocols, or toServices in an ingress rule.
func RuleWideRefused(r *v1beta1.Rule, ingress bool) bool {
	return len(r.L7Protocols) > 0 || ingress && len(r.ToServices) > 0
}

// RuleRefused tells whether a rule, its peers or its appliedTo entries use a field
// this version does not enforce.
func RuleRefused(r *v1beta1.Rule, ingress bool) bool {
	return len(Rule(r, ingress, field.NewPath("r"))) > 0
}

// ServiceRefused tells whether a toServices entry of an egress rule uses a field
// this version does not enforce (scope ClusterSet).
func ServiceRefused(s *v1beta1.PeerService) bool { return s.Scope == v1beta1.ScopeClusterSet }

// Rule returns the refused fields of an ingress or egress rule: its own, its
// peers' and its appliedTo entries'. An egress rule's toServices are enforced
// (but for scope ClusterSet), an ingress rule's refused.
func Rule(r *v1beta1.Rule, ingress bool, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(r.L7Protocols) > 0 {
		errs = append(errs, refuse(path.Child("l7Protocols")))
	}
	if ingress && len(r.ToServices) > 0 {
		errs = append(errs, refuse(path.Child("toServices")))
	}
	for i := range r.ToServices {
		if !ingress && ServiceRefused(&r.ToServices[i]) {
			errs = append(errs, refuse(path.Child("toServices").Index(i).Child("scope")))
		}
	}
	for i := range r.Ports {
		if PortRefused(&r.Ports[i]) {
			errs = append(errs, refuseValue(path.Child("ports").Index(i).Child("protocol"), sctpReason))
		}
	}
	for i := range r.Protocols {
		if ProtocolRefused(&r.Protocols[i]) {
			errs = append(errs, refuse(path.Child("protocols").Index(i).Child("igmp")))
		}
	}
	for i := range r.From {
		errs = append(errs, Peer(&r.From[i], path.Child("from").Index(i))...)
	}
	for i := range r.To {
		errs = append(errs, Peer(&r.To[i], path.Child("to").Index(i))...)
	}
	for i := range r.AppliedTo {
		errs = append(errs, AppliedTo(&r.AppliedTo[i], path.Child("appliedTo").Index(i))...)
	}
	return errs
}

// Policy returns the refused fields of an ACNP's or ANNP's spec (at spec).
func Policy(appliedTo []v1beta1.AppliedTo, ingress, egress []v1beta1.Rule) field.ErrorList {
	spec := field.NewPath("spec")
	var errs field.ErrorList
	for i := range appliedTo {
		errs = append(errs, AppliedTo(&appliedTo[i], spec.Child("appliedTo").Index(i))...)
	}
	for i := range ingress {
		errs = append(errs, Rule(&ingress[i], true, spec.Child("ingress").Index(i))...)
	}
	for i := range egress {
		errs = append(errs, Rule(&egress[i], false, spec.Child("egress").Index(i))...)
	}
	return errs
}

// ClusterNetworkPolicy returns the refused fields of an ACNP.
func ClusterNetworkPolicy(p *v1beta1.ClusterNetworkPolicy) field.ErrorList {
	return Policy(p.Spec.AppliedTo, p.Spec.Ingress, p.Spec.Egress)
}

// NetworkPolicy returns the refused fields of an ANNP.
func NetworkPolicy(p *v1beta1.NetworkPolicy) field.ErrorList {
	return Policy(p.Spec.AppliedTo, p.Spec.Ingress, p.Spec.Egress)
}

// GroupSpec returns the refused fields of a ClusterGroup's or Group's spec (at spec).
func GroupSpec(s *v1beta1.GroupSpec) field.ErrorList {
	if s.ExternalEntitySelector != nil {
		return field.ErrorList{refuse(field.NewPath("spec", "externalEntitySelector"))}
	}
	return nil
}
