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

package podstartup

import (
	"context"
	"errors"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/apiserver/policy"
)

// fakeAddresses records the reported addresses; err fails the report.
type fakeAddresses struct {
	mu    sync.Mutex
	calls []string
	err   error
}

func (f *fakeAddresses) ReportPodAddresses(_ context.Context, pod policy.StartingPod) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, pod.Namespace+"/"+pod.Name+"@"+pod.NodeName+" "+pod.IPs[0].String())
	return f.err
}

// fakeStore is a Progressor at a fixed resourceVersion, watched by the agents of
// nodes.
type fakeStore struct {
	rv    uint64
	nodes []string
}

func (s fakeStore) Progress() (uint64, error) { return s.rv, nil }

func (s fakeStore) WatcherNodes() sets.Set[string] { return sets.New(s.nodes...) }

func TestBarrier(t *testing.T) {
	target := Versions{5, 9, 3}
	tests := []struct {
		name string
		// acks are reported before Await; late ones while it waits.
		acks, late map[string]Versions
		peers      []string
		reportErr  error
		wantNodes  []string
		wantMiss   []string
	}{
		{name: "own Node only, acknowledged", acks: map[string]Versions{"n1": target}, wantNodes: []string{"n1"}},
		{name: "peer Nodes too", peers: []string{"n2", "n3"},
			acks:      map[string]Versions{"n1": target, "n2": {6, 9, 3}, "n3": {5, 10, 4}},
			wantNodes: []string{"n1", "n2", "n3"}},
		{name: "an acknowledgement arrives while waiting", peers: []string{"n2"},
			acks: map[string]Versions{"n1": target}, late: map[string]Versions{"n2": target}, wantNodes: []string{"n1", "n2"}},
		{name: "a peer Node is behind on one kind", peers: []string{"n2"},
			acks: map[string]Versions{"n1": target, "n2": {5, 8, 3}}, wantMiss: []string{"n2"}},
		{name: "a peer Node never acknowledged", peers: []string{"n3", "n2"},
			acks: map[string]Versions{"n1": target, "n2": target}, wantMiss: []string{"n3"}},
		{name: "the own Node is behind", acks: map[string]Versions{"n1": {4, 9, 3}}, wantMiss: []string{"n1"}},
		{name: "the addresses are not published in time", acks: map[string]Versions{"n1": target},
			reportErr: context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tracker := NewTracker("e1")
			for n, v := range tt.acks {
				tracker.Report(n, v)
			}
			addrs := &fakeAddresses{err: tt.reportErr}
			b, err := New(Config{Addresses: addrs, Tracker: tracker, Timeout: 300 * time.Millisecond,
				Stores: [3]Progressor{fakeStore{rv: 5}, fakeStore{rv: 9}, fakeStore{rv: 3}},
				PeerSpan: func(controlplane.PodReference, []controlplane.IPAddress) sets.Set[string] {
					return sets.New(tt.peers...)
				}})
			if err != nil {
				t.Fatal(err)
			}
			for n, v := range tt.late {
				time.AfterFunc(50*time.Millisecond, func() { tracker.Report(n, v) })
			}
			nodes, err := b.Await(context.Background(), &controlplane.PodStartup{
				Pod: controlplane.PodReference{Namespace: "ns", Name: "a"}, PodUID: "uid-a", NodeName: "n1",
				Addresses: []controlplane.IPAddress{controlplane.IPAddress(net.ParseIP("10.0.0.7").To4())}})
			if got := addrs.calls; !slices.Equal(got, []string{"ns/a@n1 10.0.0.7"}) {
				t.Errorf("reported addresses %v", got)
			}
			var notReady *NotReadyError
			switch {
			case tt.wantNodes != nil:
				if err != nil || !slices.Equal(nodes, tt.wantNodes) {
					t.Fatalf("Await = %v, %v; want %v", nodes, err, tt.wantNodes)
				}
			case !errors.As(err, &notReady):
				t.Fatalf("Await = %v, %v; want a NotReadyError", nodes, err)
			case !slices.Equal(notReady.Missing, tt.wantMiss):
				t.Fatalf("missing %v, want %v (%v)", notReady.Missing, tt.wantMiss, err)
			case tt.reportErr != nil && !errors.Is(err, tt.reportErr):
				t.Fatalf("Await error %v does not wrap %v", err, tt.reportErr)
			}
		})
	}
}

func TestTrackerNeverGoesBack(t *testing.T) {
	tr := NewTracker("e1")
	tr.Report("n1", Versions{5, 5, 5})
	if taken, err := tr.ReportSync(context.Background(), "n1", "e1", 4, 7, 5); !taken || err != nil {
		t.Fatalf("a report of the epoch: taken %v, %v", taken, err)
	}
	if got, want := tr.Acked("n1"), (Versions{5, 7, 5}); got != want {
		t.Fatalf("Acked = %v, want %v", got, want)
	}
	if taken, _ := tr.ReportSync(context.Background(), "n1", "e0", 9, 9, 9); taken {
		t.Fatal("a report of another epoch was taken")
	}
	if got, want := tr.Acked("n1"), (Versions{5, 7, 5}); got != want {
		t.Fatalf("after another epoch's report, Acked = %v, want %v", got, want)
	}
}
