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
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
)

// syncRecorder keeps the sync reports, each with the peers of the watched rule as
// the Reconciler had them when the report was sent.
type syncRecorder struct {
	mu      sync.Mutex
	reports []v1beta2.NodeSyncReport
	peers   [][]string
	peersOf func() []string
}

func (r *syncRecorder) ReportSync(_ context.Context, rep *v1beta2.NodeSyncReport) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reports = append(r.reports, *rep)
	r.peers = append(r.peers, r.peersOf())
	return nil
}

func (r *syncRecorder) last() (v1beta2.NodeSyncReport, []string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.reports) == 0 {
		return v1beta2.NodeSyncReport{}, nil, false
	}
	return r.reports[len(r.reports)-1], r.peers[len(r.peers)-1], true
}

// TestSyncAcknowledgements checks the agent's side of the Pod start-up barrier:
// the BOOKMARKs ending the initial state are acknowledged once the first sync is
// installed, and a later progress BOOKMARK only once the change that came before
// it is installed (the new peer is in the Reconciler's rule when the report goes).
func TestSyncAcknowledgements(t *testing.T) {
	f := newFixture()
	rec := &syncRecorder{}
	var revalidations atomic.Int32
	h := newHarness(t, func(c *Config) {
		c.SyncReporter = rec
		c.DatapathSync = func(context.Context) error { revalidations.Add(1); return nil }
	})
	rule := ruleIDsOf(f.p1)[0]
	rec.peersOf = func() []string {
		r := h.rec.rule(rule)
		if r == nil {
			return nil
		}
		var cidrs []string
		for _, p := range r.Peers {
			cidrs = append(cidrs, p.CIDR)
		}
		slices.Sort(cidrs)
		return cidrs
	}
	h.start()
	ws := h.syncAll(f.policies(), f.atgs, f.ags)
	eventually(t, func(c *assert.CollectT) {
		rep, _, ok := rec.last()
		assert.True(c, ok)
		assert.Equal(c, [3]int64{7, 7, 7}, [3]int64{rep.NetworkPolicies, rep.AddressGroups, rep.AppliedToGroups})
		assert.Equal(c, testNode, rep.Name)
	}, "the initial BOOKMARKs acknowledged")
	if revalidations.Load() == 0 {
		t.Fatal("an acknowledgement was reported before the datapath was revalidated")
	}

	ws[kindAddressGroups].Modify(&v1beta2.AddressGroupPatch{ObjectMeta: metav1.ObjectMeta{Name: "ag1"},
		AddedGroupMembers: []v1beta2.GroupMember{pod("ns2", "client-9", "10.0.9.9")}})
	ws[kindAddressGroups].Action(watch.Bookmark, &v1beta2.AddressGroup{ObjectMeta: metav1.ObjectMeta{ResourceVersion: "12"}})
	eventually(t, func(c *assert.CollectT) {
		rep, peers, ok := rec.last()
		assert.True(c, ok)
		assert.Equal(c, [3]int64{7, 12, 7}, [3]int64{rep.NetworkPolicies, rep.AddressGroups, rep.AppliedToGroups})
		assert.Equal(c, []string{"10.0.1.1/32", "10.0.9.9/32"}, peers, "the new peer was installed before the acknowledgement")
	}, "the progress BOOKMARK acknowledged after the change before it")

	// strata-apiserver restarts: its stores number from scratch, under a new
	// epoch. The lower resourceVersion of the new epoch is acknowledged.
	ws[kindAddressGroups].Stop()
	w := h.nextWatch(kindAddressGroups)
	for _, o := range objects(f.ags) {
		w.Add(o)
	}
	w.Action(watch.Bookmark, &v1beta2.AddressGroup{ObjectMeta: metav1.ObjectMeta{ResourceVersion: "3",
		Annotations: map[string]string{v1beta2.ServerEpochAnnotation: "e2"}}})
	eventually(t, func(c *assert.CollectT) {
		rep, _, ok := rec.last()
		assert.True(c, ok)
		assert.Equal(c, "e2", rep.Annotations[v1beta2.ServerEpochAnnotation])
		assert.Equal(c, [3]int64{0, 3, 0}, [3]int64{rep.NetworkPolicies, rep.AddressGroups, rep.AppliedToGroups})
	}, "the new server's numbering acknowledged from scratch")
}
