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

package replicas

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/apiserver/etcd/etcdtest"
	"github.com/strata-net/strata/apiserver/podstartup"
)

// fakeLocal confirms every Pod start with cover, or fails with err; it records
// the Pods it was asked about.
type fakeLocal struct {
	mu    sync.Mutex
	span  []string
	cover podstartup.Coverage
	err   error
	pods  []string
}

func (f *fakeLocal) Confirm(ctx context.Context, s *controlplane.PodStartup) ([]string, podstartup.Coverage, error) {
	f.mu.Lock()
	f.pods = append(f.pods, s.Pod.Namespace+"/"+s.Pod.Name+"@"+s.NodeName)
	span, cover, err := f.span, f.cover, f.err
	f.mu.Unlock()
	if err != nil {
		<-ctx.Done()
		return nil, nil, err
	}
	return span, cover, nil
}

// asked returns the Pods it was asked about.
func (f *fakeLocal) asked() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.pods)
}

// ackRecorder is an AckSink.
type ackRecorder struct {
	mu  sync.Mutex
	got map[string]podstartup.Versions
}

func (r *ackRecorder) Report(node string, v podstartup.Versions) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.got == nil {
		r.got = map[string]podstartup.Versions{}
	}
	r.got[node] = v
}

func (r *ackRecorder) of(node string) podstartup.Versions {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.got[node]
}

type replica struct {
	*Coordinator
	local *fakeLocal
	acks  *ackRecorder
	lost  chan struct{}
	stop  context.CancelFunc
}

// startReplica runs a coordinator of epoch on client, and waits until it is
// ready and sees the live epochs want.
func startReplica(t *testing.T, client *clientv3.Client, epoch string, local *fakeLocal, want ...string) *replica {
	t.Helper()
	r := &replica{local: local, acks: &ackRecorder{}, lost: make(chan struct{}, 10)}
	c, err := New(Config{Client: client, Prefix: "/registry/strata", Epoch: epoch, Local: local, Acks: r.acks,
		LeaseTTL: 2 * time.Second, OnLost: func() { r.lost <- struct{}{} }})
	if err != nil {
		t.Fatal(err)
	}
	r.Coordinator = c
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); c.Run(ctx) }()
	r.stop = func() { cancel(); <-done }
	t.Cleanup(r.stop)
	waitLive(t, c, want...)
	return r
}

// waitLive waits until c is ready and knows exactly the other live epochs want.
func waitLive(t *testing.T, c *Coordinator, want ...string) {
	t.Helper()
	slices.Sort(want)
	var got []string
	err := wait.PollUntilContextTimeout(context.Background(), 10*time.Millisecond, 20*time.Second, true, func(context.Context) (bool, error) {
		got, _ = c.others()
		slices.Sort(got)
		return c.Ready() == nil && slices.Equal(got, want), nil
	})
	if err != nil {
		t.Fatalf("replica %s: waiting to be ready and to see the other replicas %v: ready: %v, sees %v", c.cfg.Epoch, want, c.Ready(), got)
	}
}

func startup(name, node string) *controlplane.PodStartup {
	return &controlplane.PodStartup{Pod: controlplane.PodReference{Namespace: "ns", Name: name}, PodUID: types.UID("uid-" + name), NodeName: node,
		Addresses: []controlplane.IPAddress{{10, 0, 0, 7}}}
}

const all = 7 // every kind

func TestPodStartAcrossReplicas(t *testing.T) {
	tests := []struct {
		name string
		// span and cover are what replica B confirms; bErr makes it never confirm.
		span  []string
		cover podstartup.Coverage
		bErr  error
		// local is replica A's own coverage, nodes the span.
		local podstartup.Coverage
		nodes []string
		want  *podstartup.Shortfall
	}{
		{name: "the other replica covers the peer Node", cover: podstartup.Coverage{"n2": all},
			local: podstartup.Coverage{"n1": all}, nodes: []string{"n1", "n2"}},
		{name: "a Node's kinds split over the replicas", cover: podstartup.Coverage{"n2": 2},
			local: podstartup.Coverage{"n1": all, "n2": 5}, nodes: []string{"n1", "n2"}},
		{name: "a kind of a peer Node covered by no replica", cover: podstartup.Coverage{"n2": 3},
			local: podstartup.Coverage{"n1": all}, nodes: []string{"n1", "n2"}, want: &podstartup.Shortfall{Nodes: []string{"n2"}}},
		{name: "the other replica does not confirm, though the span is covered", bErr: errors.New("acknowledgements missing"),
			local: podstartup.Coverage{"n1": all}, nodes: []string{"n1"}, want: &podstartup.Shortfall{Replicas: []string{"B"}}},
		{name: "a Node only in the other replica's span, covered by none", span: []string{"n2", "n4"}, cover: podstartup.Coverage{"n2": all},
			local: podstartup.Coverage{"n1": all}, nodes: []string{"n1", "n2"}, want: &podstartup.Shortfall{Nodes: []string{"n4"}}},
		{name: "a Node no replica serves", cover: podstartup.Coverage{"n2": all},
			local: podstartup.Coverage{"n1": all}, nodes: []string{"n1", "n2", "n3"}, want: &podstartup.Shortfall{Nodes: []string{"n3"}}},
	}
	client := etcdtest.Client(t)
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			epochA, epochB := fmt.Sprintf("A%d", i), fmt.Sprintf("B%d", i)
			a := startReplica(t, client, epochA, &fakeLocal{})
			b := startReplica(t, client, epochB, &fakeLocal{span: tc.span, cover: tc.cover, err: tc.bErr}, epochA)
			waitLive(t, a.Coordinator, epochB)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			p, err := a.Announce(ctx, startup("p", "n1"))
			if err != nil {
				t.Fatal(err)
			}
			got := p.Wait(ctx, tc.local, tc.nodes)
			if tc.want != nil {
				for j, e := range tc.want.Replicas {
					tc.want.Replicas[j] = map[string]string{"B": epochB}[e]
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("Wait = %+v, want %+v", got, tc.want)
			}
			if pods := b.local.asked(); !slices.Equal(pods, []string{"ns/p@n1"}) {
				t.Errorf("replica B was asked about %v, want the announced Pod once", pods)
			}
			if pods := a.local.asked(); len(pods) != 0 {
				t.Errorf("replica A ran its own announcement as another's: %v", pods)
			}
			p.Close()
			resp, err := client.Get(context.Background(), "/registry/strata/podstartup/", clientv3.WithPrefix(), clientv3.WithKeysOnly())
			if err != nil {
				t.Fatal(err)
			}
			for _, kv := range resp.Kvs {
				if k := string(kv.Key); !strings.HasPrefix(k, "/registry/strata/podstartup/epochs/") {
					t.Errorf("key %s left after Close", k)
				}
			}
			a.stop()
			b.stop()
			for _, r := range []*replica{a, b} {
				if err := r.Close(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

func TestForwardSync(t *testing.T) {
	client := etcdtest.Client(t)
	a := startReplica(t, client, "A", &fakeLocal{})
	b := startReplica(t, client, "B", &fakeLocal{}, "A")
	waitLive(t, a.Coordinator, "B")
	ctx := context.Background()
	tests := []struct {
		name      string
		epoch     string
		wantTaken bool
	}{
		{name: "another live replica's epoch is forwarded", epoch: "B", wantTaken: true},
		{name: "an epoch no replica has is not taken", epoch: "Z"},
		{name: "an epoch that names a key path is not taken", epoch: "B/x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			taken, err := a.ForwardSync(ctx, "n1", tc.epoch, podstartup.Versions{3, 0, 9})
			if err != nil || taken != tc.wantTaken {
				t.Fatalf("ForwardSync = %v, %v; want %v", taken, err, tc.wantTaken)
			}
		})
	}
	err := wait.PollUntilContextTimeout(ctx, 10*time.Millisecond, 10*time.Second, true, func(context.Context) (bool, error) {
		return b.acks.of("n1") == podstartup.Versions{3, 0, 9}, nil
	})
	if err != nil {
		t.Fatalf("waiting for replica B to receive the report forwarded by A: got %v", b.acks.of("n1"))
	}
	if got := a.acks.of("n1"); got != (podstartup.Versions{}) {
		t.Fatalf("replica A recorded another epoch's report: %v", got)
	}

	// A replica that goes stops being waited for, and its epoch is no longer taken.
	b.stop()
	if err := b.Close(ctx); err != nil {
		t.Fatal(err)
	}
	waitLive(t, a.Coordinator)
	if taken, err := a.ForwardSync(ctx, "n1", "B", podstartup.Versions{4, 0, 9}); taken || err != nil {
		t.Fatalf("after B left, ForwardSync = %v, %v; want not taken", taken, err)
	}
}

// TestLostRegistration checks that a replica whose lease is lost (here revoked
// behind its back, as when etcd expires it) drops its watches, runs Rejoin (Pods
// may have started without it) and registers again.
func TestLostRegistration(t *testing.T) {
	client := etcdtest.Client(t)
	lost, rejoined := make(chan struct{}, 10), make(chan struct{}, 10)
	c, err := New(Config{Client: client, Prefix: "/registry/strata", Epoch: "A", Local: &fakeLocal{}, Acks: &ackRecorder{},
		LeaseTTL: 2 * time.Second, OnLost: func() { lost <- struct{}{} },
		Rejoin: func(context.Context) error { rejoined <- struct{}{}; return nil }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); c.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	waitLive(t, c)
	if len(rejoined) != 0 {
		t.Fatal("Rejoin ran at the first registration")
	}
	c.mu.Lock()
	lease := c.lease
	c.mu.Unlock()
	if _, err := client.Revoke(context.Background(), lease); err != nil {
		t.Fatal(err)
	}
	for what, ch := range map[string]chan struct{}{"OnLost": lost, "Rejoin": rejoined} {
		select {
		case <-ch:
		case <-time.After(20 * time.Second):
			t.Fatalf("waiting 20s for %s after the lease was revoked", what)
		}
	}
	waitLive(t, c)
	c.mu.Lock()
	again := c.lease
	c.mu.Unlock()
	if again == lease || again == 0 {
		t.Fatalf("registered again with lease %x (lost %x)", again, lease)
	}
}

// TestRegistersOnceComputed checks that a replica whose computation is not
// complete does not register: the others would wait for its confirmation.
func TestRegistersOnceComputed(t *testing.T) {
	client := etcdtest.Client(t)
	a := startReplica(t, client, "A", &fakeLocal{})
	var computed sync.Mutex
	notYet := errors.New("the computation has not published its first pass")
	state := notYet
	c, err := New(Config{Client: client, Prefix: "/registry/strata", Epoch: "B", Local: &fakeLocal{}, Acks: &ackRecorder{},
		LeaseTTL: 2 * time.Second, Computed: func() error { computed.Lock(); defer computed.Unlock(); return state }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); c.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	// A follows the epochs: had B registered, A would see it within this poll.
	err = wait.PollUntilContextTimeout(ctx, 10*time.Millisecond, time.Second, true, func(context.Context) (bool, error) {
		others, _ := a.others()
		return len(others) > 0, nil
	})
	if err == nil || c.Ready() == nil {
		t.Fatalf("B registered before its computation was complete (ready: %v)", c.Ready())
	}
	computed.Lock()
	state = nil
	computed.Unlock()
	waitLive(t, a.Coordinator, "B")
	waitLive(t, c, "A")
}

// TestAnnounceWaitsForReplicasNotMirroredYet: a replica registered in etcd but
// not yet in the announcer's mirror (its watch is behind) is still waited for:
// the announcement reads the registered replicas in its own transaction.
func TestAnnounceWaitsForReplicasNotMirroredYet(t *testing.T) {
	client := etcdtest.Client(t)
	ctx := context.Background()
	a, err := New(Config{Client: client, Prefix: "/registry/strata", Epoch: "A", Local: &fakeLocal{}, Acks: &ackRecorder{}})
	if err != nil {
		t.Fatal(err)
	}
	// A registered by hand, its mirror never run: it sees no other replica.
	grant, err := client.Grant(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	a.setLease(grant.ID)
	if _, err := client.Put(ctx, "/registry/strata/podstartup/epochs/B", "", clientv3.WithLease(grant.ID)); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	p, err := a.Announce(wctx, startup("p", "n1"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	got := p.Wait(wctx, podstartup.Coverage{"n1": all}, []string{"n1"})
	if got == nil || !slices.Equal(got.Replicas, []string{"B"}) {
		t.Fatalf("Wait = %+v, want replica B not confirmed", got)
	}
}
