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

package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// +genclient
// +resourceName=antreaclusternetworkpolicystats
// +genclient:readonly
// +genclient:nonNamespaced
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// AntreaClusterNetworkPolicyStats are the traffic statistics of an Antrea
// ClusterNetworkPolicy, named as the policy.
type AntreaClusterNetworkPolicyStats struct {
	metav1.TypeMeta `json:",inline"`
	// Standard object metadata: the policy's name; creationTimestamp is when the
	// counting started.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`
	// TrafficStats are the policy's totals.
	// +optional
	TrafficStats TrafficStats `json:"trafficStats,omitempty"`
	// RuleTrafficStats are the totals of each rule.
	// +optional
	// +listType=atomic
	RuleTrafficStats []RuleTrafficStats `json:"ruleTrafficStats,omitempty"`
}

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// AntreaClusterNetworkPolicyStatsList is a list of AntreaClusterNetworkPolicyStats.
type AntreaClusterNetworkPolicyStatsList struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []AntreaClusterNetworkPolicyStats `json:"items"`
}

// +genclient
// +resourceName=antreanetworkpolicystats
// +genclient:readonly
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// AntreaNetworkPolicyStats are the traffic statistics of an Antrea NetworkPolicy
// (ANNP), named as the policy in its Namespace.
type AntreaNetworkPolicyStats struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`
	// TrafficStats are the policy's totals.
	// +optional
	TrafficStats TrafficStats `json:"trafficStats,omitempty"`
	// RuleTrafficStats are the totals of each rule.
	// +optional
	// +listType=atomic
	RuleTrafficStats []RuleTrafficStats `json:"ruleTrafficStats,omitempty"`
}

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// AntreaNetworkPolicyStatsList is a list of AntreaNetworkPolicyStats.
type AntreaNetworkPolicyStatsList struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []AntreaNetworkPolicyStats `json:"items"`
}

// +genclient
// +resourceName=networkpolicystats
// +genclient:readonly
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// NetworkPolicyStats are the traffic statistics of a Kubernetes NetworkPolicy.
type NetworkPolicyStats struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`
	// TrafficStats are the policy's totals.
	// +optional
	TrafficStats TrafficStats `json:"trafficStats,omitempty"`
}

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// NetworkPolicyStatsList is a list of NetworkPolicyStats.
type NetworkPolicyStatsList struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []NetworkPolicyStats `json:"items"`
}

// TrafficStats are counts of a policy or a rule. For an Allow rule a session is a
// connection it committed, and packets and bytes count both directions of it; for
// Drop and Reject every denied packet is a session.
type TrafficStats struct {
	// Packets counted.
	// +optional
	Packets int64 `json:"packets,omitempty"`
	// Bytes counted.
	// +optional
	Bytes int64 `json:"bytes,omitempty"`
	// Sessions counted.
	// +optional
	Sessions int64 `json:"sessions,omitempty"`
}

// RuleTrafficStats are the counts of one rule of a policy.
type RuleTrafficStats struct {
	// Name is the rule's name, or "ingress-<i>" / "egress-<i>" (its index in
	// the list) for a rule without one.
	// +optional
	Name string `json:"name,omitempty"`
	// TrafficStats are the rule's counts.
	// +optional
	TrafficStats TrafficStats `json:"trafficStats,omitempty"`
	// LastHit is when a report last brought the rule a packet (Strata; not in
	// Antrea); unset when it has had none since the counting started.
	// +optional
	LastHit *metav1.Time `json:"lastHit,omitempty"`
}
