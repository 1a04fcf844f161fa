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
	"maps"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/strata-net/strata/apis/controlplane"
)

// fakePeers stand for the other replicas: they cover cover, or confirm nothing
// (silent), or cannot be told (announceErr).
type fakePeers struct {
	cover       Coverage
	silent      []string
	announceErr error
	announced   []string
	local       Coverage // what the barrier brought to Wait
	closed      bool
}

func (p *fakePeers) Announce(_ context.Context, s *controlplane.PodStartup) (Pending, error) {
	if p.announceErr != nil {
		return nil, p.announceErr
	}
	p.announced = append(p.announced, s.Pod.Namespace+"/"+s.Pod.Name)
	return p, nil
}

func (p *fakePeers) Wait(_ context.Context, local Coverage, nodes []string) *Shortfall {
	p.local = local
	total := Coverage{}
	total.Add(local)
	total.Add(p.cover)
	if missing := total.Missing(nodes); len(missing) > 0 || len(p.silent) > 0 {
		return &Shortfall{Nodes: missing, Replicas: p.silent}
	}
	return nil
}

func (p *fakePeers) Close() { p.closed = true }

// TestBarrierWithPeers checks one replica's side of a Pod start among several:
// it waits only for the Nodes' kinds whose watches it serves, brings what they
// acknowledged to the other replicas' confirmations, and lets the Pod start
// only when every Node of the span is covered of every kind.
func TestBarrierWithPeers(t *testing.T) {
	target := Versions{5, 9, 3}
	// n1 (the Pod's own Node) watches every kind here; n2 only networkpolicies;
	// n4 every kind, but it is not in the span: this replica never covers it.
	stores := [3]Progressor{fakeStore{rv: 5, nodes: []string{"n1", "n2", "n4"}}, fakeStore{rv: 9, nodes: []string{"n1", "n4"}},
		fakeStore{rv: 3, nodes: []string{"n1", "n4"}}}
	tests := []struct {
		name      string
		acks      map[string]Versions
		peers     *fakePeers
		wantNodes []string
		wantLocal Coverage
		wantMiss  []string
		wantCause string
	}{
		{name: "a Node's kinds covered by two replicas",
			acks:      map[string]Versions{"n1": target, "n2": {5, 0, 0}, "n4": target},
			peers:     &fakePeers{cover: Coverage{"n2": addressGroupsBit | appliedToGroupsBit, "n3": allKinds}},
			wantNodes: []string{"n1", "n2", "n3"}, wantLocal: Coverage{"n1": allKinds, "n2": networkPoliciesBit}},
		{name: "a kind served here not acknowledged: this replica's own wait fails",
			acks:     map[string]Versions{"n1": target, "n2": {4, 0, 0}},
			peers:    &fakePeers{cover: Coverage{"n2": allKinds, "n3": allKinds}},
			wantMiss: []string{"n2"}},
		{name: "a Node no replica covers",
			acks:     map[string]Versions{"n1": target, "n2": {5, 0, 0}},
			peers:    &fakePeers{cover: Coverage{"n2": addressGroupsBit | appliedToGroupsBit}},
			wantMiss: []string{"n3"}},
		{name: "another replica did not confirm",
			acks:      map[string]Versions{"n1": target, "n2": {5, 0, 0}},
			peers:     &fakePeers{cover: Coverage{"n2": allKinds, "n3": allKinds}, silent: []string{"e9"}},
			wantCause: "replica(s) of epoch e9 did not confirm"},
		{name: "the other replicas cannot be told",
			acks:      map[string]Versions{"n1": target},
			peers:     &fakePeers{announceErr: errors.New("etcd unreachable")},
			wantCause: "etcd unreachable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tracker := NewTracker("e1")
			for n, v := range tt.acks {
				tracker.Report(n, v)
			}
			b, err := New(Config{Addresses: &fakeAddresses{}, Tracker: tracker, Timeout: 300 * time.Millisecond, Stores: stores,
				PeerSpan: func(controlplane.PodReference, []controlplane.IPAddress) sets.Set[string] {
					return sets.New("n2", "n3")
				}})
			if err != nil {
				t.Fatal(err)
			}
			b.JoinPeers(tt.peers)
			nodes, err := b.Await(context.Background(), &controlplane.PodStartup{
				Pod: controlplane.PodReference{Namespace: "ns", Name: "a"}, PodUID: "uid-a", NodeName: "n1",
				Addresses: []controlplane.IPAddress{controlplane.IPAddress(net.ParseIP("10.0.0.7").To4())}})
			var notReady *NotReadyError
			switch {
			case tt.wantNodes != nil:
				if err != nil || !slices.Equal(nodes, tt.wantNodes) {
					t.Fatalf("Await = %v, %v; want %v", nodes, err, tt.wantNodes)
				}
				if !maps.Equal(tt.peers.local, tt.wantLocal) {
					t.Errorf("this replica covered %v, want %v (never a Node outside its span)", tt.peers.local, tt.wantLocal)
				}
			case !errors.As(err, &notReady):
				t.Fatalf("Await = %v, %v; want a NotReadyError", nodes, err)
			case tt.wantCause != "":
				if notReady.Cause == nil || !strings.Contains(err.Error(), tt.wantCause) {
					t.Fatalf("Await error %v, want one saying %q", err, tt.wantCause)
				}
			case !slices.Equal(notReady.Missing, tt.wantMiss):
				t.Fatalf("missing %v, want %v (%v)", notReady.Missing, tt.wantMiss, err)
			}
			if tt.peers.announceErr == nil && (!tt.peers.closed || !slices.Equal(tt.peers.announced, []string{"ns/a"})) {
				t.Errorf("announced %v, closed %v: want the Pod announced once and withdrawn", tt.peers.announced, tt.peers.closed)
			}
		})
	}
}
