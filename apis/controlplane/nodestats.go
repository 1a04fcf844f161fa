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

package controlplane

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	statsv1alpha1 "github.com/strata-net/strata/apis/stats/v1alpha1"
)

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// NodeStatsSummary is what a node agent posts (POST nodestatssummaries): the
// counts its rules' flows added since its previous summary.
type NodeStatsSummary struct {
	metav1.TypeMeta
	// Standard object metadata; the name is the Node's name.
	metav1.ObjectMeta

	// NetworkPolicies are the counts of Kubernetes NetworkPolicies.
	NetworkPolicies []NetworkPolicyStats
	// AntreaClusterNetworkPolicies are the counts of Antrea ClusterNetworkPolicies.
	AntreaClusterNetworkPolicies []NetworkPolicyStats
	// AntreaNetworkPolicies are the counts of Antrea NetworkPolicies.
	AntreaNetworkPolicies []NetworkPolicyStats
}

// NetworkPolicyStats are the counts of one policy and of its rules.
type NetworkPolicyStats struct {
	// NetworkPolicy is the source policy.
	NetworkPolicy NetworkPolicyReference
	// TrafficStats are the policy's counts.
	TrafficStats statsv1alpha1.TrafficStats
	// RuleTrafficStats are the counts of each rule.
	RuleTrafficStats []statsv1alpha1.RuleTrafficStats
}
