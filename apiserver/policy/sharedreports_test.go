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
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/strata-net/strata/apis/controlplane"
	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
	"github.com/strata-net/strata/apiserver/reports"
)

// fakeShared records what the aggregator writes to and deletes from etcd.
type fakeShared struct {
	mu  sync.Mutex
	ops []string
}

func (f *fakeShared) record(op string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ops = append(f.ops, op)
}

func (f *fakeShared) Put(_ context.Context, policy string, st controlplane.NetworkPolicyNodeStatus) error {
	f.record("put " + policy + "/" + st.NodeName)
	return nil
}

func (f *fakeShared) DeleteReports(_ context.Context, policy string, nodes []string) error {
	sort.Strings(nodes)
	f.record("delete " + policy + "/" + strings.Join(nodes, ","))
	return nil
}

func (f *fakeShared) DeleteNode(_ context.Context, node string) error {
	f.record("delete node " + node)
	return nil
}

func (f *fakeShared) waitOps(t *testing.T, want ...string) {
	t.Helper()
	var got string
	err := wait.PollUntilContextTimeout(context.Background(), 5*time.Millisecond, 5*time.Second, true,
		func(context.Context) (bool, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			got = strings.Join(f.ops, "; ")
			return got == strings.Join(want, "; "), nil
		})
	if err != nil {
		t.Fatalf("waiting 5s for the etcd operations %v: got %q", want, got)
	}
}

// listing hands a fixed set to the aggregator, as reports.Mirror.Relist does.
type listing struct {
	a        *StatusAggregator
	entries  []reports.Entry
	revision int64
}

func (l *listing) Relist(context.Context) (int64, error) {
	l.a.ReplaceReports(l.entries, l.revision)
	return l.revision, nil
}

func entry(node string, gen, rev int64, deleted bool) reports.Entry {
	return reports.Entry{Policy: "u1", Revision: rev, Deleted: deleted,
		Status: controlplane.NetworkPolicyNodeStatus{NodeName: node, Generation: gen}}
}

// TestNoStatusFromPartialReports: with shared reports, a leader writes nothing
// before it has listed them; a posted report goes to etcd, not to memory; the
// list, then only newer watch events, make the counts.
func TestNoStatusFromPartialReports(t *testing.T) {
	lease := &fakeLeadership{}
	lease.elect()
	client := &fakeStatusClient{policy: &crdv1beta1.ClusterNetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "acnp1", UID: "u1"}}}
	a := NewStatusAggregator(client)
	a.WriteWhileLeading(lease)
	shared := &fakeShared{}
	list := &listing{a: a, entries: []reports.Entry{entry("n1", 1, 4, false)}, revision: 5}
	a.ShareReports(shared, list)
	a.Observe(&controlplane.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "u1", Generation: 1},
		SourceRef: &controlplane.NetworkPolicyReference{Type: controlplane.AntreaClusterNetworkPolicy, Name: "acnp1", UID: "u1"}},
		sets.New("n1", "n2"))
	ctx := context.Background()
	mustSync := func(when string, updates int, current int32) {
		t.Helper()
		if err := a.sync(ctx, "u1"); err != nil {
			t.Fatal(err)
		}
		if client.updates != updates || client.policy.Status.CurrentNodesRealized != current {
			t.Fatalf("%s: %d writes, current %d; want %d writes, current %d",
				when, client.updates, client.policy.Status.CurrentNodesRealized, updates, current)
		}
	}
	mustSync("before any list", 0, 0)
	if err := a.ReportStatus(ctx, &controlplane.NetworkPolicyStatus{ObjectMeta: metav1.ObjectMeta{Name: "u1"},
		Nodes: []controlplane.NetworkPolicyNodeStatus{{NodeName: "n2", Generation: 1}}}); err != nil {
		t.Fatal(err)
	}
	shared.waitOps(t, "put u1/n2")
	mustSync("after a report posted, before any list", 0, 0)
	a.StartTerm()
	mustSync("after the term's list (n1)", 1, 1)
	a.ApplyReport(entry("n2", 1, 3, false))
	mustSync("after a watch event older than the list", 1, 1)
	a.ApplyReport(entry("n2", 1, 6, false))
	mustSync("after n2's report from the watch", 2, 2)
	if client.policy.Status.Phase != crdv1beta1.NetworkPolicyRealized {
		t.Fatalf("phase %s with 2 of 2 Nodes, want Realized", client.policy.Status.Phase)
	}
	a.ApplyReport(entry("n1", 1, 7, true))
	mustSync("after n1's report was deleted", 3, 1)
}

// TestStaleSharedReportsRemovedByLeader: the leader removes from etcd the reports
// of Nodes that left a policy's span, of a deleted policy and of a deleted Node; a
// follower removes them from its memory only.
func TestStaleSharedReportsRemovedByLeader(t *testing.T) {
	for _, tc := range []struct {
		name    string
		leading bool
		want    []string
	}{
		{"leader", true, []string{"delete u1/n2", "delete node n1", "delete u1/n3"}},
		{"follower", false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lease := &fakeLeadership{}
			if tc.leading {
				lease.elect()
			}
			a := NewStatusAggregator(&fakeStatusClient{policy: &crdv1beta1.ClusterNetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "acnp1", UID: "u1"}}})
			a.WriteWhileLeading(lease)
			shared := &fakeShared{}
			a.ShareReports(shared, &listing{a: a})
			ref := &controlplane.NetworkPolicyReference{Type: controlplane.AntreaClusterNetworkPolicy, Name: "acnp1", UID: "u1"}
			np := &controlplane.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "u1", Generation: 1}, SourceRef: ref}
			a.Observe(np, sets.New("n1", "n2", "n3"))
			a.ReplaceReports([]reports.Entry{entry("n1", 1, 1, false), entry("n2", 1, 2, false), entry("n3", 1, 3, false)}, 3)
			a.Observe(np, sets.New("n1", "n3"))
			shared.waitOps(t, tc.want[:min(1, len(tc.want))]...)
			a.ForgetNode("n1")
			shared.waitOps(t, tc.want[:min(2, len(tc.want))]...)
			a.Forget("u1")
			shared.waitOps(t, tc.want...)
			if r, ok := a.Realization("u1"); ok {
				t.Fatalf("the forgotten policy still has a realization: %+v", r)
			}
		})
	}
}
