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

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/apis/crd"
	"github.com/strata-net/strata/apis/crd/support"
	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
	"github.com/strata-net/strata/apis/crd/validation"
)

// antreaSource is an Antrea-native policy, cluster-wide (ACNP) or of one Namespace
// (ANNP), as the compiler reads it.
type antreaSource struct {
	key       string
	namespace string // the ANNP's Namespace; "" for an ACNP
	meta      *metav1.ObjectMeta
	refType   controlplane.NetworkPolicyType
	tier      string
	priority  float64
	appliedTo []crdv1beta1.AppliedTo
	ingress   []crdv1beta1.Rule
	egress    []crdv1beta1.Rule
}

func acnpSource(src *crdv1beta1.ClusterNetworkPolicy) *antreaSource {
	return &antreaSource{key: acnpKey(src.Name), meta: &src.ObjectMeta, refType: controlplane.AntreaClusterNetworkPolicy,
		tier: src.Spec.Tier, priority: src.Spec.Priority, appliedTo: src.Spec.AppliedTo,
		ingress: src.Spec.Ingress, egress: src.Spec.Egress}
}

func annpSource(src *crdv1beta1.NetworkPolicy) *antreaSource {
	return &antreaSource{key: annpKey(src.Namespace, src.Name), namespace: src.Namespace, meta: &src.ObjectMeta,
		refType: controlplane.AntreaNetworkPolicy, tier: src.Spec.Tier, priority: src.Spec.Priority,
		appliedTo: src.Spec.AppliedTo, ingress: src.Spec.Ingress, egress: src.Spec.Egress}
}

func (s *antreaSource) ref() controlplane.NetworkPolicyReference {
	return controlplane.NetworkPolicyReference{Type: s.refType, Namespace: s.namespace, Name: s.meta.Name, UID: s.meta.UID}
}

// tierPriority resolves a policy's Tier: empty is application; the legacy static
// names stand for the system Tiers. false when the Tier does not exist (yet).
func (c *Compiler) tierPriority(tier string) (int32, bool) {
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

// compileAntreaPolicy compiles an ACNP or ANNP; false while its Tier does not
// exist. It writes nothing of the Compiler's: policies compile in parallel.
func (c *Compiler) compileAntreaPolicy(src *antreaSource) (*policy, bool) {
	tierPriority, ok := c.tierPriority(src.tier)
	if !ok {
		return nil, false
	}
	b := c.newBuilder(src.key)
	b.namespace = src.namespace
	b.p.tier = src.tier
	for _, err := range support.Policy(src.appliedTo, src.ingress, src.egress) {
		b.issue(reasonUnsupportedField, err.Error())
	}
	priority := src.priority
	ref := src.ref()
	np := &controlplane.NetworkPolicy{
		ObjectMeta:   metav1.ObjectMeta{Name: string(src.meta.UID), UID: src.meta.UID, Generation: src.meta.Generation},
		Priority:     &priority,
		TierPriority: &tierPriority,
		SourceRef:    &ref,
		Audit:        validation.IsAudit(src.meta.Annotations),
	}
	specAppliedTo := b.appliedTos(src.appliedTo, b.namespace)
	b.p.perNamespace = hasPerNamespacePeer(src.ingress) || hasPerNamespacePeer(src.egress)
	if !b.p.perNamespace {
		np.AppliedToGroups = specAppliedTo
	}
	specRefused := appliedToRefused(src.appliedTo)
	for _, dir := range []struct {
		rules []crdv1beta1.Rule
		d     controlplane.Direction
	}{{src.ingress, controlplane.DirectionIn}, {src.egress, controlplane.DirectionOut}} {
		for i := range dir.rules {
			r := exactRule(&dir.rules[i], specRefused && len(dir.rules[i].AppliedTo) == 0, dir.d == controlplane.DirectionIn)
			if r == nil {
				continue // nothing of it can be enforced exactly
			}
			np.Rules = append(np.Rules, c.antreaRules(b, r, dir.d, int32(i), src.appliedTo)...)
		}
	}
	b.p.np = np
	return b.p, true
}

// antreaRules compiles one rule. A rule with per-Namespace peers (namespaces: match
// Self or sameLabels) becomes one rule per Namespace (applied to the Namespace's
// part of the appliedTo, from the peers of that Namespace) plus, for its other
// peers, one rule applied to all.
func (c *Compiler) antreaRules(b *builder, r *crdv1beta1.Rule, dir controlplane.Direction, index int32,
	specAppliedTo []crdv1beta1.AppliedTo) []controlplane.NetworkPolicyRule {
	appliedTo := specAppliedTo
	if len(r.AppliedTo) > 0 {
		appliedTo = r.AppliedTo
	}
	base := controlplane.NetworkPolicyRule{Direction: dir, Services: services(r.Ports, r.Protocols), Priority: index,
		Action: (*controlplane.RuleAction)(r.Action), EnableLogging: r.EnableLogging, Name: r.Name, LogLabel: r.LogLabel}
	if dir == controlplane.DirectionOut && len(r.ToServices) > 0 {
		// As Antrea: the Services are the rule's only destinations (validation
		// refuses to besides them).
		rule := base
		rule.AppliedToGroups = b.ruleAppliedTo(r, appliedTo)
		rule.To = controlplane.NetworkPolicyPeer{ToServices: serviceRefs(r.ToServices, b.namespace)}
		b.noteServices(r.Name, rule.To.ToServices)
		return []controlplane.NetworkPolicyRule{rule}
	}
	peers := r.From
	if dir == controlplane.DirectionOut {
		peers = r.To
	}
	var out []controlplane.NetworkPolicyRule
	plain, perNS := splitPerNamespacePeers(peers)
	if len(perNS) == 0 || len(plain) > 0 {
		rule := base
		rule.AppliedToGroups = b.ruleAppliedTo(r, appliedTo)
		setPeer(&rule, c.antreaPeer(b, plain, len(peers) == 0))
		out = append(out, rule)
	}
	if len(perNS) == 0 {
		return out
	}
	for _, ns := range c.index.Namespaces() {
		peer, ok := c.perNamespacePeer(b, perNS, ns)
		if !ok {
			continue
		}
		rule := base
		rule.AppliedToGroups = b.appliedTos(appliedTo, ns)
		setPeer(&rule, peer)
		out = append(out, rule)
	}
	return out
}

// ruleAppliedTo returns the rule-level AppliedToGroups: the rule's own, or the
// spec's when the policy is compiled per Namespace (no policy-level groups then).
func (b *builder) ruleAppliedTo(r *crdv1beta1.Rule, appliedTo []crdv1beta1.AppliedTo) []string {
	if len(r.AppliedTo) > 0 || b.p.perNamespace {
		return b.appliedTos(appliedTo, b.namespace)
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
// restricts them to that Namespace (an ANNP's, or one Namespace of a per-Namespace
// rule). Entries this version does not enforce select nothing.
func (b *builder) appliedTos(entries []crdv1beta1.AppliedTo, namespace string) []string {
	var names []string
	for _, a := range entries {
		switch {
		case support.AppliedToRefused(&a):
		case a.Group != "" && (namespace == "" || namespace == b.namespace):
			if b.namespace != "" && b.c.groupBeyondNamespace(b.groupKey(a.Group)) {
				b.noteGroup(b.groupKey(a.Group))
				b.issue(reasonGroupBeyondNamespace, groupKindName(b.groupKey(a.Group))+
					" selects Pods of other Namespaces (namespaceSelector): as the appliedTo of an Antrea NetworkPolicy it selects nothing")
				continue
			}
			names = append(names, b.groupRef(appliedToKind, a.Group))
		case a.Group != "":
			// One Namespace's rule of an ACNP compiled per Namespace: the
			// ClusterGroup's Pods of that Namespace.
			names = append(names, b.clusterGroupInNamespace(a.Group, namespace)...)
		case a.ServiceAccount != nil && namespace != "" && namespace != a.ServiceAccount.Namespace:
			// The ServiceAccount's Pods are of its own Namespace only.
		case a.ServiceAccount != nil:
			names = append(names, b.selectorGroup(appliedToKind, a.ServiceAccount.Namespace, nil,
				&metav1.LabelSelector{MatchLabels: map[string]string{serviceAccountLabel: a.ServiceAccount.Name}})...)
		case a.PodSelector != nil || a.NamespaceSelector != nil:
			ns := namespace
			if b.namespace != "" {
				ns = b.namespace // an ANNP applies to its own Namespace only
			}
			names = append(names, b.selectorGroup(appliedToKind, ns, a.NamespaceSelector, a.PodSelector)...)
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

// antreaPeer compiles the peers of an Antrea-native rule; a rule without peers
// matches every address. Peers this version does not enforce match nothing.
func (c *Compiler) antreaPeer(b *builder, peers []crdv1beta1.NetworkPolicyPeer, none bool) controlplane.NetworkPolicyPeer {
	if none {
		return matchAllPeer()
	}
	var out controlplane.NetworkPolicyPeer
	for _, p := range peers {
		switch {
		case support.PeerRefused(&p):
		case p.FQDN != "": // egress only (validation); the agents learn its addresses
			out.FQDNs = append(out.FQDNs, p.FQDN)
		case p.IPBlock != nil:
			if blk, ok := ipBlock(p.IPBlock.CIDR, p.IPBlock.Except); ok {
				out.IPBlocks = append(out.IPBlocks, blk)
			}
		case p.Group != "":
			out.AddressGroups = append(out.AddressGroups, b.groupRef(addressKind, p.Group))
			out.IPBlocks = append(out.IPBlocks, c.clusterGroups.ipBlocks(b.groupKey(p.Group))...)
		case p.NodeSelector != nil:
			out.AddressGroups = append(out.AddressGroups, b.nodeSelectorGroup(p.NodeSelector)...)
		case p.ServiceAccount != nil:
			out.AddressGroups = append(out.AddressGroups, b.selectorGroup(addressKind, p.ServiceAccount.Namespace, nil,
				&metav1.LabelSelector{MatchLabels: map[string]string{serviceAccountLabel: p.ServiceAccount.Name}})...)
		case p.PodSelector != nil || p.NamespaceSelector != nil:
			ns := ""
			if p.NamespaceSelector == nil {
				ns = b.namespace // an ANNP's podSelector alone: its own Namespace
			}
			out.AddressGroups = append(out.AddressGroups, b.selectorGroup(addressKind, ns, p.NamespaceSelector, p.PodSelector)...)
		}
	}
	return out
}

// serviceRefs are the Services of an egress rule's toServices; an entry without a
// namespace (an ANNP's) names a Service of the policy's Namespace.
func serviceRefs(in []crdv1beta1.PeerService, namespace string) []controlplane.ServiceReference {
	out := make([]controlplane.ServiceReference, 0, len(in))
	for _, s := range in {
		ns := s.Namespace
		if ns == "" {
			ns = namespace
		}
		out = append(out, controlplane.ServiceReference{Namespace: ns, Name: s.Name})
	}
	return out
}

// noteServices records the Services a rule's toServices name (their changes
// compile the policy again) and reports those that do not exist.
func (b *builder) noteServices(rule string, refs []controlplane.ServiceReference) {
	for _, ref := range refs {
		key := ref.Namespace + "/" + ref.Name
		if b.p.services == nil {
			b.p.services = sets.New[string]()
		}
		b.p.services.Insert(key)
		if _, ok := b.c.sources.Service(ref.Namespace, ref.Name); !ok {
			b.issue(reasonServiceNotFound, fmt.Sprintf("Service %q does not exist: the toServices of rule %q match nothing of it until it does",
				key, rule))
		}
	}
}
