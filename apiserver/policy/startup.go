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

// normalizeIPs are the addresses as the computation keeps them (IPv4 in 4 bytes).
func normalizeIPs(ips []net.IP) [][]byte {
	out := make([][]byte, 0, len(ips))
	for _, ip := range ips {
		if v4 := ip.To4(); v4 != nil {
			ip = v4
		}
		out = append(out, ip)
	}
	return out
}

// apply returns p with the reported addresses of its UID, when they differ from
// its status's (none yet, or older ones: a sandbox created again gets new ones
// before the kubelet writes them).
func (r *reportedAddresses) apply(p *grouping.Pod) *grouping.Pod {
	r.mu.Lock()
	rep, ok := r.byPod[p.Namespace+"/"+p.Name]
	r.mu.Unlock()
	if !ok || (rep.uid != "" && rep.uid != p.UID) || sameIPs(p.IPs, rep.ips) {
		return p
	}
	withIPs := *p
	withIPs.IPs, withIPs.Memo = rep.ips, nil
	memoizeMembers(&withIPs)
	return &withIPs
}

func sameIPs(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !net.IP(a[i]).Equal(net.IP(b[i])) {
			return false
		}
	}
	return true
}

func (r *reportedAddresses) set(namespace, name string, rep reportedPod) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byPod == nil {
		r.byPod = map[string]reportedPod{}
	}
	r.byPod[namespace+"/"+name] = rep
}

// forget drops the report of a deleted Pod, unless it is another UID's (a Pod of
// the same name created again); it tells whether there was one.
func (r *reportedAddresses) forget(namespace, name string, uid types.UID) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if rep, ok := r.byPod[namespace+"/"+name]; ok && (rep.uid == "" || uid == "" || rep.uid == uid) {
		delete(r.byPod, namespace+"/"+name)
		return true
	}
	return false
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

// StartingPod is what a node agent reports of a Pod it attaches (PodStartup).
type StartingPod struct {
	Namespace, Name string
	// UID is the Pod's; empty matches any (not every runtime passes it).
	UID types.UID
	// NodeName is the Node the Pod starts on.
	NodeName string
	IPs      []net.IP
	// SavedAt is when the report was saved (ReportedAddressStore.Load).
	SavedAt time.Time
}

// ReportPodAddresses records the addresses a node agent gave a starting Pod and
// returns once a computation pass that includes them is published: from then on
// every AddressGroup that selects the Pod holds them (whether or not the Pod's
// status has them yet, or still has older ones). It waits (bounded by ctx) for
// the Pod, scheduled on that Node, to reach the computation's informer.
func (c *Controller) ReportPodAddresses(ctx context.Context, pod StartingPod) error {
	rep := reportedPod{uid: pod.UID, ips: normalizeIPs(pod.IPs)}
	uid, err := c.upsertReported(ctx, pod, rep)
	if err != nil {
		return err
	}
	if c.persist != nil {
		saved := pod
		saved.UID = uid
		if err := c.persist.Save(ctx, saved); err != nil {
			return fmt.Errorf("saving the addresses of Pod %s/%s: %w", pod.Namespace, pod.Name, err)
		}
	}
	n := c.passes.requested.Add(1)
	c.compiler.signal()
	return c.passes.wait(ctx, n)
}

// upsertReported records the report and hands the Pod to the computation again,
// once the informer has it (that UID, scheduled on the reporting Node: a report
// for another Pod is never recorded). The report is recorded under the Pod's own
// UID, so that it never applies to a later Pod of the same name. The
// Pod's informer handler and this take podMu around reading the reports and
// upserting, so that neither overwrites the other's newer view.
func (c *Controller) upsertReported(ctx context.Context, pod StartingPod, rep reportedPod) (types.UID, error) {
	tick := time.NewTicker(podLookupInterval)
	defer tick.Stop()
	for {
		c.podMu.Lock()
		obj, ok, err := c.pods.GetByKey(pod.Namespace + "/" + pod.Name)
		p, isPod := obj.(*cachedPod)
		found := err == nil && ok && isPod && (pod.UID == "" || p.UID == pod.UID) && p.pod.NodeName == pod.NodeName
		var uid types.UID
		if found {
			uid = p.UID
			c.reported.set(pod.Namespace, pod.Name, reportedPod{uid: p.UID, ips: rep.ips})
			c.compiler.UpsertPod(c.reported.apply(p.pod))
		}
		c.podMu.Unlock()
		switch {
		case err != nil:
			return "", fmt.Errorf("looking up Pod %s/%s: %w", pod.Namespace, pod.Name, err)
		case found:
			return uid, nil
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("waiting for Pod %s/%s (uid %q) scheduled on %s to reach the computation: %w",
				pod.Namespace, pod.Name, pod.UID, pod.NodeName, ctx.Err())
		case <-tick.C:
		}
	}
}
