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
	npav1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"

	"github.com/strata-net/strata/apis/controlplane"
)

// The upstream ClusterNetworkPolicy (policy.networking.k8s.io, network-policy-api)
// compiles into the same internal NetworkPolicy as an Antrea ClusterNetworkPolicy,
// placed among Antrea's Tiers as Antrea places it (docs/clusternetworkpolicy.md):
// its Admin tier right after the application Tier (250), before the Kubernetes
// NetworkPolicies; its Baseline tier right after the baseline Tier (253), which the
// agents enforce after the Kubernetes NetworkPolicies. Tier validation reserves
// both priorities.
const (
	cnpAdminTierPriority    int32 = 251
	cnpBaselineTierPriority int32 = 254
)

// compileUpstreamCNP compiles an upstream ClusterNetworkPolicy. What this version
// cannot enforce exactly fails closed, rule by rule (cnpRules), and is recorded in
// the policy's issues.
func (c *Compiler) compileUpstreamCNP(src *npav1beta1.ClusterNetworkPolicy) *policy {
	b := c.newBuilder(cnpKey(src.Name))
	tierPriority, baseline, tierKnown := cnpTier(src.Spec.Tier)
	if !tierKnown {
		b.issue(reasonUnsupportedField, fmt.Sprintf("spec.tier %q is not one this version knows (Admin, Baseline): "+
			"the policy is placed in Admin and only its Deny rules are enforced", src.Spec.Tier))
	}
	appliedTo, subjectKnown := cnpSubject(b, &src.Spec.Subject)
	if !subjectKnown {
		b.issue(reasonUnsupportedField, "spec.subject sets no field this version knows (namespaces, pods): "+
			"the policy applies to every Pod and only its Deny rules are enforced")
	}
	priority := float64(src.Spec.Priority)
	ref := controlplane.NetworkPolicyReference{Type: controlplane.K8sClusterNetworkPolicyType, Name: src.Name, UID: src.UID}
	np := &controlplane.NetworkPolicy{
		ObjectMeta:      metav1.ObjectMeta{Name: string(src.UID), UID: src.UID, Generation: src.Generation},
		Priority:        &priority,
		TierPriority:    &tierPriority,
		SourceRef:       &ref,
		AppliedToGroups: appliedTo,
	}
	mode := cnpMode{baseline: baseline, denyOnly: !tierKnown || !subjectKnown}
	for i := range src.Spec.Ingress {
		r := &src.Spec.Ingress[i]
		in := cnpRule{path: fmt.Sprintf("spec.ingress[%d]", i), name: r.Name, action: r.Action,
			dir: controlplane.DirectionIn, index: int32(i), peers: ingressPeers(r.From), protocols: r.Protocols}
		np.Rules = appendRule(np.Rules, c.cnpRule(b, &in, mode))
	}
	for i := range src.Spec.Egress {
		r := &src.Spec.Egress[i]
		out := cnpRule{path: fmt.Sprintf("spec.egress[%d]", i), name: r.Name, action: r.Action,
			dir: controlplane.DirectionOut, index: int32(i), peers: r.To, protocols: r.Protocols}
		np.Rules = appendRule(np.Rules, c.cnpRule(b, &out, mode))
	}
	b.p.np = np
	return b.p
}

func appendRule(rules []controlplane.NetworkPolicyRule, r *controlplane.NetworkPolicyRule) []controlplane.NetworkPolicyRule {
	if r == nil {
		return rules
	}
	return append(rules, *r)
}

// cnpTier returns the tier priority of a CNP tier and whether it is the Baseline
// one; false for a tier this version does not know, which is placed in Admin.
func cnpTier(t npav1beta1.Tier) (priority int32, baseline, known bool) {
	switch t {
	case npav1beta1.AdminTier:
		return cnpAdminTierPriority, false, true
	case npav1beta1.BaselineTier:
		return cnpBaselineTierPriority, true, true
	}
	return cnpAdminTierPriority, false, false
}

// cnpSubject uses the AppliedToGroup of a CNP's subject: every Pod of the selected
// Namespaces, or the selected Pods of the selected Namespaces. false when it sets
// no field this version knows (or more than one, or a selector that does not
// parse): the policy then applies to every Pod, with its Deny rules only.
func cnpSubject(b *builder, s *npav1beta1.ClusterNetworkPolicySubject) ([]string, bool) {
	switch {
	case s.Namespaces != nil && s.Pods == nil && validSelectors(s.Namespaces):
		return b.selectorGroup(appliedToKind, "", s.Namespaces, nil), true
	case s.Pods != nil && s.Namespaces == nil && validSelectors(&s.Pods.NamespaceSelector, &s.Pods.PodSelector):
		return b.selectorGroup(appliedToKind, "", &s.Pods.NamespaceSelector, &s.Pods.PodSelector), true
	}
	return b.selectorGroup(appliedToKind, "", nil, &metav1.LabelSelector{}), false
}

// validSelectors tells whether every selector converts into a label selector.
func validSelectors(sels ...*metav1.LabelSelector) bool {
	for _, s := range sels {
		if _, err := metav1.LabelSelectorAsSelector(s); err != nil {
			return false
		}
	}
	return true
}

// ingressPeers converts ingress peers into egress peers, whose fields are a
// superset: compiled alike.
func ingressPeers(in []npav1beta1.ClusterNetworkPolicyIngressPeer) []npav1beta1.ClusterNetworkPolicyEgressPeer {
	out := make([]npav1beta1.ClusterNetworkPolicyEgressPeer, len(in))
	for i, p := range in {
		out[i] = npav1beta1.ClusterNetworkPolicyEgressPeer{Namespaces: p.Namespaces, Pods: p.Pods}
	}
	return out
}
