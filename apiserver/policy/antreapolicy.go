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
	"k8s.io/client-go/tools/cache"
	npalisters "sigs.k8s.io/network-policy-api/pkg/client/listers/apis/v1beta1"

	crdv1beta1informers "github.com/strata-net/strata/generated/informers/externalversions/crd/v1beta1"
	crdlisters "github.com/strata-net/strata/generated/listers/crd/v1beta1"
)

// emptyAntreaListers are the listers of Antrea-native resources while the
// AntreaPolicy feature gate is off: they hold nothing, so nothing Antrea-native is
// computed, and no informer of those resources is started.
func emptyAntreaListers(s *listerSources) {
	empty := func() cache.Indexer { return cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{}) }
	s.acnps, s.tiers, s.groups = crdlisters.NewClusterNetworkPolicyLister(empty()), crdlisters.NewTierLister(empty()),
		crdlisters.NewClusterGroupLister(empty())
	s.annps, s.nsgroups = crdlisters.NewNetworkPolicyLister(empty()), crdlisters.NewGroupLister(empty())
}

// antreaListers are the listers of Antrea-native resources from the informers.
func antreaListers(s *listerSources, crd crdv1beta1informers.Interface) {
	s.acnps, s.tiers, s.groups = crd.ClusterNetworkPolicies().Lister(), crd.Tiers().Lister(), crd.ClusterGroups().Lister()
	s.annps, s.nsgroups = crd.NetworkPolicies().Lister(), crd.Groups().Lister()
}

// emptyUpstreamListers are the listers of the upstream ClusterNetworkPolicies while
// they are not watched (the ClusterNetworkPolicy feature gate off): they hold
// nothing, so none is computed.
func emptyUpstreamListers(s *listerSources) {
	s.cnps = npalisters.NewClusterNetworkPolicyLister(cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{}))
}
