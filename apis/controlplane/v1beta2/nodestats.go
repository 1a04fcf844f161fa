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

package v1beta2

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	statsv1alpha1 "github.com/strata-net/strata/apis/stats/v1alpha1"
)

// +genclient
// +genclient:nonNamespaced
// +genclient:onlyVerbs=create
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// NodeStatsSummary is what a node agent posts (POST nodestatssummaries): the
// counts its rules' flows added since its previous summary (increments, as
// Antrea's agents send them).
type NodeStatsSummary struct {
	metav1.TypeMeta `json:",inline"`
	// Standard object metadata; the name is the Node's name.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// NetworkPolicies are the counts of Kubernetes NetworkPolicies.
	// +optional
	// +listType=atomic
	NetworkPolicies []NetworkPolicyStats `json:"networkPolicies,omitempty"`
	// AntreaClusterNetworkPolicies are the counts of Antrea ClusterNetworkPolicies.
	// +optional
	// +listType=atomic
	AntreaClusterNetworkPolicies []NetworkPolicyStats `json:"antreaClusterNetworkPolicies,omitempty"`
	// AntreaNetworkPolicies are the counts of Antrea NetworkPolicies.
	// +optional
	// +listType=atomic
	AntreaNetworkPolicies []NetworkPolicyStats `json:"antreaNetworkPolicies,omitempty"`
}

// NetworkPolicyStats are the counts of one policy and of its rules.
type NetworkPolicyStats struct {
	// NetworkPolicy is the source policy.
	// +optional
	NetworkPolicy NetworkPolicyReference `json:"networkPolicy,omitempty"`
	// TrafficStats are the policy's counts.
	// +optional
	TrafficStats statsv1alpha1.TrafficStats `json:"trafficStats,omitempty"`
	// RuleTrafficStats are the counts of each rule.
	// +optional
	// +listType=atomic
	RuleTrafficStats []statsv1alpha1.RuleTrafficStats `json:"ruleTrafficStats,omitempty"`
}
