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
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/watch"
)

// TestDropWatchers checks that every running watch ends and the store keeps
// serving new ones.
func TestDropWatchers(t *testing.T) {
	s := started(t, NewNetworkPolicyStore, Options{})
	var watches []watch.Interface
	for _, node := range []string{"n1", "n2", ""} {
		w, err := s.Watch(context.Background(), WatchOptions{Selector: Selector{NodeName: node}})
		require.NoError(t, err)
		watches = append(watches, w)
	}
	require.Equal(t, []string{"n1", "n2"}, sortedNodes(s))
	require.Equal(t, 3, s.DropWatchers())
	require.Equal(t, 0, s.WatchersNum())
	require.Empty(t, sortedNodes(s))
	for _, w := range watches {
		assertClosed(t, w)
	}
	w, err := s.Watch(context.Background(), WatchOptions{Selector: Selector{NodeName: "n1"}})
	require.NoError(t, err, "a watch after DropWatchers")
	defer w.Stop()
	require.Equal(t, []string{"n1"}, sortedNodes(s))
}

func sortedNodes[T Object](s *Store[T]) []string {
	out := s.WatcherNodes().UnsortedList()
	if len(out) == 0 {
		return nil
	}
	slices.Sort(out)
	return out
}
