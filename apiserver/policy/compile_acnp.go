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
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/apis/crd"
	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
)

// tierPriority resolves a policy's Tier: empty is application; the legacy static
// names stand for the system Tiers. false when the Tier does not exist (yet).
func (c *Computer) tierPriority(tier string) (int32, bool) {
	if tier == "" {
		tier = crd.TierApplication
	}
	if name, legacy := crd.LegacyStaticTierName(tier); legacy {
		tier = name
	}
	t, ok := c.sources.Tier(tier)
	if !ok {
		return 0, false
	}
	return t.Spec.Priority, true
}

// compileClusterNetworkPolicy compiles an ACNP; false while its Tier does not
// exist. It writes nothing of the Computer's: policies compile in parallel.
func (c *Computer) compileClusterNetworkPolicy(src *crdv1beta1.ClusterNetworkPolicy) (*policy, bool) {
	key := acnpKey(src.Name)
	tierPriority, ok := c.tierPriority(src.Spec.Tier)
	if !ok {
		return nil, false
	}
	b := c.newBuilder(key)
	b.p.tier = src.Spec.Tier
	priority := src.Spec.Priority
	np := &controlplane.NetworkPolicy{
		ObjectMeta:   metav1.ObjectMeta{Name: string(src.UID), UID: src.UID, Generation: src.Generation},
		Priority:     &priority,
		TierPriority: &tierPriority,
		SourceRef: &controlplane.NetworkPolicyReference{Type: controlplane.AntreaClusterNetworkPolicy,
			Name: src.Name, UID: src.UID},
	}
	specAppliedTo := b.appliedTos(src.Spec.AppliedTo, "")
	b.p.perNamespace = hasSelfPeer(src.Spec.Ingress) || hasSelfPeer(src.Spec.Egress)
	if !b.p.perNamespace {
		np.AppliedToGroups = specAppliedTo
	}
	for _, dir := range []struct {
		rules []crdv1beta1.Rule
		d     controlplane.Direction
	}{{src.Spec.Ingress, controlplane.DirectionIn}, {src.Spec.Egress, controlplane.DirectionOut}} {
		for i := range dir.rules {
			np.Rules = append(np.Rules, c.acnpRules(b, &dir.rules[i], dir.d, int32(i), src.Spec.AppliedTo)...)
		}
	}
	b.p.np = np
	return b.p, true
}

// acnpRules compiles one rule. A rule with namespaces: match Self peers becomes
// one rule per Namespace (applied to the Namespace's part of the appliedTo, from the
// peers of that Namespace) plus, for its other peers, one rule applied to all.
func (c *Computer) acnpRules(b *builder, r *crdv1beta1.Rule, dir controlplane.Direction, index int32,
	specAppliedTo []crdv1beta1.AppliedTo) []controlplane.NetworkPolicyRule {
	appliedTo := specAppliedTo
	if len(r.AppliedTo) > 0 {
		appliedTo = r.AppliedTo
	}
	base := controlplane.NetworkPolicyRule{Direction: dir, Services: services(r.Ports, r.Protocols), Priority: index,
		Action: (*controlplane.RuleAction)(r.Action), EnableLogging: r.EnableLogging, Name: r.Name, LogLabel: r.LogLabel,
		L7Protocols: l7Protocols(r.L7Protocols)}
	peers := r.From
	if dir == controlplane.DirectionOut {
		peers = r.To
	}
	var out []controlplane.NetworkPolicyRule
	plain, self := splitSelfPeers(peers)
	if len(self) == 0 || len(plain) > 0 {
		rule := base
		rule.AppliedToGroups = b.ruleAppliedTo(r, appliedTo)
		setPeer(&rule, c.acnpPeer(b, plain, len(peers) == 0, r.ToServices))
		out = append(out, rule)
	}
	if len(self) == 0 {
		return out
	}
	for _, ns := range c.index.Namespaces() {
		rule := base
		rule.AppliedToGroups = b.appliedTos(appliedTo, ns)
		peer := controlplane.NetworkPolicyPeer{}
		for _, p := range self {
			peer.AddressGroups = append(peer.AddressGroups, b.selectorGroup(addressKind, ns, nil, orEverything(p.PodSelector))...)
		}
		setPeer(&rule, peer)
		out = append(out, rule)
	}
	return out
}

// ruleAppliedTo returns the rule-level AppliedToGroups: the rule's own, or the
// spec's when the policy is compiled per Namespace (no policy-level groups then).
func (b *builder) ruleAppliedTo(r *crdv1beta1.Rule, appliedTo []crdv1beta1.AppliedTo) []string {
	if len(r.AppliedTo) > 0 || b.p.perNamespace {
		return b.appliedTos(appliedTo, "")
	}
	return nil
}

func setPeer(rule *controlplane.NetworkPolicyRule, peer controlplane.NetworkPolicyPeer) {
	if rule.Direction == controlplane.DirectionIn {
		rule.From = peer
	} else {
		rule.To = peer
	}
}

// appliedTos uses the AppliedToGroups of appliedTo entries; a non-empty namespace
// restricts them to that Namespace.
func (b *builder) appliedTos(entries []crdv1beta1.AppliedTo, namespace string) []string {
	var names []string
	for _, a := range entries {
		switch {
		case a.Group != "" && namespace == "":
			names = append(names, b.clusterGroup(appliedToKind, a.Group))
		case a.ServiceAccount != nil:
			names = append(names, b.selectorGroup(appliedToKind, a.ServiceAccount.Namespace, nil,
				&metav1.LabelSelector{MatchLabels: map[string]string{serviceAccountLabel: a.ServiceAccount.Name}})...)
		case a.PodSelector != nil || a.NamespaceSelector != nil:
			names = append(names, b.selectorGroup(appliedToKind, namespace, a.NamespaceSelector, a.PodSelector)...)
		}
	}
	return names
}

func orEverything(sel *metav1.LabelSelector) *metav1.LabelSelector {
	if sel == nil {
		return &metav1.LabelSelector{}
	}
	return sel
}

// acnpPeer compiles the peers of an Antrea-native rule; a rule without peers and
// without toServices matches every address.
func (c *Computer) acnpPeer(b *builder, peers []crdv1beta1.NetworkPolicyPeer, none bool, toServices []crdv1beta1.PeerService) controlplane.NetworkPolicyPeer {
	if none && len(toServices) == 0 {
		return matchAllPeer()
	}
	var out controlplane.NetworkPolicyPeer
	for _, s := range toServices {
		out.ToServices = append(out.ToServices, controlplane.ServiceReference{Name: s.Name, Namespace: s.Namespace})
	}
	for _, p := range peers {
		switch {
		case p.IPBlock != nil:
			if blk, ok := ipBlock(p.IPBlock.CIDR, p.IPBlock.Except); ok {
				out.IPBlocks = append(out.IPBlocks, blk)
			}
		case p.Group != "":
			out.AddressGroups = append(out.AddressGroups, b.clusterGroup(addressKind, p.Group))
			out.IPBlocks = append(out.IPBlocks, c.clusterGroupIPBlocks(p.Group)...)
		case p.FQDN != "":
			out.FQDNs = append(out.FQDNs, p.FQDN)
		case p.ServiceAccount != nil:
			out.AddressGroups = append(out.AddressGroups, b.selectorGroup(addressKind, p.ServiceAccount.Namespace, nil,
				&metav1.LabelSelector{MatchLabels: map[string]string{serviceAccountLabel: p.ServiceAccount.Name}})...)
		case p.PodSelector != nil || p.NamespaceSelector != nil:
			out.AddressGroups = append(out.AddressGroups, b.selectorGroup(addressKind, "", p.NamespaceSelector, p.PodSelector)...)
		}
	}
	return out
}

func hasSelfPeer(rules []crdv1beta1.Rule) bool {
	for _, r := range rules {
		if _, self := splitSelfPeers(append(append([]crdv1beta1.NetworkPolicyPeer{}, r.From...), r.To...)); len(self) > 0 {
			return true
		}
	}
	return false
}

func splitSelfPeers(peers []crdv1beta1.NetworkPolicyPeer) (plain, self []crdv1beta1.NetworkPolicyPeer) {
	for _, p := range peers {
		if p.Namespaces != nil && p.Namespaces.Match == crdv1beta1.NamespaceMatchSelf {
			self = append(self, p)
		} else {
			plain = append(plain, p)
		}
	}
	return plain, self
}

func l7Protocols(in []crdv1beta1.L7Protocol) []controlplane.L7Protocol {
	var out []controlplane.L7Protocol
	for _, p := range in {
		var l controlplane.L7Protocol
		if p.HTTP != nil {
			l.HTTP = &controlplane.HTTPProtocol{Host: p.HTTP.Host, Method: p.HTTP.Method, Path: p.HTTP.Path}
		}
		if p.TLS != nil {
			l.TLS = &controlplane.TLSProtocol{SNI: p.TLS.SNI}
		}
		out = append(out, l)
	}
	return out
}
