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

package apiserver

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/strata-net/strata/apis/crd"
	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
)

// Shape of a generated policy.
const (
	// RulesPerPolicy is the number of rules of a generated policy, ingress and
	// egress together.
	RulesPerPolicy = 5
	// PeersPerRule is the number of peers of every rule.
	PeersPerRule = 3
)

// benchTiers are the system Tiers the generated policies rotate through.
var benchTiers = []string{crd.TierSecurityOps, crd.TierApplication, crd.TierBaseline}

// benchActions are the actions the rules rotate through; Pass is left out because
// it is refused in the baseline Tier.
var benchActions = []crdv1beta1.RuleAction{crdv1beta1.RuleActionAllow, crdv1beta1.RuleActionDrop, crdv1beta1.RuleActionReject}

// Policy returns a valid ClusterNetworkPolicy of realistic size named name. seed
// picks the Tier, the priority, the mix of ingress and egress rules and the
// selector values, so that consecutive seeds give different objects.
func Policy(name string, seed int) *crdv1beta1.ClusterNetworkPolicy {
	ingressRules := 2 + seed%2 // 2 or 3 ingress rules, the rest egress
	p := &crdv1beta1.ClusterNetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: crdv1beta1.ClusterNetworkPolicySpec{
			Tier:      benchTiers[seed%len(benchTiers)],
			Priority:  1 + float64(seed%9999) + float64(seed%4)/4,
			AppliedTo: []crdv1beta1.AppliedTo{appliedTo(seed)},
		},
	}
	for r := range RulesPerPolicy {
		if r < ingressRules {
			p.Spec.Ingress = append(p.Spec.Ingress, rule(seed, r, true))
		} else {
			p.Spec.Egress = append(p.Spec.Egress, rule(seed, r, false))
		}
	}
	return p
}

func appliedTo(seed int) crdv1beta1.AppliedTo {
	return crdv1beta1.AppliedTo{
		PodSelector: &metav1.LabelSelector{
			MatchLabels: map[string]string{"app": fmt.Sprintf("svc-%d", seed%500), "app.kubernetes.io/part-of": "shop"},
			MatchExpressions: []metav1.LabelSelectorRequirement{
				{Key: "tier", Operator: metav1.LabelSelectorOpIn, Values: []string{"frontend", "backend"}},
			},
		},
		NamespaceSelector: &metav1.LabelSelector{
			MatchLabels: map[string]string{"kubernetes.io/metadata.name": fmt.Sprintf("team-%d", seed%50)},
		},
	}
}

func rule(seed, r int, ingress bool) crdv1beta1.Rule {
	action := benchActions[(seed+r)%len(benchActions)]
	direction := "egress"
	if ingress {
		direction = "ingress"
	}
	out := crdv1beta1.Rule{
		Action:   &action,
		Name:     fmt.Sprintf("%s-%d-%s", direction, r, action),
		Ports:    ports(seed + r),
		LogLabel: fmt.Sprintf("bench-%d", r),
	}
	if ingress {
		out.From = peers(seed, r)
	} else {
		out.To = peers(seed, r)
	}
	return out
}

// peers returns three peers: Pods in selected Namespaces, an ipBlock with two
// exceptions and a ClusterGroup reference (which need not exist).
func peers(seed, r int) []crdv1beta1.NetworkPolicyPeer {
	octet := (seed + r) % 256
	return []crdv1beta1.NetworkPolicyPeer{
		{
			PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": fmt.Sprintf("client-%d", (seed+r)%300)}},
			NamespaceSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
				{Key: "env", Operator: metav1.LabelSelectorOpIn, Values: []string{"prod", "staging"}},
			}},
		},
		{IPBlock: &crdv1beta1.IPBlock{
			CIDR:   fmt.Sprintf("10.%d.0.0/16", octet),
			Except: []string{fmt.Sprintf("10.%d.1.0/24", octet), fmt.Sprintf("10.%d.2.0/24", octet)},
		}},
		{Group: fmt.Sprintf("bench-cg-%d", (seed+r)%100)},
	}
}

// ports returns a TCP port, a TCP port range and a named UDP port.
func ports(seed int) []crdv1beta1.NetworkPolicyPort {
	tcp, udp := crdv1beta1.ProtocolTCP, crdv1beta1.ProtocolUDP
	port := intstr.FromInt32(int32(8000 + seed%1000))
	rangeStart, rangeEnd := intstr.FromInt32(30000), int32(32767)
	named := intstr.FromString("dns")
	return []crdv1beta1.NetworkPolicyPort{
		{Protocol: &tcp, Port: &port},
		{Protocol: &tcp, Port: &rangeStart, EndPort: &rangeEnd},
		{Protocol: &udp, Port: &named},
	}
}
