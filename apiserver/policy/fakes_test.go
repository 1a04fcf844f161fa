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
	"sort"
	"sync"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/sets"
	npav1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"

	"github.com/strata-net/strata/apis/controlplane"
	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
	"github.com/strata-net/strata/apiserver/computed"
)

// fakeSources serves source objects from maps.
type fakeSources struct {
	mu       sync.Mutex
	acnps    map[string]*crdv1beta1.ClusterNetworkPolicy
	annps    map[string]*crdv1beta1.NetworkPolicy // by namespace/name
	nsgroups map[string]*crdv1beta1.Group         // by namespace/name
	k8snps   map[string]*networkingv1.NetworkPolicy
	tiers    map[string]*crdv1beta1.Tier
	groups   map[string]*crdv1beta1.ClusterGroup
	services map[string]*corev1.Service
	cnps     map[string]*npav1beta1.ClusterNetworkPolicy // upstream
}

func newFakeSources() *fakeSources {
	s := &fakeSources{acnps: map[string]*crdv1beta1.ClusterNetworkPolicy{},
		annps: map[string]*crdv1beta1.NetworkPolicy{}, nsgroups: map[string]*crdv1beta1.Group{}, k8snps: map[string]*networkingv1.NetworkPolicy{},
		tiers: map[string]*crdv1beta1.Tier{}, groups: map[string]*crdv1beta1.ClusterGroup{}, services: map[string]*corev1.Service{},
		cnps: map[string]*npav1beta1.ClusterNetworkPolicy{}}
	for name, prio := range map[string]int32{"emergency": 50, "securityops": 100, "networkops": 150, "platform": 200, "application": 250, "baseline": 253} {
		s.tiers[name] = &crdv1beta1.Tier{Spec: crdv1beta1.TierSpec{Priority: prio}}
	}
	return s
}

func (s *fakeSources) ClusterNetworkPolicy(name string) (*crdv1beta1.ClusterNetworkPolicy, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.acnps[name]
	return p, ok
}

func (s *fakeSources) AntreaNetworkPolicy(ns, name string) (*crdv1beta1.NetworkPolicy, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.annps[ns+"/"+name]
	return p, ok
}

func (s *fakeSources) Group(ns, name string) (*crdv1beta1.Group, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.nsgroups[ns+"/"+name]
	return g, ok
}

func (s *fakeSources) K8sNetworkPolicy(ns, name string) (*networkingv1.NetworkPolicy, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.k8snps[ns+"/"+name]
	return p, ok
}

func (s *fakeSources) Tier(name string) (*crdv1beta1.Tier, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tiers[name]
	return t, ok
}

func (s *fakeSources) ClusterGroup(name string) (*crdv1beta1.ClusterGroup, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[name]
	return g, ok
}

func (s *fakeSources) Service(ns, name string) (*corev1.Service, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	svc, ok := s.services[ns+"/"+name]
	return svc, ok
}

func (s *fakeSources) UpstreamClusterNetworkPolicy(name string) (*npav1beta1.ClusterNetworkPolicy, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.cnps[name]
	return p, ok
}

// fakeSink keeps the latest published state.
type fakeSink struct {
	mu       sync.Mutex
	policies map[string]*controlplane.NetworkPolicy
	spans    map[string]sets.Set[string]
	address  map[string]*computed.AddressGroup
	applied  map[string]*computed.AppliedToGroup
	upserts  int
}

func newFakeSink() *fakeSink {
	return &fakeSink{policies: map[string]*controlplane.NetworkPolicy{}, spans: map[string]sets.Set[string]{},
		address: map[string]*computed.AddressGroup{}, applied: map[string]*computed.AppliedToGroup{}}
}

func (s *fakeSink) UpsertNetworkPolicy(np *controlplane.NetworkPolicy, span sets.Set[string]) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.policies[np.Name], s.spans[np.Name] = np, span
	s.upserts++
	return nil
}

// upsertCount is the number of policy upserts so far.
func (s *fakeSink) upsertCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.upserts
}

// policyCount is the number of policies published.
func (s *fakeSink) policyCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.policies)
}

func (s *fakeSink) DeleteNetworkPolicy(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.policies, name)
	delete(s.spans, name)
	return nil
}

func (s *fakeSink) UpsertAddressGroup(g *computed.AddressGroup) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.address[g.Name] = g
	s.upserts++
	return nil
}

func (s *fakeSink) DeleteAddressGroup(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.address, name)
	return nil
}

func (s *fakeSink) UpsertAppliedToGroup(g *computed.AppliedToGroup) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.applied[g.Name] = g
	s.upserts++
	return nil
}

func (s *fakeSink) DeleteAppliedToGroup(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.applied, name)
	return nil
}

// addressMembers returns the "namespace/name" of an AddressGroup's members, sorted.
func (s *fakeSink) addressMembers(name string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, m := range s.address[name].Members {
		out = append(out, m.Pod.Namespace+"/"+m.Pod.Name)
	}
	sort.Strings(out)
	return out
}

// appliedMembers returns "node:namespace/name" of an AppliedToGroup's members.
func (s *fakeSink) appliedMembers(name string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for node, members := range s.applied[name].MembersByNode {
		for _, m := range members {
			out = append(out, node+":"+m.Pod.Namespace+"/"+m.Pod.Name)
		}
	}
	sort.Strings(out)
	return out
}

func intOrString(v int) intstr.IntOrString { return intstr.FromInt32(int32(v)) }
