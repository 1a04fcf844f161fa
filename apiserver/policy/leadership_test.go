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

package policy

import (
	"context"
	"sync"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/strata-net/strata/apis/controlplane"
	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
)

// fakeLeadership is a Lease held or not, with its term's context.
type fakeLeadership struct {
	mu     sync.Mutex
	ctx    context.Context
	cancel context.CancelFunc
}

func (f *fakeLeadership) elect() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ctx, f.cancel = context.WithCancel(context.Background())
}

func (f *fakeLeadership) lose() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cancel != nil {
		f.cancel()
	}
}

func (f *fakeLeadership) Term() (context.Context, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ctx == nil || f.ctx.Err() != nil {
		return nil, false
	}
	return f.ctx, true
}

// losingClient ends the term after reading the policy, before update decides.
type losingClient struct {
	fakeStatusClient
	lease *fakeLeadership
}

func (c *losingClient) UpdateStatus(ctx context.Context, ref controlplane.NetworkPolicyReference,
	update func(types.UID, *crdv1beta1.NetworkPolicyStatus) bool) error {
	c.lease.lose()
	return c.fakeStatusClient.UpdateStatus(ctx, ref, update)
}

func observedPolicy(a *StatusAggregator, name string) {
	a.Observe(&controlplane.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: name, Generation: 1},
		SourceRef: &controlplane.NetworkPolicyReference{Type: controlplane.AntreaClusterNetworkPolicy, Name: "acnp1", UID: "u1"}},
		sets.New("n1"))
}

func TestStatusWrittenOnlyWhileLeading(t *testing.T) {
	for _, tc := range []struct {
		name    string
		elected bool
		losing  bool // the term ends between the read and the write
		writes  int
	}{
		{name: "leading: written", elected: true, writes: 1},
		{name: "not leading: nothing written", writes: 0},
		{name: "the term ends during the write: nothing written", elected: true, losing: true, writes: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lease := &fakeLeadership{}
			if tc.elected {
				lease.elect()
			}
			policy := &crdv1beta1.ClusterNetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "acnp1", UID: "u1"}}
			client := &losingClient{fakeStatusClient: fakeStatusClient{policy: policy}}
			var sc StatusClient = &client.fakeStatusClient
			if tc.losing {
				client.lease, sc = lease, client
			}
			a := NewStatusAggregator(sc)
			a.WriteWhileLeading(lease)
			observedPolicy(a, "u1")
			if err := a.sync(context.Background(), "u1"); err != nil {
				t.Fatal(err)
			}
			if client.updates != tc.writes {
				t.Fatalf("%d status writes, want %d", client.updates, tc.writes)
			}
		})
	}
}

// TestResyncAtNewTerm checks that a new leader queues every known policy, and
// writes the statuses a follower skipped.
func TestResyncAtNewTerm(t *testing.T) {
	lease := &fakeLeadership{}
	client := &fakeStatusClient{policy: &crdv1beta1.ClusterNetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "acnp1", UID: "u1"}}}
	a := NewStatusAggregator(client)
	a.WriteWhileLeading(lease)
	observedPolicy(a, "u1")
	observedPolicy(a, "u2")
	drain := func() {
		for a.queue.Len() > 0 {
			name, _ := a.queue.Get()
			if err := a.sync(context.Background(), name); err != nil {
				t.Fatal(err)
			}
			a.queue.Done(name)
		}
	}
	drain()
	if client.updates != 0 {
		t.Fatalf("a follower wrote %d statuses", client.updates)
	}
	lease.elect()
	a.Resync()
	if got := a.queue.Len(); got != 2 {
		t.Fatalf("Resync queued %d policies, want 2", got)
	}
	drain()
	if client.updates == 0 || client.policy.Status.DesiredNodesRealized != 1 {
		t.Fatalf("the new leader wrote %d statuses: %+v", client.updates, client.policy.Status)
	}
}
