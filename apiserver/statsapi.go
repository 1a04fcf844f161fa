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

	genericapiserver "k8s.io/apiserver/pkg/server"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/apis/scheme"
	statsv1alpha1 "github.com/strata-net/strata/apis/stats/v1alpha1"
	"github.com/strata-net/strata/apiserver/stats"
	cpregistry "github.com/strata-net/strata/registry/controlplane"
	statsregistry "github.com/strata-net/strata/registry/stats"
)

// installStats installs stats.antrea.io/v1alpha1: the traffic statistics of every
// policy and rule, summed from the agents' nodestatssummaries.
func installStats(gs *genericapiserver.GenericAPIServer, a *stats.Aggregator) error {
	g := genericapiserver.NewDefaultAPIGroupInfo(statsv1alpha1.GroupName, scheme.Scheme, scheme.ParameterCodec, scheme.Codecs)
	g.VersionedResourcesStorageMap["v1alpha1"] = statsregistry.Storage(a)
	if err := gs.InstallAPIGroup(&g); err != nil {
		return fmt.Errorf("installing %s: %w", statsv1alpha1.GroupName, err)
	}
	return nil
}

// computedPolicies are the policies the computation published: the stats
// aggregator's list of policies and rules.
type computedPolicies struct{ stores *cpregistry.Stores }

func (c computedPolicies) ComputedPolicies() []*controlplane.NetworkPolicy {
	all := c.stores.NetworkPolicies.List()
	out := make([]*controlplane.NetworkPolicy, 0, len(all))
	for _, p := range all {
		if p.Policy != nil {
			out = append(out, p.Policy)
		}
	}
	return out
}
