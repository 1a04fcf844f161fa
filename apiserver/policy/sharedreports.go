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
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/klog/v2"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/apiserver/reports"
)

// sharedCleanupTimeout bounds the removal of stale reports from etcd.
const sharedCleanupTimeout = 30 * time.Second

// SharedReports keeps the agents' reports in etcd, where every replica reads them
// (apiserver/reports.Store).
type SharedReports interface {
	Put(ctx context.Context, policy string, st controlplane.NetworkPolicyNodeStatus) error
	DeleteReports(ctx context.Context, policy string, nodes []string) error
	DeleteNode(ctx context.Context, node string) error
}

// Relister reads every shared report into the aggregator (apiserver/reports.Mirror).
type Relister interface {
	Relist(ctx context.Context) (int64, error)
}

// sharedState is the aggregator's view of the shared reports; guarded by a.mu.
type sharedState struct {
	store    SharedReports // nil: the reports stay in this replica's memory
	relister Relister
	synced   bool  // a full list was applied
	revision int64 // the etcd revision the reports reflect
}

var _ reports.Sink = &StatusAggregator{}

// ShareReports makes the aggregator keep the reports in store and record them
// only from the mirror of store (ReplaceReports, ApplyReport); relister reads
// them all at the start of every term. Call it before Run.
func (a *StatusAggregator) ShareReports(store SharedReports, relister Relister) {
	a.mu.Lock()
	a.shared = sharedState{store: store, relister: relister}
	a.mu.Unlock()
}

// shareReport writes each Node's report to etcd; the agent's request succeeds
// only once every report is stored.
func (a *StatusAggregator) shareReport(ctx context.Context, st *controlplane.NetworkPolicyStatus) error {
	for _, n := range st.Nodes {
		if err := a.shared.store.Put(ctx, st.Name, n); err != nil {
			return fmt.Errorf("storing the report of Node %s: %w", n.NodeName, err)
		}
	}
	return nil
}

// ReplaceReports implements reports.Sink: the whole set as of revision. A list
// older than what the watch already applied changes nothing but the sync.
func (a *StatusAggregator) ReplaceReports(entries []reports.Entry, revision int64) {
	a.mu.Lock()
	if revision >= a.shared.revision {
		a.reports = map[string]map[string]controlplane.NetworkPolicyNodeStatus{}
		for _, e := range entries {
			a.recordLocked(e.Policy, e.Status)
		}
		a.shared.revision = revision
	}
	a.shared.synced = true
	a.mu.Unlock()
	a.Resync()
}

// ApplyReport implements reports.Sink: one change, ignored when the set already
// reflects its revision.
func (a *StatusAggregator) ApplyReport(e reports.Entry) {
	a.mu.Lock()
	if e.Revision <= a.shared.revision {
		a.mu.Unlock()
		return
	}
	a.shared.revision = e.Revision
	if e.Deleted {
		delete(a.reports[e.Policy], e.Status.NodeName)
	} else {
		a.recordLocked(e.Policy, e.Status)
	}
	_, known := a.known[e.Policy]
	a.mu.Unlock()
	if known {
		a.queue.Add(e.Policy)
	}
}

// StartTerm is called when this replica becomes the status writer: with shared
// reports it writes nothing until it has read every report again, then queues
// every policy; without, it queues every policy at once.
func (a *StatusAggregator) StartTerm() {
	a.mu.Lock()
	relister := a.shared.relister
	if a.shared.store != nil {
		a.shared.synced = false
	}
	a.mu.Unlock()
	if relister == nil {
		a.Resync()
		return
	}
	ctx, leading := a.term(context.Background())
	if !leading {
		return
	}
	err := wait.PollUntilContextCancel(ctx, time.Second, true, func(ctx context.Context) (bool, error) {
		if _, err := relister.Relist(ctx); err != nil {
			klog.ErrorS(err, "Reading the realization reports at the start of the term failed; retrying")
			return false, nil
		}
		return true, nil
	})
	if err != nil {
		klog.InfoS("The term ended before the realization reports were read", "err", err)
	}
}

// ForgetNode drops the reports of a Node that left the cluster; the status
// writer also removes them from etcd.
func (a *StatusAggregator) ForgetNode(node string) {
	a.mu.Lock()
	var policies []string
	for policy, byNode := range a.reports {
		if _, ok := byNode[node]; ok {
			delete(byNode, node)
			policies = append(policies, policy)
		}
	}
	store := a.shared.store
	a.mu.Unlock()
	for _, p := range policies {
		a.queue.Add(p)
	}
	if store == nil {
		return
	}
	a.whileLeading(func(ctx context.Context) error { return store.DeleteNode(ctx, node) }, "node", node)
}

// dropShared removes from etcd the reports of policy by nodes, which no longer
// count (the Nodes left its span, or the policy is gone); only the status writer
// does, the others drop them from memory.
func (a *StatusAggregator) dropShared(policy string, nodes []string) {
	a.mu.Lock()
	store := a.shared.store
	a.mu.Unlock()
	if store == nil || len(nodes) == 0 {
		return
	}
	a.whileLeading(func(ctx context.Context) error { return store.DeleteReports(ctx, policy, nodes) }, "policy", policy)
}

// whileLeading runs a cleanup in the background within the current term.
func (a *StatusAggregator) whileLeading(cleanup func(context.Context) error, kv ...any) {
	term, leading := a.term(context.Background())
	if !leading {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(term, sharedCleanupTimeout)
		defer cancel()
		if err := cleanup(ctx); err != nil {
			klog.ErrorS(err, "Removing stale realization reports failed", kv...)
		}
	}()
}
