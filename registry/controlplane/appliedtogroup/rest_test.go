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

package appliedtogroup

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	k8stypes "k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/apiserver/computed"
	"github.com/strata-net/strata/registry/controlplane/store"
)

func pod(name string) *controlplane.GroupMember {
	return &controlplane.GroupMember{Pod: &controlplane.PodReference{Namespace: "ns1", Name: name}}
}

var pod1, pod2, pod3, pod4, pod5 = pod("pod1"), pod("pod2"), pod("pod3"), pod("pod4"), pod("pod5")

// atg1 has pod1 and pod2 on node1, pod3 on node2; atg2 has pod4 on node2.
func atg1(extraOnNode2 ...*controlplane.GroupMember) *computed.AppliedToGroup {
	return &computed.AppliedToGroup{Name: "atg1", UID: "uid1", MembersByNode: map[string]map[string]*controlplane.GroupMember{
		"node1": computed.MemberSet(pod1, pod2),
		"node2": computed.MemberSet(append([]*controlplane.GroupMember{pod3}, extraOnNode2...)...),
	}}
}

var atg2 = &computed.AppliedToGroup{Name: "atg2", UID: "uid2", MembersByNode: map[string]map[string]*controlplane.GroupMember{
	"node2": computed.MemberSet(pod4),
}}

func object(name, uid string, ms ...*controlplane.GroupMember) *controlplane.AppliedToGroup {
	g := &controlplane.AppliedToGroup{ObjectMeta: metav1.ObjectMeta{Name: name, UID: k8stypes.UID(uid)}}
	for _, m := range ms {
		g.GroupMembers = append(g.GroupMembers, *m)
	}
	return g
}

func newTestREST(t *testing.T) (*REST, *store.Store[*computed.AppliedToGroup]) {
	t.Helper()
	s, err := store.NewAppliedToGroupStore(store.Options{})
	require.NoError(t, err)
	t.Cleanup(s.Stop)
	require.NoError(t, s.Upsert(atg1()))
	require.NoError(t, s.Upsert(atg2))
	return NewREST(s), s
}

func nodeSelector(node string) *metainternalversion.ListOptions {
	return &metainternalversion.ListOptions{FieldSelector: fields.OneTermEqualSelector("nodeName", node)}
}

func TestRESTGet(t *testing.T) {
	r, _ := newTestREST(t)
	got, err := r.Get(context.Background(), "atg1", &metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, object("atg1", "uid1", pod1, pod2, pod3), got, "all the members")

	_, err = r.Get(context.Background(), "atg3", &metav1.GetOptions{})
	assert.Equal(t, apierrors.NewNotFound(controlplane.Resource("appliedtogroups"), "atg3"), err)
}

func TestRESTList(t *testing.T) {
	r, _ := newTestREST(t)
	tests := []struct {
		name string
		opts *metainternalversion.ListOptions
		want []controlplane.AppliedToGroup
	}{
		{name: "all members", opts: nil, want: []controlplane.AppliedToGroup{*object("atg1", "uid1", pod1, pod2, pod3), *object("atg2", "uid2", pod4)}},
		{name: "the members of node1", opts: nodeSelector("node1"), want: []controlplane.AppliedToGroup{*object("atg1", "uid1", pod1, pod2)}},
		{name: "the members of node2", opts: nodeSelector("node2"), want: []controlplane.AppliedToGroup{*object("atg1", "uid1", pod3), *object("atg2", "uid2", pod4)}},
		{name: "a Node without members", opts: nodeSelector("node3"), want: []controlplane.AppliedToGroup{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := r.List(context.Background(), tc.opts)
			require.NoError(t, err)
			assert.Equal(t, &controlplane.AppliedToGroupList{ListMeta: metav1.ListMeta{ResourceVersion: "2"}, Items: tc.want}, got)
		})
	}
	_, err := r.List(context.Background(), &metainternalversion.ListOptions{FieldSelector: fields.OneTermEqualSelector("spec", "x")})
	assert.True(t, apierrors.IsBadRequest(err), "error %v", err)
}

func bookmark(rv string) watch.Event {
	return watch.Event{Type: watch.Bookmark, Object: &controlplane.AppliedToGroup{ObjectMeta: metav1.ObjectMeta{ResourceVersion: rv}}}
}

func TestRESTWatch(t *testing.T) {
	patch := &controlplane.AppliedToGroupPatch{ObjectMeta: metav1.ObjectMeta{Name: "atg1", UID: "uid1"}, AddedGroupMembers: []controlplane.GroupMember{*pod5}}
	tests := []struct {
		name string
		opts *metainternalversion.ListOptions
		want []watch.Event // the initial state, then after pod5 joins atg1 on node2
	}{
		{name: "nodeName selecting nothing", opts: nodeSelector("node3"), want: []watch.Event{bookmark("2")}},
		{
			name: "nodeName provided, another Node's member changes",
			opts: nodeSelector("node1"),
			want: []watch.Event{{Type: watch.Added, Object: object("atg1", "uid1", pod1, pod2)}, bookmark("2")},
		},
		{
			name: "nodeName provided, its member changes",
			opts: nodeSelector("node2"),
			want: []watch.Event{
				{Type: watch.Added, Object: object("atg1", "uid1", pod3)}, {Type: watch.Added, Object: object("atg2", "uid2", pod4)},
				bookmark("2"), {Type: watch.Modified, Object: patch},
			},
		},
		{
			name: "nodeName not provided",
			opts: &metainternalversion.ListOptions{},
			want: []watch.Event{
				{Type: watch.Added, Object: object("atg1", "uid1", pod1, pod2, pod3)}, {Type: watch.Added, Object: object("atg2", "uid2", pod4)},
				bookmark("2"), {Type: watch.Modified, Object: patch},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, s := newTestREST(t)
			w, err := r.Watch(context.Background(), tc.opts)
			require.NoError(t, err)
			defer w.Stop()
			require.NoError(t, s.Upsert(atg1(pod5)))
			sentinel := &computed.AppliedToGroup{Name: "sentinel", MembersByNode: map[string]map[string]*controlplane.GroupMember{}}
			for _, n := range []string{"node1", "node2", "node3"} {
				sentinel.MembersByNode[n] = computed.MemberSet(pod("sentinel-" + n))
			}
			require.NoError(t, s.Upsert(sentinel))
			assert.Equal(t, tc.want, receiveUntilSentinel(t, w))
		})
	}
}

func receiveUntilSentinel(t *testing.T, w watch.Interface) []watch.Event {
	t.Helper()
	var out []watch.Event
	for {
		select {
		case ev := <-w.ResultChan():
			if g, ok := ev.Object.(*controlplane.AppliedToGroup); ok && g.Name == "sentinel" {
				return out
			}
			out = append(out, ev)
		case <-time.After(10 * time.Second):
			t.Fatalf("no event within 10s; got %v", out)
		}
	}
}

func TestConvertToTable(t *testing.T) {
	r, _ := newTestREST(t)
	tests := []struct {
		name      string
		obj       runtime.Object
		wantCells [][]any
	}{
		{name: "one group", obj: object("atg1", "uid1", pod1, pod2, pod3), wantCells: [][]any{{"atg1", int64(3), int64(2)}}},
		{name: "a patch", obj: &controlplane.AppliedToGroupPatch{ObjectMeta: metav1.ObjectMeta{Name: "atg2"}}, wantCells: [][]any{{"atg2", int64(1), int64(1)}}},
		{name: "gone", obj: object("gone", "uid"), wantCells: [][]any{{"gone", int64(0), nil}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			table, err := r.ConvertToTable(context.Background(), tc.obj, nil)
			require.NoError(t, err)
			var cells [][]any
			for _, row := range table.Rows {
				cells = append(cells, row.Cells)
			}
			assert.Equal(t, tc.wantCells, cells)
			assert.Len(t, table.ColumnDefinitions, 3)
		})
	}
}
