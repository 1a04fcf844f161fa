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
	"net"
	"sync"
	"sync/atomic"
	"time"

	"k8s.io/apimachinery/pkg/types"

	"github.com/strata-net/strata/apiserver/policy/grouping"
)

// podLookupInterval is how often ReportPodAddresses looks for a Pod its informer
// has not delivered yet.
const podLookupInterval = 20 * time.Millisecond

// reportedAddresses are the addresses node agents reported for Pods they are
// starting (PodStartup), before the Pods' status carries them: a Pod's first
// packet may leave long before the kubelet writes its status, and the rules of
// other Nodes that name it must know its address by then.
type reportedAddresses struct {
	mu    sync.Mutex
	byPod map[string]reportedPod // namespace/name
}

type reportedPod struct {
	uid types.UID
	ips [][]byte
}

// apply returns p with the reported addresses when its status has none yet.
func (r *reportedAddresses) apply(p *grouping.Pod) *grouping.Pod {
	if len(p.IPs) > 0 {
		return p
	}
	r.mu.Lock()
	rep, ok := r.byPod[p.Namespace+"/"+p.Name]
	r.mu.Unlock()
	if !ok || (rep.uid != "" && rep.uid != p.UID) {
		return p
	}
	withIPs := *p
	withIPs.IPs, withIPs.Memo = rep.ips, nil
	memoizeMembers(&withIPs)
	return &withIPs
}

func (r *reportedAddresses) set(namespace, name string, rep reportedPod) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byPod == nil {
		r.byPod = map[string]reportedPod{}
	}
	r.byPod[namespace+"/"+name] = rep
}

func (r *reportedAddresses) forget(namespace, name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.byPod, namespace+"/"+name)
}

// passes counts the computation's passes so that a caller can wait for one that
// started after its change.
type passes struct {
	requested atomic.Uint64
	mu        sync.Mutex
	done      uint64
	advanced  chan struct{} // closed and replaced at every completed pass
}

func newPasses() *passes { return &passes{advanced: make(chan struct{})} }

// completed records that the pass that started when n were requested is published.
func (p *passes) completed(n uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n > p.done {
		p.done = n
	}
	close(p.advanced)
	p.advanced = make(chan struct{})
}

// wait blocks until a pass that started after request n completed.
func (p *passes) wait(ctx context.Context, n uint64) error {
	for {
		p.mu.Lock()
		done, advanced := p.done, p.advanced
		p.mu.Unlock()
		if done >= n {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for the computation to publish the Pod's addresses: %w", ctx.Err())
		case <-advanced:
		}
	}
}

// ReportPodAddresses records the addresses a node agent gave a starting Pod and
// returns once a computation pass that includes them is published: from then on
// every AddressGroup that selects the Pod holds them (whether or not the Pod's
// status has them yet). It waits (bounded by ctx) for the Pod to reach the
// computation's informer if it has not yet.
func (c *Controller) ReportPodAddresses(ctx context.Context, namespace, name string, uid types.UID, ips []net.IP) error {
	rep := reportedPod{uid: uid}
	for _, ip := range ips {
		if v4 := ip.To4(); v4 != nil {
			ip = v4
		}
		rep.ips = append(rep.ips, ip)
	}
	c.reported.set(namespace, name, rep)
	if err := c.upsertKnownPod(ctx, namespace, name, uid); err != nil {
		return err
	}
	n := c.passes.requested.Add(1)
	c.computer.signal()
	return c.passes.wait(ctx, n)
}

// upsertKnownPod waits until the informer has the Pod of that UID and hands it to
// the computation again, now with its reported addresses.
func (c *Controller) upsertKnownPod(ctx context.Context, namespace, name string, uid types.UID) error {
	tick := time.NewTicker(podLookupInterval)
	defer tick.Stop()
	for {
		obj, ok, err := c.pods.GetByKey(namespace + "/" + name)
		if err != nil {
			return fmt.Errorf("looking up Pod %s/%s: %w", namespace, name, err)
		}
		if p, isPod := obj.(*cachedPod); ok && isPod && (uid == "" || p.UID == uid) {
			c.computer.UpsertPod(c.reported.apply(p.pod))
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for Pod %s/%s (uid %s) to reach the computation: %w", namespace, name, uid, ctx.Err())
		case <-tick.C:
		}
	}
}
