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

package leader

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// fast are short Lease durations for the tests.
func fast(client *fake.Clientset, id string) Config {
	return Config{Client: client, Identity: id, LeaseDuration: 2 * time.Second,
		RenewDeadline: time.Second, RetryPeriod: 100 * time.Millisecond}
}

func TestConfigValidate(t *testing.T) {
	client := fake.NewClientset()
	for _, tc := range []struct {
		name  string
		cfg   Config
		field string
	}{
		{"no client", Config{Identity: "a"}, "Client"},
		{"no identity", Config{Client: client}, "Identity"},
		{"a lease duration in parts of a second", Config{Client: client, Identity: "a",
			LeaseDuration: 1500 * time.Millisecond, RenewDeadline: time.Second, RetryPeriod: time.Millisecond}, "whole seconds"},
		{"renew deadline not below the lease duration", Config{Client: client, Identity: "a",
			LeaseDuration: time.Second, RenewDeadline: time.Second, RetryPeriod: time.Millisecond}, "LeaseDuration"},
		{"retry period not below the renew deadline", Config{Client: client, Identity: "a",
			LeaseDuration: 3 * time.Second, RenewDeadline: time.Second, RetryPeriod: time.Second}, "RetryPeriod"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.field) {
				t.Fatalf("New: %v, want an error naming %s", err, tc.field)
			}
		})
	}
	if _, err := New(Config{Client: client, Identity: "a"}); err != nil {
		t.Fatalf("the defaults are invalid: %v", err)
	}
}

// pair runs two electors on one Lease and checks, on every sample, that they
// never lead at once.
type pair struct {
	a, b   *Elector
	both   atomic.Bool
	cancel [2]context.CancelFunc
}

func startPair(t *testing.T, client *fake.Clientset) *pair {
	t.Helper()
	p := &pair{}
	var err error
	if p.a, err = New(fast(client, "a")); err != nil {
		t.Fatal(err)
	}
	if p.b, err = New(fast(client, "b")); err != nil {
		t.Fatal(err)
	}
	for i, e := range []*Elector{p.a, p.b} {
		ctx, cancel := context.WithCancel(context.Background())
		p.cancel[i] = cancel
		go e.Run(ctx)
	}
	watch, stop := context.WithCancel(context.Background())
	go func() {
		// Sample both terms every 2 ms until the test ends.
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			if _, la := p.a.Term(); la {
				if _, lb := p.b.Term(); lb {
					p.both.Store(true)
				}
			}
			select {
			case <-watch.Done():
				return
			case <-tick.C:
			}
		}
	}()
	t.Cleanup(func() { p.cancel[0](); p.cancel[1](); stop() })
	return p
}

// leader waits until exactly one of the pair leads and returns it and the other.
func (p *pair) leader(t *testing.T) (*Elector, *Elector) {
	t.Helper()
	var lead, other *Elector
	err := wait.PollUntilContextTimeout(context.Background(), 10*time.Millisecond, 10*time.Second, true,
		func(context.Context) (bool, error) {
			_, la := p.a.Term()
			_, lb := p.b.Term()
			switch {
			case la && !lb:
				lead, other = p.a, p.b
			case lb && !la:
				lead, other = p.b, p.a
			default:
				return false, nil
			}
			return true, nil
		})
	if err != nil {
		t.Fatalf("waiting for exactly one leader: %v", err)
	}
	return lead, other
}

func (p *pair) stop(e *Elector) {
	if e == p.a {
		p.cancel[0]()
	} else {
		p.cancel[1]()
	}
}

func waitLeads(t *testing.T, e *Elector, what string) {
	t.Helper()
	err := wait.PollUntilContextTimeout(context.Background(), 10*time.Millisecond, 10*time.Second, true,
		func(context.Context) (bool, error) { _, ok := e.Term(); return ok, nil })
	if err != nil {
		t.Fatalf("waiting for %s (%s) to lead: %v", e.Identity(), what, err)
	}
}

func waitDone(t *testing.T, term context.Context, what string) {
	t.Helper()
	select {
	case <-term.Done():
	case <-time.After(10 * time.Second):
		t.Fatalf("waiting for the term to end (%s): still running after 10s", what)
	}
}

func TestOneLeaderAndHandOver(t *testing.T) {
	client := fake.NewClientset()
	p := startPair(t, client)
	lead, other := p.leader(t)
	term, _ := lead.Term()
	p.stop(lead) // a graceful stop releases the Lease
	waitDone(t, term, "the leader stopped")
	waitLeads(t, other, "after the leader released the Lease")
	if _, ok := lead.Term(); ok {
		t.Fatal("the stopped replica still leads")
	}
	l, err := client.CoordinationV1().Leases(DefaultNamespace).Get(context.Background(), DefaultName, metav1.GetOptions{})
	if err != nil || l.Spec.HolderIdentity == nil || *l.Spec.HolderIdentity != other.Identity() {
		t.Fatalf("the Lease %s/%s: %v %+v, want held by %s", DefaultNamespace, DefaultName, err, l, other.Identity())
	}
	if p.both.Load() {
		t.Fatal("both replicas led at once")
	}
}

// TestLostLeaseStopsWriting cuts the leader off kube-apiserver (its renewals
// fail): its term ends within RenewDeadline, before the other takes over.
func TestLostLeaseStopsWriting(t *testing.T) {
	client := fake.NewClientset()
	var cut atomic.Value
	cut.Store("")
	client.PrependReactor("*", "leases", func(action k8stesting.Action) (bool, runtime.Object, error) {
		if u, ok := action.(k8stesting.UpdateAction); ok {
			if l, ok := u.GetObject().(*coordinationv1.Lease); ok && l.Spec.HolderIdentity != nil &&
				*l.Spec.HolderIdentity == cut.Load().(string) {
				return true, nil, errors.New("partitioned from kube-apiserver")
			}
		}
		return false, nil, nil
	})
	p := startPair(t, client)
	lead, other := p.leader(t)
	term, _ := lead.Term()
	cut.Store(lead.Identity())
	waitDone(t, term, "the leader's renewals fail")
	waitLeads(t, other, "after the leader lost the Lease")
	if p.both.Load() {
		t.Fatal("both replicas led at once")
	}
	if _, ok := lead.Term(); ok {
		t.Fatal("the partitioned replica still leads")
	}
}
