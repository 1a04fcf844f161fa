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

// Package features holds strata-apiserver's own feature gates. They live in the
// generic API server's feature gate (k8s.io/apiserver's DefaultMutableFeatureGate),
// so --feature-gates and the configuration file's featureGates set them, next to
// the generic server's gates.
package features

import (
	"sort"

	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	"k8s.io/component-base/featuregate"
)

// AntreaPolicy computes Antrea-native policies: Tiers, ClusterNetworkPolicies and
// ClusterGroups. When off they are still stored and validated, but have no effect:
// only Kubernetes NetworkPolicies are computed and enforced. Beta, on by default, as
// in Antrea.
const AntreaPolicy featuregate.Feature = "AntreaPolicy"

// ClusterNetworkPolicy computes the upstream ClusterNetworkPolicies
// (clusternetworkpolicies.policy.networking.k8s.io, sigs.k8s.io/network-policy-api):
// strata-apiserver watches them through kube-apiserver, which must serve their CRD
// (artifacts/network-policy-api), and is not ready until their informer synced.
// When off they are not watched and have no effect: for a kube-apiserver without
// the CRD. Beta, on by default.
const ClusterNetworkPolicy featuregate.Feature = "ClusterNetworkPolicy"

// specs are Strata's gates.
var specs = map[featuregate.Feature]featuregate.FeatureSpec{
	AntreaPolicy:         {Default: true, PreRelease: featuregate.Beta},
	ClusterNetworkPolicy: {Default: true, PreRelease: featuregate.Beta},
}

func init() {
	utilruntime.Must(utilfeature.DefaultMutableFeatureGate.Add(specs))
}

// Enabled tells whether a Strata feature is on.
func Enabled(f featuregate.Feature) bool {
	return utilfeature.DefaultFeatureGate.Enabled(f)
}

// Status is the state of one of Strata's gates.
type Status struct {
	Name    string
	Enabled bool
	Stage   string // ALPHA, BETA, GA, DEPRECATED
}

// Statuses returns Strata's gates (not the generic server's), sorted by name.
func Statuses() []Status {
	out := make([]Status, 0, len(specs))
	for name, spec := range specs {
		stage := string(spec.PreRelease)
		if stage == "" {
			stage = "GA"
		}
		out = append(out, Status{Name: string(name), Enabled: Enabled(name), Stage: stage})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
