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
	"maps"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/strata-net/strata/apis/controlplane"
)

// testDeadline bounds every wait for an event; tests never sleep.
const testDeadline = 10 * time.Second

// sentinelName is the object upserted last by the watch tests: every watcher reads
// until it sees it, so "no more events" is checked without waiting.
const sentinelName = "zz-sentinel"

// started returns a store built by newStore, stopped at the end of the test.
func started[T Object](t testing.TB, newStore func(Options) (*Store[T], error), opts Options) *Store[T] {
	t.Helper()
	s, err := newStore(opts)
	require.NoError(t, err)
	t.Cleanup(s.Stop)
	return s
}

// podMember is a Pod member with the given IPs (AddressGroup members have IPs).
func podMember(namespace, name string, ips ...string) *controlplane.GroupMember {
	m := &controlplane.GroupMember{Pod: &controlplane.PodReference{Namespace: namespace, Name: name}}
	for _, ip := range ips {
		m.IPs = append(m.IPs, controlplane.IPAddress(net.ParseIP(ip)))
	}
	return m
}

// members returns the values of ms, in order (the sorted order of MemberKey).
func members(ms ...*controlplane.GroupMember) []controlplane.GroupMember {
	out := make([]controlplane.GroupMember, 0, len(ms))
	for _, m := range ms {
		out = append(out, *m)
	}
	return out
}

// nodes is a span.
func nodes(names ...string) sets.Set[string] {
	return sets.New(names...)
}

// bookmark is the bookmark event of an empty obj at resourceVersion rv.
func bookmark(obj runtime.Object, rv string, watchList bool) watch.Event {
	m, _ := meta.Accessor(obj)
	m.SetResourceVersion(rv)
	if watchList {
		m.SetAnnotations(map[string]string{"k8s.io/initial-events-end": "true"})
	}
	return watch.Event{Type: watch.Bookmark, Object: obj}
}

// receive reads one event, failing the test after testDeadline; ok is false when the
// watch ended.
func receive(t testing.TB, w watch.Interface) (watch.Event, bool) {
	t.Helper()
	select {
	case ev, ok := <-w.ResultChan():
		return ev, ok
	case <-time.After(testDeadline):
		t.Fatalf("no event within %s", testDeadline)
		return watch.Event{}, false
	}
}

// receiveUntil reads events until the one about the object named sentinelName, and
// returns those before it.
func receiveUntil(t testing.TB, w watch.Interface) []watch.Event {
	t.Helper()
	var out []watch.Event
	for {
		ev, ok := receive(t, w)
		require.True(t, ok, "watch ended before the sentinel; got %v", out)
		if m, err := meta.Accessor(ev.Object); err == nil && m.GetName() == sentinelName {
			return out
		}
		out = append(out, ev)
	}
}

// assertClosed checks that the watch ends (its result channel closes), reading and
// dropping what is still pending.
func assertClosed(t testing.TB, w watch.Interface) {
	t.Helper()
	for {
		if _, ok := receive(t, w); !ok {
			return
		}
	}
}

// op is one write of a watch test: an upsert, or the deletion of a key.
type op[T Object] struct {
	upsert T
	delete string
}

// watchCase is a watch test: the store holds initial, one watcher per key of want
// (a Node name, "" for no node selector) starts, ops run, and each watcher must
// receive exactly its events.
type watchCase[T Object] struct {
	name    string
	initial []T
	ops     []op[T]
	want    map[string][]watch.Event
}

// runWatchCase runs tc against a store from newStore; sentinel builds an object
// named sentinelName that every given Node needs.
func runWatchCase[T Object](t *testing.T, tc watchCase[T], newStore func(Options) (*Store[T], error), sentinel func(nodes []string) T) {
	s := started(t, newStore, Options{})
	for _, obj := range tc.initial {
		require.NoError(t, s.Upsert(obj))
	}
	nodeNames := slices.Sorted(maps.Keys(tc.want))
	watchers := map[string]watch.Interface{}
	var sentinelNodes []string
	for _, n := range nodeNames {
		w, err := s.Watch(context.Background(), WatchOptions{Selector: Selector{NodeName: n}})
		require.NoError(t, err)
		t.Cleanup(w.Stop)
		watchers[n] = w
		if n != "" {
			sentinelNodes = append(sentinelNodes, n)
		}
	}
	for _, o := range tc.ops {
		if o.delete != "" {
			require.NoError(t, s.Delete(o.delete))
			continue
		}
		require.NoError(t, s.Upsert(o.upsert))
	}
	require.NoError(t, s.Upsert(sentinel(sentinelNodes)))
	for _, n := range nodeNames {
		assert.Equal(t, tc.want[n], receiveUntil(t, watchers[n]), "watcher of Node %q", n)
	}
}
