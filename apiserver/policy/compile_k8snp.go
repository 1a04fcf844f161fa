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
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/strata-net/strata/apis/controlplane"
)

// compileK8sNetworkPolicy compiles a Kubernetes NetworkPolicy: allow rules without
// an action or priorities, and for each policy type without rules an empty rule that
// only isolates the selected Pods in that direction (default deny). Every rule logs
// when the Namespace has NamespaceLoggingAnnotation; agents then log the isolation
// drops of the selected Pods too.
func (c *Compiler) compileK8sNetworkPolicy(src *networkingv1.NetworkPolicy) *policy {
	b := c.newBuilder(k8sNPKey(src.Namespace, src.Name))
	podSelector := src.Spec.PodSelector
	np := &controlplane.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: string(src.UID), UID: src.UID, Generation: src.Generation},
		SourceRef: &controlplane.NetworkPolicyReference{Type: controlplane.K8sNetworkPolicy,
			Namespace: src.Namespace, Name: src.Name, UID: src.UID},
		AppliedToGroups: b.selectorGroup(appliedToKind, src.Namespace, nil, &podSelector),
	}
	ingress, egress := policyTypes(src)
	if n := ruleCount(ingress, len(src.Spec.Ingress)) + ruleCount(egress, len(src.Spec.Egress)); n > 0 {
		np.Rules = make([]controlplane.NetworkPolicyRule, 0, n)
	}
	if ingress {
		np.Rules = c.k8sIngressRules(b, src, np.Rules)
	}
	if egress {
		np.Rules = c.k8sEgressRules(b, src, np.Rules)
	}
	if c.loggingNamespaces.Has(src.Namespace) {
		for i := range np.Rules {
			np.Rules[i].EnableLogging = true
		}
	}
	b.p.np = np
	return b.p
}

// policyTypes returns the directions a K8s NetworkPolicy isolates: its policyTypes,
// or by default Ingress, and Egress when it has egress rules.
func policyTypes(np *networkingv1.NetworkPolicy) (ingress, egress bool) {
	if len(np.Spec.PolicyTypes) == 0 {
		return true, len(np.Spec.Egress) > 0
	}
	for _, t := range np.Spec.PolicyTypes {
		switch t {
		case networkingv1.PolicyTypeIngress:
			ingress = true
		case networkingv1.PolicyTypeEgress:
			egress = true
		}
	}
	return ingress, egress
}

// ruleCount is the number of rules of one direction: its rules, or the isolating
// empty rule.
func ruleCount(isolated bool, rules int) int {
	switch {
	case !isolated:
		return 0
	case rules == 0:
		return 1
	}
	return rules
}

// k8sIngressRules appends the ingress rules of a K8s NetworkPolicy to rules.
func (c *Compiler) k8sIngressRules(b *builder, src *networkingv1.NetworkPolicy, rules []controlplane.NetworkPolicyRule) []controlplane.NetworkPolicyRule {
	if len(src.Spec.Ingress) == 0 {
		return append(rules, controlplane.NetworkPolicyRule{Direction: controlplane.DirectionIn})
	}
	for i, r := range src.Spec.Ingress {
		rules = append(rules, controlplane.NetworkPolicyRule{Direction: controlplane.DirectionIn, Priority: int32(i),
			From: k8sPeer(b, src.Namespace, r.From), Services: k8sServices(r.Ports)})
	}
	return rules
}

// k8sEgressRules appends the egress rules of a K8s NetworkPolicy to rules.
func (c *Compiler) k8sEgressRules(b *builder, src *networkingv1.NetworkPolicy, rules []controlplane.NetworkPolicyRule) []controlplane.NetworkPolicyRule {
	if len(src.Spec.Egress) == 0 {
		return append(rules, controlplane.NetworkPolicyRule{Direction: controlplane.DirectionOut})
	}
	for i, r := range src.Spec.Egress {
		rules = append(rules, controlplane.NetworkPolicyRule{Direction: controlplane.DirectionOut, Priority: int32(i),
			To: k8sPeer(b, src.Namespace, r.To), Services: k8sServices(r.Ports)})
	}
	return rules
}

// k8sPeer compiles the peers of a K8s NetworkPolicy rule: a podSelector alone
// selects in the policy's Namespace; no peers at all means every address.
func k8sPeer(b *builder, namespace string, peers []networkingv1.NetworkPolicyPeer) controlplane.NetworkPolicyPeer {
	if len(peers) == 0 {
		return matchAllPeer()
	}
	var out controlplane.NetworkPolicyPeer
	for _, p := range peers {
		switch {
		case p.IPBlock != nil:
			if blk, ok := ipBlock(p.IPBlock.CIDR, p.IPBlock.Except); ok {
				out.IPBlocks = append(out.IPBlocks, blk)
			}
		case p.NamespaceSelector != nil:
			out.AddressGroups = append(out.AddressGroups, b.selectorGroup(addressKind, "", p.NamespaceSelector, p.PodSelector)...)
		case p.PodSelector != nil:
			out.AddressGroups = append(out.AddressGroups, b.selectorGroup(addressKind, namespace, nil, p.PodSelector)...)
		}
	}
	return out
}

func k8sServices(ports []networkingv1.NetworkPolicyPort) []controlplane.Service {
	out := make([]controlplane.Service, 0, len(ports))
	for _, p := range ports {
		proto := controlplane.ProtocolTCP
		if p.Protocol != nil {
			proto = controlplane.Protocol(*p.Protocol)
		}
		out = append(out, controlplane.Service{Protocol: &proto, Port: copyIntOrString(p.Port), EndPort: p.EndPort})
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
