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

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/klog/v2"
)

// ReportedAddressStore keeps the addresses reported for starting Pods beyond
// this process (strata's etcd), so that a restarted or new strata-apiserver
// computes with them from its first pass: a Pod that started just before the
// restart may not have its addresses in its status yet, and the rules of other
// Nodes naming it must not lose them.
type ReportedAddressStore interface {
	Save(ctx context.Context, pod StartingPod) error
	Load(ctx context.Context) ([]StartingPod, error)
	Delete(ctx context.Context, namespace, name string, uid types.UID) error
}

// persistTimeout bounds a removal of a deleted Pod's record.
const persistTimeout = 10 * time.Second

// loadReported reads the saved reports once the informers synced, before the
// first pass: a report whose Pod is still there (same UID, same Node) is
// recorded, any other is removed. It retries until it succeeds or ctx ends (the
// computation is not ready meanwhile).
func (c *Controller) loadReported(ctx context.Context) error {
	var saved []StartingPod
	var last error
	err := wait.PollUntilContextCancel(ctx, time.Second, true, func(ctx context.Context) (bool, error) {
		saved, last = c.persist.Load(ctx)
		if last != nil {
			klog.FromContext(ctx).Error(last, "Loading the addresses reported for starting Pods failed; retrying")
		}
		return last == nil, nil
	})
	if err != nil {
		return fmt.Errorf("loading the addresses reported for starting Pods: %w (last: %v)", err, last)
	}
	kept := 0
	for _, pod := range saved {
		if c.restoreReported(pod) {
			kept++
			continue
		}
		if err := c.persist.Delete(ctx, pod.Namespace, pod.Name, pod.UID); err != nil {
			klog.FromContext(ctx).Error(err, "Removing the saved addresses of a Pod that is gone", "pod", pod.Namespace+"/"+pod.Name)
		}
	}
	klog.FromContext(ctx).Info("Loaded the addresses reported for starting Pods", "kept", kept, "removed", len(saved)-kept)
	return nil
}

// restoreReported records a saved report when its Pod is in the informer with
// that UID on that Node.
func (c *Controller) restoreReported(pod StartingPod) bool {
	c.podMu.Lock()
	defer c.podMu.Unlock()
	obj, ok, err := c.pods.GetByKey(pod.Namespace + "/" + pod.Name)
	p, isPod := obj.(*cachedPod)
	if err != nil || !ok || !isPod || p.UID != pod.UID || p.pod.NodeName != pod.NodeName {
		return false
	}
	c.reported.set(pod.Namespace, pod.Name, reportedPod{uid: p.UID, ips: normalizeIPs(pod.IPs)})
	c.compiler.UpsertPod(c.reported.apply(p.pod))
	return true
}

// forgetSaved removes a deleted Pod's saved report, in the background.
func (c *Controller) forgetSaved(namespace, name string, uid types.UID) {
	if c.persist == nil {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), persistTimeout)
		defer cancel()
		if err := c.persist.Delete(ctx, namespace, name, uid); err != nil {
			klog.ErrorS(err, "Removing the saved addresses of a deleted Pod", "pod", namespace+"/"+name)
		}
	}()
}
