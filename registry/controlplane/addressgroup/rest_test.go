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

package addressgroup

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	k8stypes "k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/utils/ptr"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/apiserver/computed"
	"github.com/strata-net/strata/registry/controlplane/store"
)

func pod(name, ip string) *controlplane.GroupMember {
	return &controlplane.GroupMember{
		Pod: &controlplane.PodReference{Namespace: "ns1", Name: name},
		IPs: []controlplane.IPAddress{controlplane.IPAddress(net.ParseIP(ip))},
	}
}

var (
	pod1, pod2, pod3 = pod("pod1", "10.0.0.1"), pod("pod2", "10.0.0.2"), pod("pod3", "10.0.0.3")
	ag1              = &computed.AddressGroup{Name: "ag1", UID: "uid1", Members: computed.MemberSet(pod1, pod2), Span: sets.New("node1")}
	ag2              = &computed.AddressGroup{Name: "ag2", UID: "uid2", Members: computed.MemberSet(pod3), Span: sets.New("node2")}
)

func object(name string, uid string, ms ...*controlplane.GroupMember) *controlplane.AddressGroup {
	g := &controlplane.AddressGroup{ObjectMeta: metav1.ObjectMeta{Name: name, UID: k8stypes.UID(uid)}}
	for _, m := range ms {
		g.GroupMembers = append(g.GroupMembers, *m)
	}
	return g
}

// newTestREST returns a REST over a store that holds ag1 and ag2.
func newTestREST(t *testing.T) (*REST, *store.Store[*computed.AddressGroup]) {
	t.Helper()
	s, err := store.NewAddressGroupStore(store.Options{})
	require.NoError(t, err)
	t.Cleanup(s.Stop)
	require.NoError(t, s.Upsert(ag1))
	require.NoError(t, s.Upsert(ag2))
	return NewREST(s), s
}

func TestRESTGet(t *testing.T) {
	r, _ := newTestREST(t)
	tests := []struct {
		name    string
		group   string
		want    runtime.Object
		wantErr error
	}{
		{name: "found, whatever its span", group: "ag2", want: object("ag2", "uid2", pod3)},
		{name: "not found", group: "ag3", wantErr: apierrors.NewNotFound(controlplane.Resource("addressgroups"), "ag3")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := r.Get(context.Background(), tc.group, &metav1.GetOptions{})
			assert.Equal(t, tc.wantErr, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestRESTList(t *testing.T) {
	r, _ := newTestREST(t)
	tests := []struct {
		name      string
		opts      *metainternalversion.ListOptions
		want      []controlplane.AddressGroup
		wantError func(error) bool
	}{
		{name: "all", opts: &metainternalversion.ListOptions{}, want: []controlplane.AddressGroup{*object("ag1", "uid1", pod1, pod2), *object("ag2", "uid2", pod3)}},
		{name: "nodeName", opts: &metainternalversion.ListOptions{FieldSelector: fields.OneTermEqualSelector("nodeName", "node2")}, want: []controlplane.AddressGroup{*object("ag2", "uid2", pod3)}},
		{name: "metadata.name", opts: &metainternalversion.ListOptions{FieldSelector: fields.OneTermEqualSelector("metadata.name", "ag1")}, want: []controlplane.AddressGroup{*object("ag1", "uid1", pod1, pod2)}},
		{name: "labels select nothing", opts: &metainternalversion.ListOptions{LabelSelector: labels.SelectorFromSet(labels.Set{"a": "b"})}, want: []controlplane.AddressGroup{}},
		{name: "unsupported field", opts: &metainternalversion.ListOptions{FieldSelector: fields.OneTermEqualSelector("spec.x", "y")}, wantError: apierrors.IsBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := r.List(context.Background(), tc.opts)
			if tc.wantError != nil {
				assert.True(t, tc.wantError(err), "error %v", err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, &controlplane.AddressGroupList{ListMeta: metav1.ListMeta{ResourceVersion: "2"}, Items: tc.want}, got)
		})
	}
}

func bookmark(rv string, watchList bool) watch.Event {
	obj := &controlplane.AddressGroup{ObjectMeta: metav1.ObjectMeta{ResourceVersion: rv}}
	if watchList {
		obj.Annotations = map[string]string{metav1.InitialEventsAnnotationKey: "true"}
	}
	return watch.Event{Type: watch.Bookmark, Object: obj}
}

func TestRESTWatch(t *testing.T) {
	patch := &controlplane.AddressGroupPatch{ObjectMeta: metav1.ObjectMeta{Name: "ag1", UID: "uid1"}, AddedGroupMembers: []controlplane.GroupMember{*pod3}}
	tests := []struct {
		name      string
		opts      *metainternalversion.ListOptions
		want      []watch.Event // the initial state, then after ag1 gains pod3
		wantError func(error) bool
	}{
		{
			name: "nodeName selecting nothing",
			opts: &metainternalversion.ListOptions{FieldSelector: fields.OneTermEqualSelector("nodeName", "node3")},
			want: []watch.Event{bookmark("2", false)},
		},
		{
			name: "nodeName provided",
			opts: &metainternalversion.ListOptions{FieldSelector: fields.OneTermEqualSelector("nodeName", "node1")},
			want: []watch.Event{
				{Type: watch.Added, Object: object("ag1", "uid1", pod1, pod2)}, bookmark("2", false),
				{Type: watch.Modified, Object: patch},
			},
		},
		{
			name: "nodeName not provided",
			opts: &metainternalversion.ListOptions{},
			want: []watch.Event{
				{Type: watch.Added, Object: object("ag1", "uid1", pod1, pod2)}, {Type: watch.Added, Object: object("ag2", "uid2", pod3)},
				bookmark("2", false), {Type: watch.Modified, Object: patch},
			},
		},
		{
			name: "watch-list request",
			opts: &metainternalversion.ListOptions{
				FieldSelector:     fields.OneTermEqualSelector("metadata.name", "ag2"),
				SendInitialEvents: ptr.To(true), AllowWatchBookmarks: true,
			},
			want: []watch.Event{{Type: watch.Added, Object: object("ag2", "uid2", pod3)}, bookmark("2", true)},
		},
		{
			name:      "unsupported field",
			opts:      &metainternalversion.ListOptions{FieldSelector: fields.OneTermEqualSelector("spec.x", "y")},
			wantError: apierrors.IsBadRequest,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, s := newTestREST(t)
			w, err := r.Watch(context.Background(), tc.opts)
			if tc.wantError != nil {
				assert.True(t, tc.wantError(err), "error %v", err)
				return
			}
			require.NoError(t, err)
			defer w.Stop()
			require.NoError(t, s.Upsert(&computed.AddressGroup{Name: "ag1", UID: "uid1", Members: computed.MemberSet(pod1, pod2, pod3), Span: ag1.Span}))
			require.NoError(t, s.Upsert(&computed.AddressGroup{Name: "sentinel", Span: sets.New("node1", "node2", "node3")}))
			assert.Equal(t, tc.want, receiveUntilSentinel(t, w, tc.opts))
		})
	}
}

// receiveUntilSentinel returns the events before the one of the group "sentinel",
// or, for a watcher that cannot see it (a name selector), the events up to the
// bookmark.
func receiveUntilSentinel(t *testing.T, w watch.Interface, opts *metainternalversion.ListOptions) []watch.Event {
	t.Helper()
	byName := false
	if opts.FieldSelector != nil {
		_, byName = opts.FieldSelector.RequiresExactMatch("metadata.name")
	}
	var out []watch.Event
	for {
		select {
		case ev := <-w.ResultChan():
			if g, ok := ev.Object.(*controlplane.AddressGroup); ok && g.Name == "sentinel" {
				return out
			}
			out = append(out, ev)
			if byName && ev.Type == watch.Bookmark {
				return out
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no event within 10s; got %v", out)
		}
	}
}
