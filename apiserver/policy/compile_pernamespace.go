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
	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
)

// Peers with namespaces (ClusterNetworkPolicy) select relative to the Namespace of
// the workload the rule applies to: match Self selects that Namespace, sameLabels
// the Namespaces whose values of those label keys are the same as its. A rule
// with such peers is compiled once per Namespace; a Namespace that lacks one of
// the sameLabels keys shares no values, so those peers select nothing for its
// workloads.

func isPerNamespacePeer(p *crdv1beta1.NetworkPolicyPeer) bool {
	return p.Namespaces != nil && (p.Namespaces.Match == crdv1beta1.NamespaceMatchSelf || len(p.Namespaces.SameLabels) > 0)
}

func hasPerNamespacePeer(rules []crdv1beta1.Rule) bool {
	for i := range rules {
		for _, peers := range [][]crdv1beta1.NetworkPolicyPeer{rules[i].From, rules[i].To} {
			for j := range peers {
				if isPerNamespacePeer(&peers[j]) {
					return true
				}
			}
		}
	}
	return false
}

func splitPerNamespacePeers(peers []crdv1beta1.NetworkPolicyPeer) (plain, perNS []crdv1beta1.NetworkPolicyPeer) {
	for _, p := range peers {
		if isPerNamespacePeer(&p) {
			perNS = append(perNS, p)
		} else {
			plain = append(plain, p)
		}
	}
	return plain, perNS
}

// perNamespacePeer compiles the per-Namespace peers for the workloads of Namespace
// ns; false when none of them selects anything for it.
func (c *Compiler) perNamespacePeer(b *builder, peers []crdv1beta1.NetworkPolicyPeer, ns string) (controlplane.NetworkPolicyPeer, bool) {
	var peer controlplane.NetworkPolicyPeer
	for _, p := range peers {
		if p.Namespaces.Match == crdv1beta1.NamespaceMatchSelf {
			peer.AddressGroups = append(peer.AddressGroups, b.selectorGroup(addressKind, ns, nil, orEverything(p.PodSelector))...)
			continue
		}
		same, ok := c.sameLabels(ns, p.Namespaces.SameLabels)
		if !ok {
			continue
		}
		peer.AddressGroups = append(peer.AddressGroups, b.selectorGroup(addressKind, "", same, orEverything(p.PodSelector))...)
	}
	return peer, len(peer.AddressGroups) > 0
}

// sameLabels selects the Namespaces with the values of Namespace ns for keys; false
// when ns lacks one of the keys.
func (c *Compiler) sameLabels(ns string, keys []string) (*metav1.LabelSelector, bool) {
	nsLabels, ok := c.index.NamespaceLabels(ns)
	if !ok {
		return nil, false
	}
	match := make(map[string]string, len(keys))
	for _, k := range keys {
		v, ok := nsLabels[k]
		if !ok {
			return nil, false
		}
		match[k] = v
	}
	return &metav1.LabelSelector{MatchLabels: match}, true
}

// clusterGroupInNamespace uses the AppliedToGroups of the Pods of Namespace ns that a
// ClusterGroup selects (its selectors and its children's, each restricted to ns),
// for the rule of one Namespace; the policy follows the ClusterGroup's changes.
func (b *builder) clusterGroupInNamespace(name, ns string) []string {
	key := b.groupKey(name)
	b.noteGroup(key)
	b.c.checkGroupRef(b, appliedToKind, key)
	var names []string
	for _, sel := range b.c.clusterGroups.selectors(key) {
		if in, ok := sel.InNamespace(ns); ok {
			names = append(names, b.use(appliedToKind, in.Name(), groupSource{selector: in}))
		}
	}
	return names
}
