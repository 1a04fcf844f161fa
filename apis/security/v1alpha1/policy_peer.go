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

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// NetworkPolicyPeer is a source or destination of a rule. Set one kind of peer:
// pod and/or namespace selectors (with namespaces), ipBlock, group, fqdn,
// serviceAccount or nodeSelector.
type NetworkPolicyPeer struct {
	// IPBlock selects addresses in a CIDR, minus its exceptions.
	// +optional
	IPBlock *IPBlock `json:"ipBlock,omitempty"`
	// PodSelector selects Pods: in the Namespaces of NamespaceSelector or Namespaces
	// when set, else in all Namespaces (ClusterNetworkPolicy) or the policy's
	// Namespace (NetworkPolicy).
	// +optional
	PodSelector *metav1.LabelSelector `json:"podSelector,omitempty"`
	// NamespaceSelector selects Namespaces; alone it selects all their Pods.
	// +optional
	NamespaceSelector *metav1.LabelSelector `json:"namespaceSelector,omitempty"`
	// Namespaces selects Namespaces relative to the workload the policy applies to
	// (ClusterNetworkPolicy only). Cannot be combined with NamespaceSelector.
	// +optional
	Namespaces *PeerNamespaces `json:"namespaces,omitempty"`
	// ExternalEntitySelector selects ExternalEntities (NetworkPolicy only).
	// +optional
	ExternalEntitySelector *metav1.LabelSelector `json:"externalEntitySelector,omitempty"`
	// Group is the name of a ClusterGroup (or a Group for NetworkPolicy). It cannot be
	// combined with other fields.
	// +optional
	Group string `json:"group,omitempty"`
	// FQDN is a domain name, "*" wildcards allowed (egress only).
	// +optional
	FQDN string `json:"fqdn,omitempty"`
	// ServiceAccount selects the Pods running as this ServiceAccount.
	// +optional
	ServiceAccount *NamespacedName `json:"serviceAccount,omitempty"`
	// NodeSelector selects Nodes by label; their IPs are the peer.
	// +optional
	NodeSelector *metav1.LabelSelector `json:"nodeSelector,omitempty"`
	// Scope is Cluster (default) or ClusterSet (ingress only).
	// +optional
	Scope PeerScope `json:"scope,omitempty"`
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
	// +optional
	PodSelector *metav1.LabelSelector `json:"podSelector,omitempty"`
	// NamespaceSelector selects Namespaces; alone it selects all their Pods.
	// +optional
	NamespaceSelector *metav1.LabelSelector `json:"namespaceSelector,omitempty"`
	// ExternalEntitySelector selects ExternalEntities (NetworkPolicy only).
	// +optional
	ExternalEntitySelector *metav1.LabelSelector `json:"externalEntitySelector,omitempty"`
	// Group is the name of a ClusterGroup (or a Group for NetworkPolicy).
	// +optional
	Group string `json:"group,omitempty"`
	// ServiceAccount selects the Pods running as this ServiceAccount.
	// +optional
	ServiceAccount *NamespacedName `json:"serviceAccount,omitempty"`
	// Service selects a NodePort Service (ingress only).
	// +optional
	Service *NamespacedName `json:"service,omitempty"`
	// NodeSelector selects Nodes (spec-level appliedTo only).
	// +optional
	NodeSelector *metav1.LabelSelector `json:"nodeSelector,omitempty"`
}

// NamespaceMatchType selects Namespaces relative to the workload a policy applies to.
type NamespaceMatchType string

// NamespaceMatchSelf selects the Namespace of the workload the policy applies to.
const NamespaceMatchSelf NamespaceMatchType = "Self"

// PeerNamespaces selects Namespaces relative to the workload a policy applies to.
// Exactly one field is set.
type PeerNamespaces struct {
	// Match is "Self": the Namespace of the workload the policy applies to.
	// +optional
	Match NamespaceMatchType `json:"match,omitempty"`
	// SameLabels selects the Namespaces that share the values of these label keys
	// with the Namespace of the workload the policy applies to.
	// +optional
	// +listType=atomic
	SameLabels []string `json:"sameLabels,omitempty"`
}

// IPBlock selects the addresses of a CIDR, minus its exceptions.
type IPBlock struct {
	// CIDR is an IPv4 or IPv6 CIDR, e.g. "10.0.0.0/8".
	CIDR string `json:"cidr"`
	// Except lists CIDRs strictly inside CIDR that are not selected.
	// +optional
	// +listType=atomic
	Except []string `json:"except,omitempty"`
}

// NamespacedName refers to a namespaced object.
type NamespacedName struct {
	// Name of the object.
	Name string `json:"name,omitempty"`
	// Namespace of the object.
	Namespace string `json:"namespace,omitempty"`
}

// PeerService refers to a Service as the destination of an egress rule.
type PeerService struct {
	// Name of the Service.
	Name string `json:"name,omitempty"`
	// Namespace of the Service.
	Namespace string `json:"namespace,omitempty"`
	// Scope is Cluster (default) or ClusterSet.
	// +optional
	Scope PeerScope `json:"scope,omitempty"`
}
