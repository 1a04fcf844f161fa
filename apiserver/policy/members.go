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
	"k8s.io/apimachinery/pkg/api/equality"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/apiserver/computed"
	"github.com/strata-net/strata/apiserver/policy/grouping"
)

// podMembers are the group members of one version of a Pod and their keys, made
// once and shared by every group that selects the Pod (members are immutable once
// published): 100k Pods in three groups each cost 100k members of each kind, not
// 300k, and no key is formatted twice.
type podMembers struct {
	appliedTo, address       *controlplane.GroupMember // nil when excluded
	appliedToKey, addressKey string
}

// memoizeMembers makes the members of a Pod and keeps them in its Memo. Call it
// before the Pod is shared (the Pod informer's transform, UpsertPod): readers,
// possibly several goroutines at once, only read the Memo.
func memoizeMembers(p *grouping.Pod) {
	if _, ok := p.Memo.(*podMembers); !ok {
		p.Memo = makeMembers(p)
	}
}

// membersOf returns the members of a Pod: its Memo, or members made for the call
// when it has none. It never writes the Pod.
func membersOf(p *grouping.Pod) *podMembers {
	if m, ok := p.Memo.(*podMembers); ok {
		return m
	}
	return makeMembers(p)
}

func makeMembers(p *grouping.Pod) *podMembers {
	m := &podMembers{appliedTo: appliedToMember(p), address: addressMember(p)}
	if m.appliedTo != nil {
		m.appliedToKey = computed.MemberKey(m.appliedTo)
	}
	if m.address != nil {
		if m.appliedTo != nil {
			// The same reference and ports: only the IPs differ.
			m.address.Pod, m.address.Ports = m.appliedTo.Pod, m.appliedTo.Ports
		}
		m.addressKey = computed.MemberKey(m.address)
	}
	return m
}

// appliedToMember returns the AppliedToGroup member of a Pod, or nil when the Pod is
// excluded: not scheduled, host-network or terminated.
func appliedToMember(p *grouping.Pod) *controlplane.GroupMember {
	if p.NodeName == "" || p.HostNetwork || p.Terminated {
		return nil
	}
	return &controlplane.GroupMember{
		Pod:   &controlplane.PodReference{Name: p.Name, Namespace: p.Namespace},
		Ports: namedPorts(p.Ports),
	}
}

// addressMember returns the AddressGroup member of a Pod, or nil when the Pod is
// excluded: host-network, terminated or without an IP.
func addressMember(p *grouping.Pod) *controlplane.GroupMember {
	if p.HostNetwork || p.Terminated || len(p.IPs) == 0 {
		return nil
	}
	ips := make([]controlplane.IPAddress, len(p.IPs))
	for i, ip := range p.IPs {
		ips[i] = controlplane.IPAddress(ip)
	}
	return &controlplane.GroupMember{
		Pod:   &controlplane.PodReference{Name: p.Name, Namespace: p.Namespace},
		IPs:   ips,
		Ports: namedPorts(p.Ports),
	}
}

func namedPorts(ports []grouping.NamedPort) []controlplane.NamedPort {
	if len(ports) == 0 {
		return nil
	}
	out := make([]controlplane.NamedPort, len(ports))
	for i, p := range ports {
		out[i] = controlplane.NamedPort{Name: p.Name, Port: p.Port, Protocol: controlplane.Protocol(p.Protocol)}
	}
	return out
}

// sameMembers tells whether two member maps hold the same members. Members of an
// unchanged Pod are the same pointer; others are compared by value.
func sameMembers(a, b map[string]*controlplane.GroupMember) bool {
	if len(a) != len(b) {
		return false
	}
	for key, m := range a {
		o, ok := b[key]
		if !ok || (m != o && !equality.Semantic.DeepEqual(m, o)) {
			return false
		}
	}
	return true
}

// sameMembersByNode tells whether two AppliedToGroup member maps are equal.
func sameMembersByNode(a, b map[string]map[string]*controlplane.GroupMember) bool {
	if len(a) != len(b) {
		return false
	}
	for node, members := range a {
		if o, ok := b[node]; !ok || !sameMembers(members, o) {
			return false
		}
	}
	return true
}
