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

package policy

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/intstr"
	npav1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"

	"github.com/strata-net/strata/apis/controlplane"
)

// cnpMode is how a CNP's rules compile: in the Baseline tier (Pass is Allow
// there), or with Deny rules only (a tier or subject this version does not know).
type cnpMode struct {
	baseline bool
	denyOnly bool
}

// cnpRule is an ingress or egress rule of a CNP; ingress peers are converted to
// egress peers (ingressPeers).
type cnpRule struct {
	path      string // spec.ingress[i] or spec.egress[i], for the issues
	name      string
	action    npav1beta1.ClusterNetworkPolicyRuleAction
	dir       controlplane.Direction
	index     int32
	peers     []npav1beta1.ClusterNetworkPolicyEgressPeer
	protocols []npav1beta1.ClusterNetworkPolicyProtocol
}

// cnpRule compiles one rule; nil when it is not installed. A rule with a part this
// version cannot enforce exactly (a peer or protocol entry of no known field, an
// sctp entry, an unknown action) fails closed as network-policy-api defines it for
// peers: an Accept rule matches nothing (not installed), a Deny or Pass rule
// denies all (every peer, every protocol) in its direction. Only that rule is
// affected; the policy's issues say why.
func (c *Compiler) cnpRule(b *builder, r *cnpRule, mode cnpMode) *controlplane.NetworkPolicyRule {
	action, known := cnpAction(r.action, mode.baseline)
	if !known {
		b.issue(reasonUnsupportedField, fmt.Sprintf("%s.action %q is not one this version knows (Accept, Deny, Pass): "+
			"the rule drops what it matches", r.path, r.action))
	}
	if mode.denyOnly && action != controlplane.RuleActionDrop {
		return nil
	}
	rule := &controlplane.NetworkPolicyRule{Direction: r.dir, Priority: r.index, Action: &action, Name: r.name}
	if reason, problems := cnpRuleProblems(r); len(problems) > 0 {
		if r.action == npav1beta1.ClusterNetworkPolicyRuleActionAccept {
			b.issue(reason, r.path+": "+strings.Join(problems, "; ")+": the Accept rule matches nothing (fail closed)")
			return nil
		}
		b.issue(reason, r.path+": "+strings.Join(problems, "; ")+": the rule denies all traffic of its direction (fail closed)")
		drop := controlplane.RuleActionDrop
		rule.Action = &drop
		setPeer(rule, matchAllPeer())
		return rule
	}
	rule.Services = cnpServices(r.protocols)
	setPeer(rule, c.cnpPeer(b, r.peers))
	return rule
}

// cnpAction maps a CNP action: Accept is Allow, Deny is Drop, Pass is Pass in the
// Admin tier. In the Baseline tier Pass goes on to the next tier, which is the
// default (allowed): it compiles as Allow (the agents forbid Pass in baseline
// tiers). An unknown action drops (false).
func cnpAction(a npav1beta1.ClusterNetworkPolicyRuleAction, baseline bool) (controlplane.RuleAction, bool) {
	switch a {
	case npav1beta1.ClusterNetworkPolicyRuleActionAccept:
		return controlplane.RuleActionAllow, true
	case npav1beta1.ClusterNetworkPolicyRuleActionDeny:
		return controlplane.RuleActionDrop, true
	case npav1beta1.ClusterNetworkPolicyRuleActionPass:
		if baseline {
			return controlplane.RuleActionAllow, true
		}
		return controlplane.RuleActionPass, true
	}
	return controlplane.RuleActionDrop, false
}

// cnpRuleProblems lists what of a rule this version cannot enforce exactly, with
// the reason of the issue: reasonUnsupportedField for entries of no known field,
// reasonNotEnforceable for known values it cannot enforce (sctp).
func cnpRuleProblems(r *cnpRule) (string, []string) {
	reason := reasonUnsupportedField
	var problems []string
	for i := range r.peers {
		if p := cnpPeerProblem(&r.peers[i]); p != "" {
			problems = append(problems, fmt.Sprintf("%s[%d] %s", peersField(r.dir), i, p))
		}
	}
	for i := range r.protocols {
		p, enforceable := cnpProtocolProblem(&r.protocols[i])
		if p == "" {
			continue
		}
		problems = append(problems, fmt.Sprintf("protocols[%d] %s", i, p))
		if enforceable {
			reason = reasonNotEnforceable
		}
	}
	return reason, problems
}

func peersField(dir controlplane.Direction) string {
	if dir == controlplane.DirectionIn {
		return "from"
	}
	return "to"
}

// cnpPeerProblem says why a peer cannot be enforced exactly; "" when it can. A peer
// sets exactly one field; none it knows means a newer CRD than this version.
func cnpPeerProblem(p *npav1beta1.ClusterNetworkPolicyEgressPeer) string {
	set := 0
	for _, isSet := range []bool{p.Namespaces != nil, p.Pods != nil, p.Nodes != nil, len(p.Networks) > 0, len(p.DomainNames) > 0} {
		if isSet {
			set++
		}
	}
	switch {
	case set == 0:
		return "sets no field this version knows (namespaces, pods, nodes, networks, domainNames)"
	case set > 1:
		return "sets more than one field"
	case p.Namespaces != nil && !validSelectors(p.Namespaces),
		p.Pods != nil && !validSelectors(&p.Pods.NamespaceSelector, &p.Pods.PodSelector),
		p.Nodes != nil && !validSelectors(p.Nodes):
		return "has a selector that does not parse"
	}
	for _, n := range p.Networks {
		if _, ok := ipNet(string(n)); !ok {
			return fmt.Sprintf("has network %q, not a CIDR", n)
		}
	}
	return ""
}

// cnpProtocolProblem says why a protocols entry cannot be enforced exactly; ""
// when it can. known tells that the entry is understood but not enforceable.
func cnpProtocolProblem(p *npav1beta1.ClusterNetworkPolicyProtocol) (problem string, known bool) {
	set := 0
	for _, isSet := range []bool{p.TCP != nil, p.UDP != nil, p.SCTP != nil, p.DestinationNamedPort != ""} {
		if isSet {
			set++
		}
	}
	switch {
	case set == 0:
		return "sets no field this version knows (tcp, udp, sctp, destinationNamedPort)", false
	case set > 1:
		return "sets more than one field", false
	case p.SCTP != nil:
		return "is sctp, which this version does not enforce exactly (Open vSwitch's userspace connection " +
			"tracking does not track SCTP ports)", true
	case p.TCP != nil && !validPort(p.TCP.DestinationPort), p.UDP != nil && !validPort(p.UDP.DestinationPort):
		return "has a destinationPort of no field this version knows (number, range), or an invalid one", false
	}
	return "", false
}

// validPort tells whether a port sets exactly one of number and range, valid.
func validPort(p *npav1beta1.Port) bool {
	switch {
	case p == nil:
		return false
	case p.Range == nil:
		return p.Number >= 1 && p.Number <= 65535
	case p.Number != 0:
		return false
	}
	return p.Range.Start >= 1 && p.Range.Start < p.Range.End && p.Range.End <= 65535
}

// cnpServices converts a rule's protocols entries (checked by cnpProtocolProblem);
// none matches all traffic. A destinationNamedPort names a container port of any
// protocol: it becomes the named port for TCP and for UDP, each resolved by the
// agents against the Pods' ports of that protocol.
func cnpServices(protocols []npav1beta1.ClusterNetworkPolicyProtocol) []controlplane.Service {
	var out []controlplane.Service
	for _, p := range protocols {
		switch {
		case p.TCP != nil:
			out = append(out, portService(controlplane.ProtocolTCP, p.TCP.DestinationPort))
		case p.UDP != nil:
			out = append(out, portService(controlplane.ProtocolUDP, p.UDP.DestinationPort))
		case p.DestinationNamedPort != "":
			for _, proto := range []controlplane.Protocol{controlplane.ProtocolTCP, controlplane.ProtocolUDP} {
				name := intstr.FromString(p.DestinationNamedPort)
				out = append(out, controlplane.Service{Protocol: &proto, Port: &name})
			}
		}
	}
	return out
}

func portService(proto controlplane.Protocol, p *npav1beta1.Port) controlplane.Service {
	if p.Range != nil {
		start, end := intstr.FromInt32(p.Range.Start), p.Range.End
		return controlplane.Service{Protocol: &proto, Port: &start, EndPort: &end}
	}
	port := intstr.FromInt32(p.Number)
	return controlplane.Service{Protocol: &proto, Port: &port}
}

// cnpPeer compiles a rule's peers (checked by cnpPeerProblem): Pods of the selected
// Namespaces, selected Pods of selected Namespaces, the addresses of the selected
// Nodes (as a nodeSelector peer), CIDRs, and domain names (FQDN peers: the same
// matching, "*." standing for one or more labels, never the name itself).
func (c *Compiler) cnpPeer(b *builder, peers []npav1beta1.ClusterNetworkPolicyEgressPeer) controlplane.NetworkPolicyPeer {
	var out controlplane.NetworkPolicyPeer
	for i := range peers {
		p := &peers[i]
		switch {
		case p.Namespaces != nil:
			out.AddressGroups = append(out.AddressGroups, b.selectorGroup(addressKind, "", p.Namespaces, nil)...)
		case p.Pods != nil:
			out.AddressGroups = append(out.AddressGroups,
				b.selectorGroup(addressKind, "", &p.Pods.NamespaceSelector, &p.Pods.PodSelector)...)
		case p.Nodes != nil:
			out.AddressGroups = append(out.AddressGroups, b.nodeSelectorGroup(p.Nodes)...)
		case len(p.Networks) > 0:
			for _, n := range p.Networks {
				if blk, ok := ipBlock(string(n), nil); ok {
					out.IPBlocks = append(out.IPBlocks, blk)
				}
			}
		case len(p.DomainNames) > 0:
			for _, d := range p.DomainNames {
				out.FQDNs = append(out.FQDNs, string(d))
			}
		}
	}
	return out
}
