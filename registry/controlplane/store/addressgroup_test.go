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

package store

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/apiserver/computed"
)

var (
	agPod1 = podMember("ns1", "pod1", "10.0.0.1")
	agPod2 = podMember("ns1", "pod2", "10.0.0.2")
	agPod3 = podMember("ns2", "pod3", "10.0.0.3", "fd00::3")
)

func addressGroup(span sets.Set[string], ms ...*controlplane.GroupMember) *computed.AddressGroup {
	return &computed.AddressGroup{Name: "ag1", UID: "uid-ag1", Members: computed.MemberSet(ms...), Span: span}
}

func addressGroupSentinel(nodeNames []string) *computed.AddressGroup {
	return &computed.AddressGroup{Name: sentinelName, Span: nodes(nodeNames...)}
}

func agObject(ms ...*controlplane.GroupMember) *controlplane.AddressGroup {
	return &controlplane.AddressGroup{
		ObjectMeta:   metav1.ObjectMeta{Name: "ag1", UID: "uid-ag1"},
		GroupMembers: members(ms...),
	}
}

func agPatch(added, removed []*controlplane.GroupMember) *controlplane.AddressGroupPatch {
	p := &controlplane.AddressGroupPatch{ObjectMeta: metav1.ObjectMeta{Name: "ag1", UID: "uid-ag1"}}
	if len(added) > 0 {
		p.AddedGroupMembers = members(added...)
	}
	if len(removed) > 0 {
		p.RemovedGroupMembers = members(removed...)
	}
	return p
}

var agDeleted = &controlplane.AddressGroup{ObjectMeta: metav1.ObjectMeta{Name: "ag1", UID: "uid-ag1"}}

func agBookmark(rv string) watch.Event {
	return bookmark(&controlplane.AddressGroup{}, rv, false)
}

func TestAddressGroupWatch(t *testing.T) {
	withPort := podMember("ns1", "pod1", "10.0.0.1")
	withPort.Ports = []controlplane.NamedPort{{Name: "http", Port: 80, Protocol: controlplane.ProtocolTCP}}
	tests := []watchCase[*computed.AddressGroup]{
		{
			name:    "nodeName selecting nothing",
			initial: []*computed.AddressGroup{addressGroup(nodes("node1"), agPod1)},
			ops:     []op[*computed.AddressGroup]{{upsert: addressGroup(nodes("node1"), agPod1, agPod2)}},
			want:    map[string][]watch.Event{"node3": {agBookmark("1")}},
		},
		{
			name:    "nodeName provided",
			initial: []*computed.AddressGroup{addressGroup(nodes("node1", "node2"), agPod1, agPod2)},
			ops:     []op[*computed.AddressGroup]{{upsert: addressGroup(nodes("node1", "node2"), agPod1, agPod3)}},
			want: map[string][]watch.Event{
				"node1": {
					{Type: watch.Added, Object: agObject(agPod1, agPod2)},
					agBookmark("1"),
					{Type: watch.Modified, Object: agPatch([]*controlplane.GroupMember{agPod3}, []*controlplane.GroupMember{agPod2})},
				},
			},
		},
		{
			name:    "nodeName not provided",
			initial: []*computed.AddressGroup{addressGroup(nil, agPod1)},
			ops: []op[*computed.AddressGroup]{
				{upsert: addressGroup(nil, agPod1, agPod2)},
				{delete: "ag1"},
			},
			want: map[string][]watch.Event{
				"": {
					{Type: watch.Added, Object: agObject(agPod1)},
					agBookmark("1"),
					{Type: watch.Modified, Object: agPatch([]*controlplane.GroupMember{agPod2}, nil)},
					{Type: watch.Deleted, Object: agDeleted},
				},
			},
		},
		{
			name:    "span growth is ADDED for the new Node only",
			initial: []*computed.AddressGroup{addressGroup(nodes("node1"), agPod1)},
			ops:     []op[*computed.AddressGroup]{{upsert: addressGroup(nodes("node1", "node2"), agPod1)}},
			want: map[string][]watch.Event{
				"node1": {{Type: watch.Added, Object: agObject(agPod1)}, agBookmark("1")},
				"node2": {agBookmark("1"), {Type: watch.Added, Object: agObject(agPod1)}},
			},
		},
		{
			name:    "span shrink is DELETED for the Node that left",
			initial: []*computed.AddressGroup{addressGroup(nodes("node1", "node2"), agPod1)},
			ops:     []op[*computed.AddressGroup]{{upsert: addressGroup(nodes("node2"), agPod1, agPod2)}},
			want: map[string][]watch.Event{
				"node1": {{Type: watch.Added, Object: agObject(agPod1)}, agBookmark("1"), {Type: watch.Deleted, Object: agDeleted}},
				"node2": {
					{Type: watch.Added, Object: agObject(agPod1)}, agBookmark("1"),
					{Type: watch.Modified, Object: agPatch([]*controlplane.GroupMember{agPod2}, nil)},
				},
			},
		},
		{
			name:    "no-op upsert of an equal group",
			initial: []*computed.AddressGroup{addressGroup(nodes("node1"), agPod1)},
			ops:     []op[*computed.AddressGroup]{{upsert: addressGroup(nodes("node1"), podMember("ns1", "pod1", "10.0.0.1"))}},
			want: map[string][]watch.Event{
				"node1": {{Type: watch.Added, Object: agObject(agPod1)}, agBookmark("1")},
				"":      {{Type: watch.Added, Object: agObject(agPod1)}, agBookmark("1")},
			},
		},
		{
			name:    "a member whose ports change is re-added under its key",
			initial: []*computed.AddressGroup{addressGroup(nodes("node1"), agPod1)},
			ops:     []op[*computed.AddressGroup]{{upsert: addressGroup(nodes("node1"), withPort)}},
			want: map[string][]watch.Event{
				"node1": {
					{Type: watch.Added, Object: agObject(agPod1)}, agBookmark("1"),
					{Type: watch.Modified, Object: agPatch([]*controlplane.GroupMember{withPort}, nil)},
				},
			},
		},
		{
			name:    "created later and deleted",
			initial: nil,
			ops: []op[*computed.AddressGroup]{
				{upsert: addressGroup(nodes("node1"), agPod1)},
				{delete: "ag1"},
			},
			want: map[string][]watch.Event{
				"node1": {agBookmark("0"), {Type: watch.Added, Object: agObject(agPod1)}, {Type: watch.Deleted, Object: agDeleted}},
				"node2": {agBookmark("0")},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			runWatchCase(t, tc, NewAddressGroupStore, addressGroupSentinel)
		})
	}
}

func TestAddressGroupEventFunc(t *testing.T) {
	g := addressGroup(nodes("node1"), agPod1)
	tests := []struct {
		name       string
		prev, curr *computed.AddressGroup
		wantEvent  bool
	}{
		{name: "same members and span", prev: g, curr: addressGroup(nodes("node1"), agPod1), wantEvent: false},
		{name: "nil and empty span are alike", prev: addressGroup(nil, agPod1), curr: addressGroup(nodes(), agPod1), wantEvent: false},
		{name: "span changed", prev: g, curr: addressGroup(nodes("node2"), agPod1), wantEvent: true},
		{name: "members changed", prev: g, curr: addressGroup(nodes("node1"), agPod2), wantEvent: true},
		{name: "uid changed", prev: g, curr: &computed.AddressGroup{Name: "ag1", UID: types.UID("other"), Members: g.Members, Span: g.Span}, wantEvent: true},
		{name: "created", curr: g, wantEvent: true},
		{name: "deleted", prev: g, wantEvent: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := AddressGroupEventFunc("ag1", tc.prev, tc.curr, 1)
			if err != nil {
				t.Fatal(err)
			}
			if got := ev != nil; got != tc.wantEvent {
				t.Errorf("event = %v, want an event: %v", ev, tc.wantEvent)
			}
		})
	}
}
