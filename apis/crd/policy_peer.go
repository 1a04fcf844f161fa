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

package crd

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// NetworkPolicyPeer is a source or destination of a rule. Set one kind of peer:
// pod and/or namespace selectors (with namespaces), ipBlock, group, fqdn,
// serviceAccount or nodeSelector.
type NetworkPolicyPeer struct {
	// IPBlock selects addresses in a CIDR, minus its exceptions.
	IPBlock *IPBlock
	// PodSelector selects Pods: in the Namespaces of NamespaceSelector or Namespaces
	// when set, else in all Namespaces (ClusterNetworkPolicy) or the policy's
	// Namespace (NetworkPolicy).
	PodSelector *metav1.LabelSelector
	// NamespaceSelector selects Namespaces; alone it selects all their Pods.
	NamespaceSelector *metav1.LabelSelector
	// Namespaces selects Namespaces relative to the workload the policy applies to
	// (ClusterNetworkPolicy only). Cannot be combined with NamespaceSelector.
	Namespaces *PeerNamespaces
	// ExternalEntitySelector selects ExternalEntities (NetworkPolicy only).
	ExternalEntitySelector *metav1.LabelSelector
	// Group is the name of a ClusterGroup (or a Group for NetworkPolicy). It cannot be
	// combined with other fields.
	Group string
	// FQDN is a domain name, "*" wildcards allowed (egress only).
	FQDN string
	// ServiceAccount selects the Pods running as this ServiceAccount.
	ServiceAccount *NamespacedName
	// NodeSelector selects Nodes by label; their IPs are the peer.
	NodeSelector *metav1.LabelSelector
	// Scope is Cluster (default) or ClusterSet (ingress only).
	Scope PeerScope
}

// PeerScope is the scope of a peer's selectors.
type PeerScope string

// The peer scopes.
const (
	// ScopeCluster selects within this cluster.
	ScopeCluster PeerScope = "Cluster"
	// ScopeClusterSet selects within the whole ClusterSet.
	ScopeClusterSet PeerScope = "ClusterSet"
)

// AppliedTo selects the workloads a policy or rule applies to. Set one kind:
// pod and/or namespace selectors, group, serviceAccount, service or nodeSelector.
type AppliedTo struct {
	// PodSelector selects Pods.
	PodSelector *metav1.LabelSelector
	// NamespaceSelector selects Namespaces; alone it selects all their Pods.
	NamespaceSelector *metav1.LabelSelector
	// ExternalEntitySelector selects ExternalEntities (NetworkPolicy only).
	ExternalEntitySelector *metav1.LabelSelector
	// Group is the name of a ClusterGroup (or a Group for NetworkPolicy).
	Group string
	// ServiceAccount selects the Pods running as this ServiceAccount.
	ServiceAccount *NamespacedName
	// Service selects a NodePort Service (ingress only).
	Service *NamespacedName
	// NodeSelector selects Nodes (spec-level appliedTo only).
	NodeSelector *metav1.LabelSelector
}

// NamespaceMatchType selects Namespaces relative to the workload a policy applies to.
type NamespaceMatchType string

// NamespaceMatchSelf selects the Namespace of the workload the policy applies to.
const NamespaceMatchSelf NamespaceMatchType = "Self"

// PeerNamespaces selects Namespaces relative to the workload a policy applies to.
// Exactly one field is set.
type PeerNamespaces struct {
	// Match is "Self": the Namespace of the workload the policy applies to.
	Match NamespaceMatchType
	// SameLabels selects the Namespaces that share the values of these label keys
	// with the Namespace of the workload the policy applies to.
	SameLabels []string
}

// IPBlock selects the addresses of a CIDR, minus its exceptions.
type IPBlock struct {
	// CIDR is an IPv4 or IPv6 CIDR, e.g. "10.0.0.0/8".
	CIDR string
	// Except lists CIDRs strictly inside CIDR that are not selected.
	Except []string
}

// NamespacedName refers to a namespaced object.
type NamespacedName struct {
	// Name of the object.
	Name string
	// Namespace of the object.
	Namespace string
}

// PeerService refers to a Service as the destination of an egress rule.
type PeerService struct {
	// Name of the Service.
	Name string
	// Namespace of the Service.
	Namespace string
	// Scope is Cluster (default) or ClusterSet.
	Scope PeerScope
}
