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

package stats

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/strata-net/strata/apis/controlplane"
	statsv1alpha1 "github.com/strata-net/strata/apis/stats/v1alpha1"
)

func (a *Aggregator) meta(p policy) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: p.ref.Name, Namespace: p.ref.Namespace, UID: p.ref.UID, CreationTimestamp: a.started}
}

// ClusterNetworkPolicyStats are the stats of every Antrea ClusterNetworkPolicy.
func (a *Aggregator) ClusterNetworkPolicyStats() []*statsv1alpha1.AntreaClusterNetworkPolicyStats {
	var out []*statsv1alpha1.AntreaClusterNetworkPolicyStats
	for _, p := range a.collect(controlplane.AntreaClusterNetworkPolicy, "") {
		out = append(out, &statsv1alpha1.AntreaClusterNetworkPolicyStats{ObjectMeta: a.meta(p),
			TrafficStats: p.total, RuleTrafficStats: p.rules})
	}
	return out
}

// AntreaNetworkPolicyStats are the stats of the Antrea NetworkPolicies of
// namespace (every Namespace when empty).
func (a *Aggregator) AntreaNetworkPolicyStats(namespace string) []*statsv1alpha1.AntreaNetworkPolicyStats {
	var out []*statsv1alpha1.AntreaNetworkPolicyStats
	for _, p := range a.collect(controlplane.AntreaNetworkPolicy, namespace) {
		out = append(out, &statsv1alpha1.AntreaNetworkPolicyStats{ObjectMeta: a.meta(p),
			TrafficStats: p.total, RuleTrafficStats: p.rules})
	}
	return out
}

// NetworkPolicyStats are the stats of the Kubernetes NetworkPolicies of
// namespace (every Namespace when empty).
func (a *Aggregator) NetworkPolicyStats(namespace string) []*statsv1alpha1.NetworkPolicyStats {
	var out []*statsv1alpha1.NetworkPolicyStats
	for _, p := range a.collect(controlplane.K8sNetworkPolicy, namespace) {
		out = append(out, &statsv1alpha1.NetworkPolicyStats{ObjectMeta: a.meta(p), TrafficStats: p.total})
	}
	return out
}
