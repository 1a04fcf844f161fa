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
	"maps"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/apiserver/computed"
)

const benchNodes = 1000

// benchGroups returns two versions of an AddressGroup of size members spanning
// benchNodes Nodes: the second has one more member. Members are shared.
func benchGroups(size int) (*computed.AddressGroup, *computed.AddressGroup, []string) {
	nodeNames := make([]string, benchNodes)
	for i := range nodeNames {
		nodeNames[i] = fmt.Sprintf("node-%04d", i)
	}
	base := map[string]*controlplane.GroupMember{}
	for i := range size {
		m := podMember("ns", fmt.Sprintf("pod-%05d", i), fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255))
		base[computed.MemberKey(m)] = m
	}
	grown := maps.Clone(base)
	extra := podMember("ns", "extra", "192.168.0.1")
	grown[computed.MemberKey(extra)] = extra
	span := sets.New(nodeNames...)
	return &computed.AddressGroup{Name: "ag", UID: "uid-ag", Members: base, Span: span},
		&computed.AddressGroup{Name: "ag", UID: "uid-ag", Members: grown, Span: span}, nodeNames
}

// BenchmarkAddressGroupEvent measures the work of one change, without delivery:
// the EventFunc (diff and patch, once) and the rendering for each of 1000 Nodes.
func BenchmarkAddressGroupEvent(b *testing.B) {
	for _, size := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("members=%d/nodes=%d", size, benchNodes), func(b *testing.B) {
			v0, v1, nodeNames := benchGroups(size)
			versions := [2]*computed.AddressGroup{v0, v1}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				ev, err := AddressGroupEventFunc("ag", versions[i%2], versions[(i+1)%2], uint64(i))
				if err != nil || ev == nil {
					b.Fatalf("event %v, error %v", ev, err)
				}
				for _, n := range nodeNames {
					if ev.ToWatchEvent(n, false) == nil {
						b.Fatal("no patch")
					}
				}
			}
		})
	}
}

// BenchmarkAddressGroupUpsert measures an Upsert that changes one member of an
// AddressGroup while 1000 watchers (one per Node of its span) are connected, until
// every watcher has received the patch: ns/op and allocs/op cover the computation,
// the dispatch, the rendering and the delivery; upsert-ns/op is the time spent in
// Upsert (computation and queueing). p50/p99-all-received-ns are the percentiles,
// over the iterations, of the time from Upsert until the last watcher received the
// event.
func BenchmarkAddressGroupUpsert(b *testing.B) {
	for _, size := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("members=%d/watchers=%d", size, benchNodes), func(b *testing.B) {
			benchmarkUpsert(b, size)
		})
	}
}

func benchmarkUpsert(b *testing.B, size int) {
	v0, v1, nodeNames := benchGroups(size)
	s := started(b, NewAddressGroupStore, Options{})
	if err := s.Upsert(v0); err != nil {
		b.Fatal(err)
	}
	var pending atomic.Int64
	allReceived := make(chan struct{}, 1)
	for _, n := range nodeNames {
		w := benchWatch(b, s, n)
		go func() {
			for range w.ResultChan() {
				if pending.Add(-1) == 0 {
					allReceived <- struct{}{}
				}
			}
		}()
	}
	versions := [2]*computed.AddressGroup{v1, v0}
	latencies := make([]time.Duration, 0, b.N)
	var inUpsert time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		pending.Store(benchNodes)
		start := time.Now()
		if err := s.Upsert(versions[i%2]); err != nil {
			b.Fatal(err)
		}
		inUpsert += time.Since(start)
		<-allReceived
		latencies = append(latencies, time.Since(start))
	}
	b.StopTimer()
	b.ReportMetric(float64(inUpsert.Nanoseconds())/float64(b.N), "upsert-ns/op")
	slices.Sort(latencies)
	b.ReportMetric(float64(latencies[len(latencies)/2].Nanoseconds()), "p50-all-received-ns")
	b.ReportMetric(float64(latencies[len(latencies)*99/100].Nanoseconds()), "p99-all-received-ns")
}

// benchWatch starts a watch of nodeName and reads its initial state.
func benchWatch(b *testing.B, s *Store[*computed.AddressGroup], nodeName string) watch.Interface {
	w, err := s.Watch(context.Background(), WatchOptions{Selector: Selector{NodeName: nodeName}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(w.Stop)
	for ev := range w.ResultChan() {
		if ev.Type == watch.Bookmark {
			return w
		}
	}
	b.Fatal("watch ended before its bookmark")
	return nil
}
