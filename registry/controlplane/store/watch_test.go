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
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/apiserver/computed"
)

// labeledPolicy is a NetworkPolicy named name with the label tier=tier, on node1.
func labeledPolicy(name, tier string, generation int64) *NetworkPolicy {
	return &NetworkPolicy{
		Policy: &controlplane.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{
			Name: name, UID: types.UID("uid-" + name), Generation: generation,
			Labels: map[string]string{"tier": tier},
		}},
		Span: nodes("node1"),
	}
}

func TestWatchInitialState(t *testing.T) {
	app, other := labeledPolicy("np-a", "app", 1), labeledPolicy("np-b", "other", 1)
	elsewhere := &NetworkPolicy{Policy: &controlplane.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "np-c"}}, Span: nodes("node2")}
	tests := []struct {
		name string
		opts WatchOptions
		want []watch.Event
	}{
		{
			name: "everything",
			want: []watch.Event{
				{Type: watch.Added, Object: app.Policy}, {Type: watch.Added, Object: other.Policy},
				{Type: watch.Added, Object: elsewhere.Policy}, npBookmark("3"),
			},
		},
		{
			name: "by name",
			opts: WatchOptions{Selector: Selector{Name: "np-b"}},
			want: []watch.Event{{Type: watch.Added, Object: other.Policy}, npBookmark("3")},
		},
		{
			name: "by Node",
			opts: WatchOptions{Selector: Selector{NodeName: "node2"}},
			want: []watch.Event{{Type: watch.Added, Object: elsewhere.Policy}, npBookmark("3")},
		},
		{
			name: "by labels",
			opts: WatchOptions{Selector: Selector{Labels: labels.SelectorFromSet(labels.Set{"tier": "app"})}},
			want: []watch.Event{{Type: watch.Added, Object: app.Policy}, npBookmark("3")},
		},
		{
			name: "watch-list request marks the bookmark",
			opts: WatchOptions{Selector: Selector{Name: "np-a"}, SendInitialEvents: true, AllowWatchBookmarks: true},
			want: []watch.Event{{Type: watch.Added, Object: app.Policy}, bookmark(&controlplane.NetworkPolicy{}, "3", true)},
		},
		{
			name: "initial events without bookmarks allowed: plain bookmark",
			opts: WatchOptions{Selector: Selector{Name: "np-a"}, SendInitialEvents: true},
			want: []watch.Event{{Type: watch.Added, Object: app.Policy}, npBookmark("3")},
		},
	}
	s := started(t, NewNetworkPolicyStore, Options{})
	for _, p := range []*NetworkPolicy{app, other, elsewhere} {
		require.NoError(t, s.Upsert(p))
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, err := s.Watch(context.Background(), tc.opts)
			require.NoError(t, err)
			defer w.Stop()
			var got []watch.Event
			for range tc.want {
				ev, _ := receive(t, w)
				got = append(got, ev)
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestWatchLabelSelectorTransitions(t *testing.T) {
	s := started(t, NewNetworkPolicyStore, Options{})
	require.NoError(t, s.Upsert(labeledPolicy("np-a", "app", 1)))
	w, err := s.Watch(context.Background(), WatchOptions{Selector: Selector{
		NodeName: "node1", Labels: labels.SelectorFromSet(labels.Set{"tier": "app"}),
	}})
	require.NoError(t, err)
	defer w.Stop()

	left, back, changed := labeledPolicy("np-a", "other", 2), labeledPolicy("np-a", "app", 3), labeledPolicy("np-a", "app", 4)
	for _, p := range []*NetworkPolicy{left, back, changed, labeledPolicy(sentinelName, "app", 1)} {
		require.NoError(t, s.Upsert(p))
	}
	want := []watch.Event{
		{Type: watch.Added, Object: labeledPolicy("np-a", "app", 1).Policy},
		npBookmark("1"),
		{Type: watch.Deleted, Object: &controlplane.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "np-a", UID: "uid-np-a", Generation: 1}}},
		{Type: watch.Added, Object: back.Policy},
		{Type: watch.Modified, Object: changed.Policy},
	}
	assert.Equal(t, want, receiveUntil(t, w))
}

// TestWatchSkipsChangesBeforeSnapshot races a watch with queued changes: the
// changes already in the initial state must not be sent again.
func TestWatchSkipsChangesBeforeSnapshot(t *testing.T) {
	for i := range 20 {
		t.Run(fmt.Sprintf("attempt %d", i), func(t *testing.T) {
			s := started(t, NewAddressGroupStore, Options{})
			const changes = 50
			var last *computed.AddressGroup
			for n := range changes {
				last = addressGroup(nodes("node1"), podMember("ns", fmt.Sprintf("pod-%02d", n), "10.0.0.1"))
				require.NoError(t, s.Upsert(last))
			}
			w, err := s.Watch(context.Background(), WatchOptions{Selector: Selector{NodeName: "node1"}})
			require.NoError(t, err)
			defer w.Stop()
			next := addressGroup(nodes("node1"), podMember("ns", "pod-next", "10.0.0.1"))
			require.NoError(t, s.Upsert(next))
			require.NoError(t, s.Upsert(addressGroupSentinel([]string{"node1"})))

			patch := agPatch(nil, nil)
			patch.AddedGroupMembers = members(podMember("ns", "pod-next", "10.0.0.1"))
			patch.RemovedGroupMembers = members(podMember("ns", fmt.Sprintf("pod-%02d", changes-1), "10.0.0.1"))
			want := []watch.Event{
				{Type: watch.Added, Object: last.ToAPI()},
				agBookmark(fmt.Sprint(changes)),
				{Type: watch.Modified, Object: patch},
			}
			assert.Equal(t, want, receiveUntil(t, w))
		})
	}
}

func TestWatchEnds(t *testing.T) {
	tests := []struct {
		name string
		end  func(cancel context.CancelFunc, w watch.Interface)
	}{
		{name: "client stops", end: func(_ context.CancelFunc, w watch.Interface) { w.Stop() }},
		{name: "context ends", end: func(cancel context.CancelFunc, _ watch.Interface) { cancel() }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := started(t, NewAddressGroupStore, Options{})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			w, err := s.Watch(ctx, WatchOptions{})
			require.NoError(t, err)
			assert.Equal(t, 1, s.WatchersNum())

			tc.end(cancel, w)
			assertClosed(t, w)
			assert.Eventually(t, func() bool { return s.WatchersNum() == 0 }, testDeadline, time.Millisecond)
			w.Stop() // idempotent
		})
	}
}
