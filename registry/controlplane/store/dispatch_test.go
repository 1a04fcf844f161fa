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
	"k8s.io/apimachinery/pkg/watch"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/strata-net/strata/apiserver/computed"
)

// version returns the group ag1 on node1 whose only member is pod-i.
func version(i int) *computed.AddressGroup {
	return addressGroup(nodes("node1"), podMember("ns", fmt.Sprintf("pod-%d", i), "10.0.0.1"))
}

func TestSlowWatchers(t *testing.T) {
	tests := []struct {
		name      string
		slow      int  // watchers that never read
		catchUp   bool // the slow watchers read before the timeout
		wantAlive int
	}{
		{name: "a slow watcher is stopped, a fast one keeps receiving", slow: 1, wantAlive: 1},
		{name: "blocked watchers share one timer", slow: 3, wantAlive: 1},
		{name: "a watcher that catches up in time is kept", slow: 1, catchUp: true, wantAlive: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			const bufferSize = 2
			fc := clocktesting.NewFakeClock(time.Now())
			s := started(t, NewAddressGroupStore, Options{Clock: fc, WatcherBufferSize: bufferSize})
			var slow []watch.Interface
			for range tc.slow {
				w, err := s.Watch(context.Background(), WatchOptions{})
				require.NoError(t, err)
				slow = append(slow, w)
			}
			fast, err := s.Watch(context.Background(), WatchOptions{})
			require.NoError(t, err)
			defer fast.Stop()
			ev, _ := receive(t, fast)
			require.Equal(t, watch.Bookmark, ev.Type)

			// The slow watchers block on their bookmark: their buffers hold
			// bufferSize changes, and the next one makes the dispatcher wait.
			for i := range bufferSize + 1 {
				require.NoError(t, s.Upsert(version(i)))
				ev, _ := receive(t, fast)
				require.NotEqual(t, watch.Bookmark, ev.Type, "change %d reaches the fast watcher at once", i)
			}
			require.Eventually(t, fc.HasWaiters, testDeadline, time.Millisecond, "the dispatcher waits for the slow watchers")
			assert.Equal(t, 1, fc.Waiters(), "one timer for all the blocked watchers")

			if tc.catchUp {
				for _, w := range slow {
					for range bufferSize + 1 + 1 { // the bookmark, then every change
						receive(t, w)
					}
				}
				require.Eventually(t, func() bool { return !fc.HasWaiters() }, testDeadline, time.Millisecond)
			} else {
				fc.Step(DefaultWatcherTimeout)
			}
			// Reading from a slow watcher before it is stopped would let it catch up.
			require.Eventually(t, func() bool { return s.WatchersNum() == tc.wantAlive }, testDeadline, time.Millisecond)
			if !tc.catchUp {
				for _, w := range slow {
					assertClosed(t, w)
				}
			}

			require.NoError(t, s.Upsert(version(100)))
			ev, _ = receive(t, fast)
			assert.Equal(t, watch.Modified, ev.Type, "the fast watcher still receives")
		})
	}
}
