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
	"fmt"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/klog/v2"
)

// processNext syncs the next queued Service; it returns false once the
// queue is shut down. A failed sync is retried with backoff, that Service
// only.
func (t *Tracker) processNext(ctx context.Context) bool {
	ref, quit := t.queue.Get()
	if quit {
		return false
	}
	defer t.queue.Done(ref)
	if err := t.syncService(ctx, ref); err != nil {
		klog.FromContext(ctx).Error(err, "Syncing Service failed; will retry", "service", ref,
			"failures", t.queue.NumRequeues(ref)+1)
		t.queue.AddRateLimited(ref)
		return true
	}
	t.queue.Forget(ref)
	if t.state.synced(ref) {
		klog.FromContext(ctx).Info("Every Service synced once")
	}
	return true
}

// syncService computes the ports of ref from the informers' caches and
// hands them to the Sink if they changed: SyncService, or DeleteService
// when there are none any more.
func (t *Tracker) syncService(ctx context.Context, ref ServiceRef) error {
	ports, err := t.compute(ctx, ref)
	if err != nil {
		return err
	}
	if len(ports) == 0 {
		return t.deleteService(ctx, ref)
	}
	return t.applyService(ctx, ref, ports)
}

// compute reads ref and its EndpointSlices and computes its ports; nil
// when the Service does not exist.
func (t *Tracker) compute(ctx context.Context, ref ServiceRef) ([]ServicePort, error) {
	obj, exists, err := t.services.GetIndexer().GetByKey(ref.String())
	if err != nil {
		return nil, fmt.Errorf("reading Service %s from the cache: %w", ref, err)
	}
	if !exists {
		return nil, nil
	}
	svc, ok := obj.(*corev1.Service)
	if !ok {
		return nil, fmt.Errorf("cache holds a %T for Service %s", obj, ref)
	}
	objs, err := t.slices.GetIndexer().ByIndex(serviceIndex, ref.String())
	if err != nil {
		return nil, fmt.Errorf("reading the EndpointSlices of %s from the cache: %w", ref, err)
	}
	eps := make([]*discoveryv1.EndpointSlice, 0, len(objs))
	for _, o := range objs {
		if s, ok := o.(*discoveryv1.EndpointSlice); ok {
			eps = append(eps, s)
		}
	}
	return ServicePorts(ctx, svc, eps, t.cfg.NodeName), nil
}

// applyService calls SyncService unless the Sink holds these ports already.
func (t *Tracker) applyService(ctx context.Context, ref ServiceRef, ports []ServicePort) error {
	if cur, ok := t.state.get(ref); ok && cur.valid && portsEqual(cur.ports, ports) {
		return nil
	}
	t.state.set(ref, nil, false)
	if err := t.cfg.Sink.SyncService(ctx, ref, ports); err != nil {
		return fmt.Errorf("syncing %d ports of Service %s: %w", len(ports), ref, err)
	}
	t.state.set(ref, ports, true)
	klog.FromContext(ctx).V(2).Info("Synced Service", "service", ref, "ports", len(ports))
	return nil
}

// deleteService calls DeleteService if the Sink may hold ports of ref.
func (t *Tracker) deleteService(ctx context.Context, ref ServiceRef) error {
	if _, ok := t.state.get(ref); !ok {
		return nil
	}
	if err := t.cfg.Sink.DeleteService(ctx, ref); err != nil {
		t.state.set(ref, nil, false)
		return fmt.Errorf("deleting Service %s: %w", ref, err)
	}
	t.state.forget(ref)
	klog.FromContext(ctx).V(2).Info("Deleted Service", "service", ref)
	return nil
}
