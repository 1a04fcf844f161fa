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

	"github.com/stretchr/testify/assert"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/apiserver/computed"
)

var (
	atgPod1 = podMember("ns1", "pod1") // on node1
	atgPod2 = podMember("ns1", "pod2") // on node1
	atgPod3 = podMember("ns1", "pod3") // on node2
	atgSvc  = &controlplane.GroupMember{Service: &controlplane.ServiceReference{Namespace: "ns1", Name: "svc"}}
)

// byNode is a MembersByNode literal: byNode("node1", pod1, pod2, "node2", pod3).
func byNode(args ...any) map[string]map[string]*controlplane.GroupMember {
	out := map[string]map[string]*controlplane.GroupMember{}
	var node string
	for _, a := range args {
		switch v := a.(type) {
		case string:
			node = v
			out[node] = map[string]*controlplane.GroupMember{}
		case *controlplane.GroupMember:
			out[node][computed.MemberKey(v)] = v
		}
	}
	return out
}

func appliedToGroup(args ...any) *computed.AppliedToGroup {
	return &computed.AppliedToGroup{Name: "atg1", UID: "uid-atg1", MembersByNode: byNode(args...)}
}

func appliedToGroupSentinel(nodeNames []string) *computed.AppliedToGroup {
	g := &computed.AppliedToGroup{Name: sentinelName, MembersByNode: byNode()}
	for _, n := range nodeNames {
		g.MembersByNode[n] = computed.MemberSet(podMember("sentinel", n))
	}
	return g
}

func atgObject(ms ...*controlplane.GroupMember) *controlplane.AppliedToGroup {
	return &controlplane.AppliedToGroup{ObjectMeta: metav1.ObjectMeta{Name: "atg1", UID: "uid-atg1"}, GroupMembers: members(ms...)}
}

func atgPatch(added, removed []*controlplane.GroupMember) *controlplane.AppliedToGroupPatch {
	p := &controlplane.AppliedToGroupPatch{ObjectMeta: metav1.ObjectMeta{Name: "atg1", UID: "uid-atg1"}}
	if len(added) > 0 {
		p.AddedGroupMembers = members(added...)
	}
	if len(removed) > 0 {
		p.RemovedGroupMembers = members(removed...)
	}
	return p
}

var atgDeleted = &controlplane.AppliedToGroup{ObjectMeta: metav1.ObjectMeta{Name: "atg1", UID: "uid-atg1"}}

func atgBookmark(rv string) watch.Event {
	return bookmark(&controlplane.AppliedToGroup{}, rv, false)
}

type gm = []*controlplane.GroupMember

func TestAppliedToGroupWatch(t *testing.T) {
	tests := []watchCase[*computed.AppliedToGroup]{
		{
			name:    "nodeName selecting nothing",
			initial: []*computed.AppliedToGroup{appliedToGroup("node1", atgPod1)},
			ops:     []op[*computed.AppliedToGroup]{{upsert: appliedToGroup("node1", atgPod1, atgPod2)}},
			want:    map[string][]watch.Event{"node3": {atgBookmark("1")}},
		},
		{
			name:    "nodeName provided sees only its members",
			initial: []*computed.AppliedToGroup{appliedToGroup("node1", atgPod1, "node2", atgPod3)},
			ops:     []op[*computed.AppliedToGroup]{{delete: "atg1"}},
			want: map[string][]watch.Event{
				"node1": {{Type: watch.Added, Object: atgObject(atgPod1)}, atgBookmark("1"), {Type: watch.Deleted, Object: atgDeleted}},
				"node2": {{Type: watch.Added, Object: atgObject(atgPod3)}, atgBookmark("1"), {Type: watch.Deleted, Object: atgDeleted}},
			},
		},
		{
			name:    "nodeName not provided sees all members",
			initial: []*computed.AppliedToGroup{appliedToGroup("node1", atgPod1, atgSvc, "node2", atgPod3, atgSvc)},
			ops:     []op[*computed.AppliedToGroup]{{upsert: appliedToGroup("node1", atgPod1, atgPod2, atgSvc, "node2", atgSvc)}},
			want: map[string][]watch.Event{
				"": {
					{Type: watch.Added, Object: atgObject(atgPod1, atgPod3, atgSvc)}, atgBookmark("1"),
					{Type: watch.Modified, Object: atgPatch(gm{atgPod2}, gm{atgPod3})},
				},
			},
		},
		{
			name:    "member change is a patch only to the Node concerned",
			initial: []*computed.AppliedToGroup{appliedToGroup("node1", atgPod1, "node2", atgPod3)},
			ops:     []op[*computed.AppliedToGroup]{{upsert: appliedToGroup("node1", atgPod2, "node2", atgPod3)}},
			want: map[string][]watch.Event{
				"node1": {{Type: watch.Added, Object: atgObject(atgPod1)}, atgBookmark("1"), {Type: watch.Modified, Object: atgPatch(gm{atgPod2}, gm{atgPod1})}},
				"node2": {{Type: watch.Added, Object: atgObject(atgPod3)}, atgBookmark("1")},
			},
		},
		{
			name:    "span growth is ADDED with the new Node's members",
			initial: []*computed.AppliedToGroup{appliedToGroup("node1", atgPod1)},
			ops:     []op[*computed.AppliedToGroup]{{upsert: appliedToGroup("node1", atgPod1, "node2", atgPod3)}},
			want: map[string][]watch.Event{
				"node1": {{Type: watch.Added, Object: atgObject(atgPod1)}, atgBookmark("1")},
				"node2": {atgBookmark("1"), {Type: watch.Added, Object: atgObject(atgPod3)}},
			},
		},
		{
			name:    "span shrink is DELETED for the Node left without members",
			initial: []*computed.AppliedToGroup{appliedToGroup("node1", atgPod1, "node2", atgPod3)},
			ops:     []op[*computed.AppliedToGroup]{{upsert: appliedToGroup("node1", atgPod1, "node2")}},
			want: map[string][]watch.Event{
				"node1": {{Type: watch.Added, Object: atgObject(atgPod1)}, atgBookmark("1")},
				"node2": {{Type: watch.Added, Object: atgObject(atgPod3)}, atgBookmark("1"), {Type: watch.Deleted, Object: atgDeleted}},
				"":      {{Type: watch.Added, Object: atgObject(atgPod1, atgPod3)}, atgBookmark("1"), {Type: watch.Modified, Object: atgPatch(nil, gm{atgPod3})}},
			},
		},
		{
			name:    "no-op upsert of an equal group",
			initial: []*computed.AppliedToGroup{appliedToGroup("node1", atgPod1)},
			ops:     []op[*computed.AppliedToGroup]{{upsert: appliedToGroup("node1", podMember("ns1", "pod1"), "node2")}},
			want: map[string][]watch.Event{
				"node1": {{Type: watch.Added, Object: atgObject(atgPod1)}, atgBookmark("1")},
				"":      {{Type: watch.Added, Object: atgObject(atgPod1)}, atgBookmark("1")},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			runWatchCase(t, tc, NewAppliedToGroupStore, appliedToGroupSentinel)
		})
	}
}

func TestAppliedToGroupSpan(t *testing.T) {
	g := appliedToGroup("node1", atgPod1, "node2", "node3", atgSvc)
	assert.Equal(t, nodes("node1", "node3"), g.Span())
	assert.True(t, g.InSpan("node1"))
	assert.False(t, g.InSpan("node2"), "a Node without members is not in the span")
	assert.Equal(t, atgObject(atgPod1, atgSvc), g.ToAPI(""))
	assert.Equal(t, atgObject(atgSvc), g.ToAPI("node3"))
}
