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
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/watch"
)

// TestProgress checks progress notifications: a watcher that allows bookmarks gets
// a BOOKMARK at a new resourceVersion after every change before it, whether or not
// its Node saw any of them; one that does not allow bookmarks gets none; every
// progress takes a new resourceVersion, even with no change in between.
func TestProgress(t *testing.T) {
	s := started(t, NewNetworkPolicyStore, Options{})
	require.NoError(t, s.Upsert(labeledPolicy("np-a", "app", 1)))
	ctx := context.Background()
	withBookmarks, err := s.Watch(ctx, WatchOptions{Selector: Selector{NodeName: "node2"}, AllowWatchBookmarks: true})
	require.NoError(t, err)
	defer withBookmarks.Stop()
	without, err := s.Watch(ctx, WatchOptions{Selector: Selector{NodeName: "node2"}})
	require.NoError(t, err)
	defer without.Stop()
	for _, w := range []watch.Interface{withBookmarks, without} {
		ev, _ := receive(t, w)
		assert.Equal(t, npBookmark("1"), ev, "the initial state of node2 is empty")
	}

	rv, err := s.Progress()
	require.NoError(t, err)
	assert.Equal(t, uint64(2), rv, "a new resourceVersion though nothing changed")
	ev, _ := receive(t, withBookmarks)
	assert.Equal(t, npBookmark("2"), ev)
	require.NoError(t, s.Upsert(labeledPolicy("np-b", "app", 1))) // node1 only: node2 sees nothing
	rv, err = s.Progress()
	require.NoError(t, err)
	assert.Equal(t, uint64(4), rv)
	ev, _ = receive(t, withBookmarks)
	assert.Equal(t, npBookmark("4"), ev, "after a change node2 does not see")

	// The watch without bookmarks gets only its sentinel.
	sentinel := labeledPolicy(sentinelName, "app", 1)
	sentinel.Span = nodes("node2")
	require.NoError(t, s.Upsert(sentinel))
	assert.Empty(t, receiveUntil(t, without))
	assert.Empty(t, receiveUntil(t, withBookmarks))
}
