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
		if c.restoreReported(pod, true) {
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

// ReloadReported reads the saved reports again and records those of Pods the
// informer has (it removes none) then waits for a pass that includes them: a
// replica that was not registered for a while may have missed Pod starts.
func (c *Controller) ReloadReported(ctx context.Context) error {
	if c.persist == nil {
		return nil
	}
	saved, err := c.persist.Load(ctx)
	if err != nil {
		return fmt.Errorf("reloading the addresses reported for starting Pods: %w", err)
	}
	for _, pod := range saved {
		c.restoreReported(pod, false)
	}
	n := c.passes.requested.Add(1)
	c.compiler.signal()
	return c.passes.wait(ctx, n)
}

// abandonedAfter is how old a saved report of a Pod the informer does not have
// must be to be removed: a Pod just created may not have reached a synced
// informer yet (a lagging watch cache), and its report must not go.
const abandonedAfter = 10 * time.Minute

// restoreReported records a saved report when its Pod is in the informer with
// that UID on that Node; a report of a Pod the informer does not have is kept
// for when it comes, unless it is older than abandonedAfter. It returns false
// for a report to remove: another UID has the name, or it was abandoned.
func (c *Controller) restoreReported(pod StartingPod, removeAbandoned bool) bool {
	c.podMu.Lock()
	defer c.podMu.Unlock()
	rep := reportedPod{uid: pod.UID, ips: normalizeIPs(pod.IPs)}
	obj, ok, err := c.pods.GetByKey(pod.Namespace + "/" + pod.Name)
	p, isPod := obj.(*cachedPod)
	switch {
	case err == nil && ok && isPod && p.UID == pod.UID && p.pod.NodeName == pod.NodeName:
		c.reported.set(pod.Namespace, pod.Name, rep)
		c.compiler.UpsertPod(c.reported.apply(p.pod))
		return true
	case err == nil && ok && isPod:
		return false // a Pod of that name with another UID or Node
	case removeAbandoned && !pod.SavedAt.IsZero() && time.Since(pod.SavedAt) > abandonedAfter:
		return false
	}
	c.reported.set(pod.Namespace, pod.Name, rep)
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
