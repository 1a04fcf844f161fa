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
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	npav1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"

	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
)

// Sources reads the source objects of the computation, from informer caches.
type Sources interface {
	ClusterNetworkPolicy(name string) (*crdv1beta1.ClusterNetworkPolicy, bool)
	AntreaNetworkPolicy(namespace, name string) (*crdv1beta1.NetworkPolicy, bool)
	Group(namespace, name string) (*crdv1beta1.Group, bool)
	K8sNetworkPolicy(namespace, name string) (*networkingv1.NetworkPolicy, bool)
	Tier(name string) (*crdv1beta1.Tier, bool)
	ClusterGroup(name string) (*crdv1beta1.ClusterGroup, bool)
	Service(namespace, name string) (*corev1.Service, bool)
	// UpstreamClusterNetworkPolicy is a ClusterNetworkPolicy of
	// policy.networking.k8s.io (network-policy-api), not Antrea's.
	UpstreamClusterNetworkPolicy(name string) (*npav1beta1.ClusterNetworkPolicy, bool)
}
