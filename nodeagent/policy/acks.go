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
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/klog/v2"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/generated/clientset/versioned"
)

// SyncReporter tells strata-apiserver up to which resourceVersion of each kind
// this Node installed what its watches delivered (POST nodesyncreports): the Pod
// start-up barrier waits on it.
type SyncReporter interface {
	ReportSync(ctx context.Context, report *v1beta2.NodeSyncReport) error
}

// NewClientSyncReporter posts the reports through client.
func NewClientSyncReporter(client versioned.Interface) SyncReporter {
	return clientSyncReporter{client: client}
}

type clientSyncReporter struct{ client versioned.Interface }

func (r clientSyncReporter) ReportSync(ctx context.Context, report *v1beta2.NodeSyncReport) error {
	if _, err := r.client.ControlplaneV1beta2().NodeSyncReports().Create(ctx, report, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("posting the sync report of Node %s: %w", report.Name, err)
	}
	return nil
}

// acks are the resourceVersions, per kind, up to which everything delivered is
// installed: a BOOKMARK at rv is acknowledged once every rule made dirty before
// it has been through the Reconciler (installed, or failed and reported).
type acks struct {
	node     string
	reporter SyncReporter
	datapath func(ctx context.Context) error // nil: no datapath cache to wait for
	backoff  Backoff

	mu sync.Mutex
	// epochs are, per kind, the strata-apiserver process whose numbering the
	// versions are in: through kube-apiserver's aggregation a Node's three watches
	// may be served by different replicas.
	epochs  [numKinds]string
	acked   [numKinds]int64
	sent    [numKinds]int64
	changed chan struct{} // capacity 1
	// last is when something was last installed up to a BOOKMARK (unix nanos).
	last atomic.Int64
}

func newAcks(node string, reporter SyncReporter, datapath func(context.Context) error, backoff Backoff) *acks {
	return &acks{node: node, reporter: reporter, datapath: datapath, backoff: backoff, changed: make(chan struct{}, 1)}
}

// installed records that everything of kind k up to rv of epoch is installed. A
// new epoch (strata-apiserver restarted, or another replica) starts the kind's
// version over: it is numbered from scratch there.
func (a *acks) installed(k kind, rv int64, epoch string) {
	a.mu.Lock()
	if epoch != a.epochs[k] {
		a.epochs[k], a.acked[k], a.sent[k] = epoch, 0, 0
	}
	if rv > a.acked[k] {
		a.acked[k] = rv
	}
	a.mu.Unlock()
	a.last.Store(time.Now().UnixNano())
	a.wake()
}

func (a *acks) wake() {
	select {
	case a.changed <- struct{}{}:
	default:
	}
}

// run posts the latest acknowledgements whenever they change, one report per
// epoch the watches are served from, retrying a failed post with back-off, until
// ctx ends.
func (a *acks) run(ctx context.Context) {
	delay := a.backoff.Initial
	for {
		select {
		case <-ctx.Done():
			return
		case <-a.changed:
		}
		if err := a.reportChanged(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			klog.FromContext(ctx).Error(err, "Reporting the installed resourceVersions failed, will retry", "after", delay)
			if !sleepCtx(ctx, delay) {
				return
			}
			delay = min(2*delay, a.backoff.Max)
			a.wake()
			continue
		}
		delay = a.backoff.Initial
	}
}

// reportChanged posts, for every epoch with a kind acknowledged further than
// last reported, the versions of that epoch's kinds (0 for the others: they mean
// nothing in that numbering).
func (a *acks) reportChanged(ctx context.Context) error {
	logger := klog.FromContext(ctx).WithName("acks")
	a.mu.Lock()
	cur, sent, epochs := a.acked, a.sent, a.epochs
	a.mu.Unlock()
	if cur == sent {
		return nil
	}
	if err := a.syncDatapath(ctx); err != nil {
		return err
	}
	for _, epoch := range changedEpochs(cur, sent, epochs) {
		var versions [numKinds]int64
		for k := range versions {
			if epochs[k] == epoch {
				versions[k] = cur[k]
			}
		}
		report := &v1beta2.NodeSyncReport{
			ObjectMeta:      metav1.ObjectMeta{Name: a.node, Annotations: map[string]string{v1beta2.ServerEpochAnnotation: epoch}},
			NetworkPolicies: versions[kindPolicies], AddressGroups: versions[kindAddressGroups], AppliedToGroups: versions[kindAppliedToGroups]}
		err := a.reporter.ReportSync(ctx, report)
		if apierrors.IsConflict(err) {
			// No strata-apiserver of that epoch runs any more: these versions mean
			// nothing. The watches start over on another, and their BOOKMARKs
			// bring its epoch.
			logger.Info("strata-apiserver refused the sync report of an epoch no replica serves; waiting for new BOOKMARKs", "epoch", epoch)
		} else if err != nil {
			return err
		}
		a.markSent(cur, epochs, epoch)
		logger.V(4).Info("Reported the installed resourceVersions", "versions", versions, "epoch", epoch)
	}
	return nil
}

// changedEpochs are the epochs, in kind order, of the kinds acknowledged further
// than last reported.
func changedEpochs(cur, sent [numKinds]int64, epochs [numKinds]string) []string {
	var out []string
	for k := range cur {
		if cur[k] != sent[k] && !slices.Contains(out, epochs[k]) {
			out = append(out, epochs[k])
		}
	}
	return out
}

// syncDatapath waits until the datapath's cached flows reflect what is installed
// (the flows acknowledged were installed before it is called).
func (a *acks) syncDatapath(ctx context.Context) error {
	if a.datapath == nil {
		return nil
	}
	if err := a.datapath(ctx); err != nil {
		return fmt.Errorf("waiting for the datapath to revalidate its flows: %w", err)
	}
	return nil
}

// markSent records that cur of epoch's kinds was reported (unless a kind's epoch
// changed since).
func (a *acks) markSent(cur [numKinds]int64, epochs [numKinds]string, epoch string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for k := range cur {
		if epochs[k] == epoch && a.epochs[k] == epoch {
			a.sent[k] = cur[k]
		}
	}
}

// bookmarked is called by kind k's watcher after a BOOKMARK at rv (the one that
// ends a watch's initial state, and the progress ones), once everything before it
// is in the cache: rv is acknowledged when every rule made dirty so far has been
// through the Reconciler. Until every kind is listed the rules are held, so the
// acknowledgement waits for the batch that releases them.
func (c *Controller) bookmarked(k kind, b bookmarkRef) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.allListed {
		c.pendingAcks[k] = b
		return
	}
	c.rules.releaseAll(nil, func() { c.acks.installed(k, b.rv, b.epoch) })
}

// ackPending acknowledges what waited for the first complete sync.
func (c *Controller) ackPending(pending [numKinds]bookmarkRef) {
	for k, b := range pending {
		if b.rv > 0 {
			c.acks.installed(kind(k), b.rv, b.epoch)
		}
	}
}

// bookmarkRef is a BOOKMARK's resourceVersion and the epoch of its numbering.
type bookmarkRef struct {
	rv    int64
	epoch string
}

// bookmarkOf is the resourceVersion a BOOKMARK's object carries, with its epoch.
func bookmarkOf(obj runtime.Object) (bookmarkRef, bool) {
	m, err := meta.Accessor(obj)
	if err != nil {
		return bookmarkRef{}, false
	}
	rv, err := strconv.ParseInt(m.GetResourceVersion(), 10, 64)
	return bookmarkRef{rv: rv, epoch: m.GetAnnotations()[v1beta2.ServerEpochAnnotation]}, err == nil
}
