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

package proxy

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"
)

// Tracker watches Services and EndpointSlices and hands the ports of every
// changed Service to its Sink (see the package documentation).
type Tracker struct {
	cfg       Config
	factories []informers.SharedInformerFactory
	services  cache.SharedIndexInformer
	slices    cache.SharedIndexInformer
	handlers  []cache.ResourceEventHandlerRegistration
	queue     workqueue.TypedRateLimitingInterface[ServiceRef]
	state     *syncState

	started         atomic.Bool
	informersSynced atomic.Bool
}

// New checks the configuration and sets the informers up; Run does the work.
func New(cfg Config) (*Tracker, error) {
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	t := &Tracker{cfg: cfg, state: newSyncState()}
	t.queue = workqueue.NewTypedRateLimitingQueueWithConfig(
		workqueue.NewTypedItemExponentialFailureRateLimiter[ServiceRef](cfg.RetryBackoff.Initial, cfg.RetryBackoff.Max),
		workqueue.TypedRateLimitingQueueConfig[ServiceRef]{Name: "strata-proxy"})
	if err := t.setUpInformers(); err != nil {
		return nil, err
	}
	return t, nil
}

// HasSynced tells whether the informers have synced and every Service they
// listed then has been synced once (a Service the Sink keeps failing on
// keeps it false).
func (t *Tracker) HasSynced() bool {
	return t.informersSynced.Load() && t.state.initialDone()
}

// Run watches Services and EndpointSlices and syncs the changed Services
// until ctx ends; it returns nil then, or an error if ctx ended before the
// informers synced. Run may be called once.
func (t *Tracker) Run(ctx context.Context) error {
	if !t.started.CompareAndSwap(false, true) {
		return errors.New("proxy: Tracker.Run called twice")
	}
	logger := klog.FromContext(ctx).WithName("proxy").WithValues("node", t.cfg.NodeName)
	ctx = klog.NewContext(ctx, logger)
	defer t.queue.ShutDown()
	for _, f := range t.factories {
		f.Start(ctx.Done())
		defer f.Shutdown()
	}
	if err := t.waitForInformers(ctx); err != nil {
		return err
	}
	logger.Info("Service proxy tracker started", "services", len(t.services.GetStore().ListKeys()), "workers", t.cfg.Workers)
	go func() {
		<-ctx.Done()
		t.queue.ShutDown()
	}()
	var wg sync.WaitGroup
	for range t.cfg.Workers {
		wg.Go(func() {
			for t.processNext(ctx) {
			}
		})
	}
	wg.Wait()
	return nil
}

// waitForInformers waits until the informers have synced and delivered
// their objects to the handlers, then records the Services to sync before
// HasSynced.
func (t *Tracker) waitForInformers(ctx context.Context) error {
	synced := []cache.InformerSynced{t.services.HasSynced, t.slices.HasSynced}
	for _, h := range t.handlers {
		synced = append(synced, h.HasSynced)
	}
	if !cache.WaitForCacheSync(ctx.Done(), synced...) {
		return fmt.Errorf("proxy: waiting for the Service and EndpointSlice informers: %w", context.Cause(ctx))
	}
	t.state.expect(t.serviceRefs())
	t.informersSynced.Store(true)
	return nil
}

// serviceRefs lists the Services in the informer's store.
func (t *Tracker) serviceRefs() []ServiceRef {
	keys := t.services.GetStore().ListKeys()
	refs := make([]ServiceRef, 0, len(keys))
	for _, k := range keys {
		ns, name, err := cache.SplitMetaNamespaceKey(k)
		if err == nil {
			refs = append(refs, ServiceRef{Namespace: ns, Name: name})
		}
	}
	return refs
}
