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
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/nodeagent/types"
)

// Controller keeps this Node's policy rules installed: it watches the Node's
// slice of the controlplane API, completes rules, hands them to the Reconciler
// and reports the realization of Antrea-native policies and upstream
// ClusterNetworkPolicies.
type Controller struct {
	cfg       Config
	cache     *ruleCache
	rules     *workSet[types.RuleID]
	reconcile *reconcileLoop
	status    *statusLoop
	writers   [numKinds]cacheWriter
	store     *stateStore // nil without StateDir
	persist   *persister  // nil without StateDir

	acks *acks

	mu sync.Mutex // the sync state below, and replacing a kind
	// pendingAcks holds each kind's latest BOOKMARK until allListed: it is
	// acknowledged once the rules of the first complete sync are reconciled.
	pendingAcks [numKinds]bookmarkRef
	// kindListed[k] is set when a watch of kind k first delivered its initial
	// state (the ADDED events up to the BOOKMARK) and replaced the cache's objects
	// of k. A kind not listed yet is the one the fallback restores from StateDir.
	kindListed [numKinds]bool
	// allListed is set when the last kind is listed for the first time: the held
	// rules are then released as one batch. From then on a replace is a resync
	// (statuses reported again), BOOKMARKs are acknowledged as they come, the
	// state is saved, and the fallback has nothing to do.
	allListed bool
	// firstSyncReconciled is set (outside mu) once the batch released by
	// allListed went through the Reconciler; Synced reports it.
	firstSyncReconciled atomic.Bool
	running             atomic.Bool
}

// New returns a Controller for cfg (after cfg.Defaults).
func New(cfg Config) (*Controller, error) {
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("invalid policy controller config: %w", err)
	}
	c := &Controller{cfg: cfg, rules: newWorkSet[types.RuleID](true)}
	statusQueue := newWorkSet[string](false)
	c.cache = newRuleCache(cacheHooks{rulesDirty: c.rules.add, policiesChanged: statusQueue.add})
	c.reconcile = &reconcileLoop{
		rec: cfg.Reconciler, cache: c.cache, queue: c.rules, batchSize: cfg.BatchSize,
		limiter: workqueue.NewTypedItemExponentialFailureRateLimiter[types.RuleID](
			cfg.RetryBackoff.Initial, cfg.RetryBackoff.Max),
		policiesTouched: statusQueue.add,
		datapath:        cfg.DatapathSync,
		records:         map[types.RuleID]ruleRecord{},
	}
	c.status = &statusLoop{
		node: cfg.NodeName, reporter: cfg.StatusReporter, cache: c.cache,
		results: c.reconcile.result, queue: statusQueue,
		limiter: workqueue.NewTypedItemExponentialFailureRateLimiter[string](
			cfg.RetryBackoff.Initial, cfg.RetryBackoff.Max),
		last: map[string]v1beta2.NetworkPolicyNodeStatus{},
	}
	for k := range numKinds {
		c.writers[k] = newCacheWriter(k, cfg.Client, c.cache)
	}
	c.acks = newAcks(cfg.NodeName, cfg.SyncReporter, cfg.DatapathSync, cfg.RetryBackoff)
	if cfg.StateDir != "" {
		c.store = &stateStore{dir: cfg.StateDir}
		c.persist = newPersister(*c.store, c.cache.snapshot, cfg.PersistInterval)
	}
	return c, nil
}

// Run watches, reconciles and reports until ctx is done. It can be called once.
func (c *Controller) Run(ctx context.Context) error {
	if !c.running.CompareAndSwap(false, true) {
		return errors.New("policy controller already ran")
	}
	logger := klog.FromContext(ctx).WithName("policy").WithValues("node", c.cfg.NodeName)
	ctx = klog.NewContext(ctx, logger)
	logger.Info("Starting policy controller", "stateDir", c.cfg.StateDir, "batchSize", c.cfg.BatchSize)
	var wg sync.WaitGroup
	for k := range numKinds {
		w := c.watcher(k)
		wg.Go(func() { w.run(ctx) })
	}
	wg.Go(func() { c.reconcile.run(ctx) })
	wg.Go(func() { c.status.run(ctx) })
	wg.Go(func() { c.acks.run(ctx) })
	if c.store != nil {
		wg.Go(func() { c.persist.run(ctx) })
		wg.Go(func() { c.fallbackAfterTimeout(ctx) })
	}
	<-ctx.Done()
	wg.Wait()
	logger.Info("Stopped policy controller")
	return nil
}

// Synced tells whether the three kinds were synced from strata-apiserver at
// least once and the resulting rules were handed to the Reconciler as one batch
// (successfully or not: failed rules are retried). The saved state does not
// count.
func (c *Controller) Synced() bool { return c.firstSyncReconciled.Load() }

// LastSync is when the agent last installed everything its watches delivered up
// to a BOOKMARK of strata-apiserver; zero before the first time.
func (c *Controller) LastSync() time.Time {
	if n := c.acks.last.Load(); n != 0 {
		return time.Unix(0, n)
	}
	return time.Time{}
}

// FailedRules is the number of rules that failed to install and wait for a retry
// or a change.
func (c *Controller) FailedRules() int {
	c.reconcile.mu.Lock()
	defer c.reconcile.mu.Unlock()
	n := 0
	for _, r := range c.reconcile.records {
		if r.err != nil {
			n++
		}
	}
	return n
}

// PodChanged makes the rules whose targets or peers include the Pod reconcile
// again, e.g. when its interface appeared or changed.
func (c *Controller) PodChanged(pod types.PodRef) {
	c.rules.add(c.cache.rulesForPod(pod)...)
}

func (c *Controller) watcher(k kind) *watcher {
	ops := c.writers[k]
	return &watcher{
		kind: k, node: c.cfg.NodeName, timeout: c.cfg.Timeouts.InitialBookmark,
		backoff: c.cfg.ResyncBackoff, watch: ops.watch, apply: ops.apply,
		replace:    func(objs []runtime.Object) error { return c.replace(k, objs) },
		afterAny:   c.changed,
		bookmarked: func(b bookmarkRef) { c.bookmarked(k, b) },
	}
}

// replace applies the full state of a kind from a watch. The first time all
// three kinds are listed, every rule is reconciled as one batch, after which the
// Controller is synced and reports status; later replaces (re-watches) report
// the status of every policy again.
func (c *Controller) replace(k kind, objs []runtime.Object) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.writers[k].replace(objs); err != nil {
		return err
	}
	c.kindListed[k] = true
	switch {
	case c.allListed:
		c.status.resyncAll()
	case c.kindListed == [numKinds]bool{true, true, true}:
		c.allListed = true
		pending := c.pendingAcks
		c.rules.releaseAll(c.cache.ruleIDs(), func() {
			c.firstSyncReconciled.Store(true)
			c.status.enable()
			c.ackPending(pending)
		})
	}
	return nil
}

// changed is called after each replace and event: once all kinds are listed, the
// state is saved (at most once per PersistInterval).
func (c *Controller) changed() {
	c.mu.Lock()
	all := c.allListed
	c.mu.Unlock()
	if all && c.persist != nil {
		c.persist.request()
	}
}

// fallbackAfterTimeout enforces the saved state of the kinds not listed within
// the fallback timeout, until their watches list them.
func (c *Controller) fallbackAfterTimeout(ctx context.Context) {
	if !sleepCtx(ctx, c.cfg.Timeouts.Fallback) {
		return
	}
	logger := klog.FromContext(ctx)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.allListed {
		return
	}
	st, found, err := c.store.load()
	if err != nil {
		logger.Error(err, "Not synced with strata-apiserver and cannot load the saved state",
			"timeout", c.cfg.Timeouts.Fallback, "dir", c.cfg.StateDir)
		return
	}
	if !found {
		logger.Info("Not synced with strata-apiserver and no saved state",
			"timeout", c.cfg.Timeouts.Fallback, "dir", c.cfg.StateDir)
		return
	}
	var restored []kind
	for k := range numKinds {
		if !c.kindListed[k] {
			c.writers[k].restore(st)
			restored = append(restored, k)
		}
	}
	c.rules.releaseAll(c.cache.ruleIDs(), nil)
	logger.Info("Not synced with strata-apiserver, enforcing the saved state until it is",
		"timeout", c.cfg.Timeouts.Fallback, "restored", restored, "policies", len(st.policies))
}
