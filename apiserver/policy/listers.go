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
	corelisters "k8s.io/client-go/listers/core/v1"
	networkinglisters "k8s.io/client-go/listers/networking/v1"
	npav1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"
	npalisters "sigs.k8s.io/network-policy-api/pkg/client/listers/apis/v1beta1"

	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
	crdlisters "github.com/strata-net/strata/generated/listers/crd/v1beta1"
)

// listerSources reads the source objects from informer caches.
type listerSources struct {
	acnps    crdlisters.ClusterNetworkPolicyLister
	annps    crdlisters.NetworkPolicyLister
	nsgroups crdlisters.GroupLister
	tiers    crdlisters.TierLister
	groups   crdlisters.ClusterGroupLister
	k8snps   networkinglisters.NetworkPolicyLister
	services corelisters.ServiceLister
	cnps     npalisters.ClusterNetworkPolicyLister // upstream, policy.networking.k8s.io
}

var _ Sources = listerSources{}

func (s listerSources) ClusterNetworkPolicy(name string) (*crdv1beta1.ClusterNetworkPolicy, bool) {
	p, err := s.acnps.Get(name)
	return p, err == nil
}

func (s listerSources) AntreaNetworkPolicy(namespace, name string) (*crdv1beta1.NetworkPolicy, bool) {
	p, err := s.annps.NetworkPolicies(namespace).Get(name)
	return p, err == nil
}

func (s listerSources) Group(namespace, name string) (*crdv1beta1.Group, bool) {
	g, err := s.nsgroups.Groups(namespace).Get(name)
	return g, err == nil
}

func (s listerSources) K8sNetworkPolicy(namespace, name string) (*networkingv1.NetworkPolicy, bool) {
	p, err := s.k8snps.NetworkPolicies(namespace).Get(name)
	return p, err == nil
}

func (s listerSources) Tier(name string) (*crdv1beta1.Tier, bool) {
	t, err := s.tiers.Get(name)
	return t, err == nil
}

func (s listerSources) ClusterGroup(name string) (*crdv1beta1.ClusterGroup, bool) {
	g, err := s.groups.Get(name)
	return g, err == nil
}

func (s listerSources) Service(namespace, name string) (*corev1.Service, bool) {
	svc, err := s.services.Services(namespace).Get(name)
	return svc, err == nil
}

func (s listerSources) UpstreamClusterNetworkPolicy(name string) (*npav1beta1.ClusterNetworkPolicy, bool) {
	p, err := s.cnps.Get(name)
	return p, err == nil
}
