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
	// byTier indexes ClusterNetworkPolicies by the Tier they belong to.
	byTier = "tier"
	// byGroupRef indexes ClusterNetworkPolicies by the ClusterGroups they reference.
	byGroupRef = "groupRef"
	// byChildGroup indexes ClusterGroups by their child groups.
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

func policyTierIndex(obj interface{}) ([]string, error) {
	p, ok := obj.(*v1beta1.ClusterNetworkPolicy)
	if !ok {
		return nil, nil
	}
	if p.Spec.Tier == "" {
		return []string{crd.TierApplication}, nil
	}
	if name, legacy := crd.LegacyStaticTierName(p.Spec.Tier); legacy {
		return []string{name}, nil
	}
	return []string{p.Spec.Tier}, nil
}

func policyGroupRefIndex(obj interface{}) ([]string, error) {
	p, ok := obj.(*v1beta1.ClusterNetworkPolicy)
	if !ok {
		return nil, nil
	}
	refs := map[string]bool{}
	addAppliedTo := func(list []v1beta1.AppliedTo) {
		for _, a := range list {
			if a.Group != "" {
				refs[a.Group] = true
			}
		}
	}
	addAppliedTo(p.Spec.AppliedTo)
	for _, rules := range [][]v1beta1.Rule{p.Spec.Ingress, p.Spec.Egress} {
		for _, r := range rules {
			addAppliedTo(r.AppliedTo)
			for _, peer := range append(append([]v1beta1.NetworkPolicyPeer{}, r.From...), r.To...) {
				if peer.Group != "" {
					refs[peer.Group] = true
				}
			}
		}
	}
	out := make([]string, 0, len(refs))
	for name := range refs {
		out = append(out, name)
	}
	return out, nil
}

func childGroupIndex(obj interface{}) ([]string, error) {
	g, ok := obj.(*v1beta1.ClusterGroup)
	if !ok {
		return nil, nil
	}
	out := make([]string, 0, len(g.Spec.ChildGroups))
	for _, c := range g.Spec.ChildGroups {
		out = append(out, string(c))
	}
	return out, nil
}
