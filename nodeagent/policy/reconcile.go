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
	"sync"

	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"

	"github.com/strata-net/strata/nodeagent/types"
)

// Reconciler installs and uninstalls completed rules; nodeagent/pipeline
// implements it. Both methods must be idempotent: a rule is handed to Reconcile
// again when its groups or Pods change, after an error and after a resync, and
// Forget may name rules that were never installed or are already gone.
type Reconciler interface {
	// Reconcile installs the rules, or updates installed ones to this content.
	Reconcile(ctx context.Context, rules []*types.CompletedRule) error
	// Forget uninstalls the rules.
	Forget(ctx context.Context, ids []types.RuleID) error
}

// ruleRecord is what the Reconciler last did with a rule: err is nil when it is
// installed, the error of the last attempt otherwise.
type ruleRecord struct {
	policy string
	err    error
}

// reconcileLoop drains the dirty rules in batches: complete rules are handed to
// Reconcile, rules that are gone or no longer complete to Forget. A failed batch
// is retried rule by rule right away, so that a failure is recorded against the
// rules that cause it; a rule that fails on its own is retried with backoff.
type reconcileLoop struct {
	rec       Reconciler
	cache     *ruleCache
	queue     *workSet[types.RuleID]
	batchSize int
	limiter   workqueue.TypedRateLimiter[types.RuleID]
	// policiesTouched receives the policies whose rules were processed.
	policiesTouched func(names ...string)
	// datapath, when set, makes the datapath's cached flows follow the flows just
	// installed or removed (Config.DatapathSync).
	datapath func(ctx context.Context) error

	mu      sync.Mutex
	records map[types.RuleID]ruleRecord
}

func (l *reconcileLoop) run(ctx context.Context) {
	logger := klog.FromContext(ctx).WithName("reconcile")
	ctx = klog.NewContext(ctx, logger)
	for {
		ids, done, ok := l.queue.get(ctx, l.batchSize)
		if !ok {
			return
		}
		l.sync(ctx, ids)
		if done != nil {
			done()
		}
	}
}

// sync processes one batch of dirty rules.
func (l *reconcileLoop) sync(ctx context.Context, ids []types.RuleID) {
	logger := klog.FromContext(ctx)
	var install []*types.CompletedRule
	var forget []types.RuleID
	notEnforced := map[types.RuleID]error{}
	touched := sets.New[string]()
	for _, id := range ids {
		rule, state, err := l.cache.completedRule(id)
		switch {
		case err != nil && isNotEnforced(err) && rule != nil:
			logger.Error(err, "Installing only the isolation of rule", "rule", id)
			install = append(install, rule)
			notEnforced[id] = err
		case err != nil && isNotEnforced(err):
			logger.Error(err, "Not installing rule", "rule", id)
			l.failFor(id, l.cache.rulePolicy(id), err)
		case err != nil:
			logger.Error(err, "Cannot complete rule", "rule", id)
			l.fail(ctx, id, l.cache.rulePolicy(id), err)
		case state == ruleComplete:
			install = append(install, rule)
		case l.recorded(id):
			forget = append(forget, id)
		default:
			logger.V(4).Info("Rule not installable yet", "rule", id, "state", state)
		}
		touched.Insert(l.cache.rulePolicy(id))
	}
	logger.V(2).Info("Reconciling rules", "dirty", len(ids), "install", len(install), "forget", len(forget))
	l.install(ctx, install)
	for id, err := range notEnforced {
		if known, installErr := l.result(id); known && installErr == nil {
			l.failFor(id, l.cache.rulePolicy(id), err)
		}
	}
	for _, id := range forget {
		touched.Insert(l.record(id).policy)
	}
	l.forget(ctx, forget)
	l.syncDatapath(ctx, len(install)+len(forget))
	touched.Delete("")
	if touched.Len() > 0 && l.policiesTouched != nil {
		l.policiesTouched(sets.List(touched)...)
	}
}

// syncDatapath makes the datapath's cached flows follow a change of the installed
// rules. ovs-vswitchd revalidates them by itself, but a cached flow made for an
// earlier verdict was seen to keep forwarding new connections a Drop added since
// forbids, for 30 s and more (userspace datapath, OVS 3.1; TestFieldsOnTraffic):
// a rule change is not enforced until the cache follows it. A failure is logged:
// the rules are installed, and the next change tries again.
func (l *reconcileLoop) syncDatapath(ctx context.Context, changes int) {
	if l.datapath == nil || changes == 0 {
		return
	}
	if err := l.datapath(ctx); err != nil {
		klog.FromContext(ctx).Error(err, "Flushing the datapath's cached flows after a rule change failed")
	}
}

// install hands rules to Reconcile; a failed batch is split into single rules.
func (l *reconcileLoop) install(ctx context.Context, rules []*types.CompletedRule) {
	if len(rules) == 0 {
		return
	}
	err := l.rec.Reconcile(ctx, rules)
	if err == nil {
		l.mu.Lock()
		for _, r := range rules {
			l.records[r.ID] = ruleRecord{policy: r.Policy.InternalName}
			l.limiter.Forget(r.ID)
		}
		l.mu.Unlock()
		return
	}
	if len(rules) == 1 {
		l.fail(ctx, rules[0].ID, rules[0].Policy.InternalName, err)
		return
	}
	klog.FromContext(ctx).V(2).Info("Batch failed, retrying rule by rule", "rules", len(rules), "err", err)
	for _, r := range rules {
		l.install(ctx, []*types.CompletedRule{r})
	}
}

// fail records a failed rule and retries it later.
func (l *reconcileLoop) fail(ctx context.Context, id types.RuleID, policy string, err error) {
	delay := l.limiter.When(id)
	klog.FromContext(ctx).Error(err, "Cannot install rule, will retry", "rule", id, "policy", policy, "after", delay)
	l.mu.Lock()
	l.records[id] = ruleRecord{policy: policy, err: err}
	l.mu.Unlock()
	l.queue.addAfter(id, delay)
}

// failFor records a rule that fails for its content: retrying cannot help (a
// rule's ID covers its content); it is completed again when its groups change.
func (l *reconcileLoop) failFor(id types.RuleID, policy string, err error) {
	l.mu.Lock()
	l.records[id] = ruleRecord{policy: policy, err: err}
	l.mu.Unlock()
	l.limiter.Forget(id)
}

func isNotEnforced(err error) bool {
	var ne *notEnforcedError
	return errors.As(err, &ne)
}

// forget hands rules to Forget; on error they are retried later, all of them
// (Forget is idempotent).
func (l *reconcileLoop) forget(ctx context.Context, ids []types.RuleID) {
	if len(ids) == 0 {
		return
	}
	if err := l.rec.Forget(ctx, ids); err != nil {
		for _, id := range ids {
			delay := l.limiter.When(id)
			klog.FromContext(ctx).Error(err, "Cannot forget rule, will retry", "rule", id, "after", delay)
			l.queue.addAfter(id, delay)
		}
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, id := range ids {
		delete(l.records, id)
		l.limiter.Forget(id)
	}
}

// recorded tells whether the Reconciler was handed the rule and not told to
// forget it since.
func (l *reconcileLoop) recorded(id types.RuleID) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, ok := l.records[id]
	return ok
}

// record returns what the Reconciler last did with a rule.
func (l *reconcileLoop) record(id types.RuleID) ruleRecord {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.records[id]
}

// result tells whether the rule was handed to the Reconciler, and its error.
func (l *reconcileLoop) result(id types.RuleID) (known bool, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r, ok := l.records[id]
	return ok, r.err
}
