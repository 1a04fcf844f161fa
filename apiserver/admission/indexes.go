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

package admission

import (
	"fmt"

	"k8s.io/client-go/tools/cache"

	"github.com/strata-net/strata/apis/crd"
	"github.com/strata-net/strata/apis/crd/v1beta1"
)

// Index names on the informers of Strata's resources.
const (
	// byTier indexes ClusterNetworkPolicies and Antrea NetworkPolicies by the Tier
	// they belong to.
	byTier = "tier"
	// byGroupRef indexes ClusterNetworkPolicies by the ClusterGroups they
	// reference, and Antrea NetworkPolicies by the Groups of their Namespace they
	// reference (namespace/name).
	byGroupRef = "groupRef"
	// byChildGroup indexes ClusterGroups by their child groups, and Groups by the
	// child groups of their Namespace (namespace/name).
	byChildGroup = "childGroup"
)

// addIndexers adds an indexer unless the informer already has it (several plugins
// share one informer).
func addIndexers(informer cache.SharedIndexInformer, indexers cache.Indexers) error {
	missing := cache.Indexers{}
	for name, fn := range indexers {
		if _, ok := informer.GetIndexer().GetIndexers()[name]; !ok {
			missing[name] = fn
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if err := informer.AddIndexers(missing); err != nil {
		return fmt.Errorf("adding indexers: %w", err)
	}
	return nil
}

// policyTierIndex is the Tier of a ClusterNetworkPolicy or an Antrea
// NetworkPolicy: "application" when unset, a legacy static name in lower case.
func policyTierIndex(obj interface{}) ([]string, error) {
	var tier string
	switch p := obj.(type) {
	case *v1beta1.ClusterNetworkPolicy:
		tier = p.Spec.Tier
	case *v1beta1.NetworkPolicy:
		tier = p.Spec.Tier
	default:
		return nil, nil
	}
	return []string{tierName(tier)}, nil
}

// tierName is the name of the Tier a policy's spec.tier designates.
func tierName(tier string) string {
	if tier == "" {
		return crd.TierApplication
	}
	if name, legacy := crd.LegacyStaticTierName(tier); legacy {
		return name
	}
	return tier
}

// policyGroupRefIndex is the ClusterGroups a ClusterNetworkPolicy references, or
// the Groups (namespace/name) an Antrea NetworkPolicy references: a NetworkPolicy's
// group is a Group of its own Namespace.
func policyGroupRefIndex(obj interface{}) ([]string, error) {
	switch p := obj.(type) {
	case *v1beta1.ClusterNetworkPolicy:
		return groupRefs(p.Spec.AppliedTo, p.Spec.Ingress, p.Spec.Egress, ""), nil
	case *v1beta1.NetworkPolicy:
		return groupRefs(p.Spec.AppliedTo, p.Spec.Ingress, p.Spec.Egress, p.Namespace), nil
	}
	return nil, nil
}

// groupRefs is the distinct groups named in a policy's appliedTo and peers, as
// namespace/name when namespace is set.
func groupRefs(appliedTo []v1beta1.AppliedTo, ingress, egress []v1beta1.Rule, namespace string) []string {
	refs := map[string]bool{}
	add := func(name string) {
		if name != "" {
			refs[namespacedKey(namespace, name)] = true
		}
	}
	addAppliedTo := func(list []v1beta1.AppliedTo) {
		for _, a := range list {
			add(a.Group)
		}
	}
	addAppliedTo(appliedTo)
	for _, rules := range [][]v1beta1.Rule{ingress, egress} {
		for _, r := range rules {
			addAppliedTo(r.AppliedTo)
			for _, peer := range r.From {
				add(peer.Group)
			}
			for _, peer := range r.To {
				add(peer.Group)
			}
		}
	}
	out := make([]string, 0, len(refs))
	for name := range refs {
		out = append(out, name)
	}
	return out
}

// childGroupIndex is the child groups of a ClusterGroup, or of a Group as
// namespace/name (a Group's children are Groups of its own Namespace).
func childGroupIndex(obj interface{}) ([]string, error) {
	var children []v1beta1.ClusterGroupReference
	var namespace string
	switch g := obj.(type) {
	case *v1beta1.ClusterGroup:
		children = g.Spec.ChildGroups
	case *v1beta1.Group:
		children, namespace = g.Spec.ChildGroups, g.Namespace
	default:
		return nil, nil
	}
	out := make([]string, 0, len(children))
	for _, c := range children {
		out = append(out, namespacedKey(namespace, string(c)))
	}
	return out, nil
}

// namespacedKey is name, or namespace/name when namespace is set.
func namespacedKey(namespace, name string) string {
	if namespace == "" {
		return name
	}
	return namespace + "/" + name
}
