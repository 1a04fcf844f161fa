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

package networkpolicy

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
	"k8s.io/apimachinery/pkg/labels"
	k8stypes "k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/utils/ptr"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/registry/controlplane/store"
)

// policy is the internal NetworkPolicy uid-name of an ACNP name, labeled tier=tier.
func policy(name, tier string, generation int64) *controlplane.NetworkPolicy {
	uid := k8stypes.UID("uid-" + name)
	return &controlplane.NetworkPolicy{
		ObjectMeta:      metav1.ObjectMeta{Name: string(uid), UID: uid, Generation: generation, Labels: map[string]string{"tier": tier}},
		Rules:           []controlplane.NetworkPolicyRule{{Direction: controlplane.DirectionIn}},
		AppliedToGroups: []string{"atg-" + name},
		Priority:        ptr.To(5.0),
		TierPriority:    ptr.To[int32](250),
		SourceRef:       &controlplane.NetworkPolicyReference{Type: controlplane.AntreaClusterNetworkPolicy, Name: name, UID: uid},
	}
}

var (
	np1 = policy("np1", "app", 1) // on node1
	np2 = policy("np2", "ops", 1) // on node2
)

func newTestREST(t *testing.T) (*REST, *store.Store[*store.NetworkPolicy]) {
	t.Helper()
	s, err := store.NewNetworkPolicyStore(store.Options{})
	require.NoError(t, err)
	t.Cleanup(s.Stop)
	require.NoError(t, s.Upsert(&store.NetworkPolicy{Policy: np1, Span: sets.New("node1")}))
	require.NoError(t, s.Upsert(&store.NetworkPolicy{Policy: np2, Span: sets.New("node2")}))
	return NewREST(s), s
}

func TestRESTGet(t *testing.T) {
	r, _ := newTestREST(t)
	got, err := r.Get(context.Background(), "uid-np2", &metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, np2, got)
	assert.NotSame(t, np2, got, "a copy: the stored policy is shared by watchers")

	_, err = r.Get(context.Background(), "uid-np3", &metav1.GetOptions{})
	assert.Equal(t, apierrors.NewNotFound(controlplane.Resource("networkpolicies"), "uid-np3"), err)
}

func TestRESTList(t *testing.T) {
	r, _ := newTestREST(t)
	tests := []struct {
		name string
		opts *metainternalversion.ListOptions
		want []controlplane.NetworkPolicy
	}{
		{name: "all", opts: &metainternalversion.ListOptions{}, want: []controlplane.NetworkPolicy{*np1, *np2}},
		{name: "labels", opts: &metainternalversion.ListOptions{LabelSelector: labels.SelectorFromSet(labels.Set{"tier": "ops"})}, want: []controlplane.NetworkPolicy{*np2}},
		{name: "nodeName", opts: &metainternalversion.ListOptions{FieldSelector: fields.OneTermEqualSelector("nodeName", "node1")}, want: []controlplane.NetworkPolicy{*np1}},
		{name: "metadata.name", opts: &metainternalversion.ListOptions{FieldSelector: fields.OneTermEqualSelector("metadata.name", "uid-np2")}, want: []controlplane.NetworkPolicy{*np2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := r.List(context.Background(), tc.opts)
			require.NoError(t, err)
			assert.Equal(t, &controlplane.NetworkPolicyList{ListMeta: metav1.ListMeta{ResourceVersion: "2"}, Items: tc.want}, got)
		})
	}
	_, err := r.List(context.Background(), &metainternalversion.ListOptions{FieldSelector: fields.OneTermEqualSelector("spec.tier", "x")})
	assert.True(t, apierrors.IsBadRequest(err), "error %v", err)
}

func bookmark(rv string) watch.Event {
	return watch.Event{Type: watch.Bookmark, Object: &controlplane.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{ResourceVersion: rv}}}
}

func TestRESTWatch(t *testing.T) {
	np1v2 := policy("np1", "app", 2)
	np1Deleted := &controlplane.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "uid-np1", UID: "uid-np1", Generation: 2}, SourceRef: np1.SourceRef}
	tests := []struct {
		name string
		opts *metainternalversion.ListOptions
		want []watch.Event // the initial state, then np1 at generation 2, then np1 deleted
	}{
		{
			name: "nodeName selecting nothing",
			opts: &metainternalversion.ListOptions{FieldSelector: fields.OneTermEqualSelector("nodeName", "node3")},
			want: []watch.Event{bookmark("2")},
		},
		{
			name: "nodeName provided",
			opts: &metainternalversion.ListOptions{FieldSelector: fields.OneTermEqualSelector("nodeName", "node1")},
			want: []watch.Event{
				{Type: watch.Added, Object: np1}, bookmark("2"),
				{Type: watch.Modified, Object: np1v2}, {Type: watch.Deleted, Object: np1Deleted},
			},
		},
		{
			name: "nodeName not provided",
			opts: &metainternalversion.ListOptions{},
			want: []watch.Event{
				{Type: watch.Added, Object: np1}, {Type: watch.Added, Object: np2}, bookmark("2"),
				{Type: watch.Modified, Object: np1v2}, {Type: watch.Deleted, Object: np1Deleted},
			},
		},
		{
			name: "label selector",
			opts: &metainternalversion.ListOptions{LabelSelector: labels.SelectorFromSet(labels.Set{"tier": "ops"})},
			want: []watch.Event{{Type: watch.Added, Object: np2}, bookmark("2")},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, s := newTestREST(t)
			w, err := r.Watch(context.Background(), tc.opts)
			require.NoError(t, err)
			defer w.Stop()
			require.NoError(t, s.Upsert(&store.NetworkPolicy{Policy: np1v2, Span: sets.New("node1")}))
			require.NoError(t, s.Delete("uid-np1"))
			sentinel := policy("sentinel", "ops", 1)
			sentinel.Name = "sentinel"
			require.NoError(t, s.Upsert(&store.NetworkPolicy{Policy: sentinel, Span: sets.New("node1", "node2", "node3")}))
			assert.Equal(t, tc.want, receiveUntilSentinel(t, w))
		})
	}
	_, err := NewREST(nil).Watch(context.Background(), &metainternalversion.ListOptions{FieldSelector: fields.OneTermEqualSelector("spec", "x")})
	assert.True(t, apierrors.IsBadRequest(err), "error %v", err)
}

func receiveUntilSentinel(t *testing.T, w watch.Interface) []watch.Event {
	t.Helper()
	var out []watch.Event
	for {
		select {
		case ev := <-w.ResultChan():
			if p, ok := ev.Object.(*controlplane.NetworkPolicy); ok && p.Name == "sentinel" {
				return out
			}
			out = append(out, ev)
		case <-time.After(10 * time.Second):
			t.Fatalf("no event within 10s; got %v", out)
		}
	}
}
