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

package replicas

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/uuid"
	"k8s.io/klog/v2"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/apiserver/podstartup"
)

// Announce implements podstartup.Peers: the Pod start is written for the other
// replicas, under this replica's lease.
func (c *Coordinator) Announce(ctx context.Context, s *controlplane.PodStartup) (podstartup.Pending, error) {
	c.mu.Lock()
	lease := c.lease
	c.mu.Unlock()
	if lease == 0 {
		return nil, errors.New("this replica's epoch is not registered in etcd")
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(c.cfg.ConfirmTimeout)
	}
	req := request{Origin: c.cfg.Epoch, Lease: int64(lease), Deadline: deadline, Remaining: time.Until(deadline), Namespace: s.Pod.Namespace, Name: s.Pod.Name,
		UID: s.PodUID, Node: s.NodeName, Addresses: s.Addresses}
	value, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("encoding the Pod start: %w", err)
	}
	id := string(uuid.NewUUID())
	// The replicas registered when the announcement is written are read in the
	// same transaction: one this replica's mirror has not seen yet is waited for.
	resp, err := c.cfg.Client.Txn(ctx).Then(
		clientv3.OpPut(c.root+"requests/"+id, string(value), clientv3.WithLease(lease)),
		clientv3.OpGet(c.root+"epochs/", clientv3.WithPrefix(), clientv3.WithKeysOnly())).Commit()
	if err != nil {
		return nil, fmt.Errorf("writing the Pod start: %w", err)
	}
	registered := map[string]bool{}
	if len(resp.Responses) == 2 {
		for _, kv := range resp.Responses[1].GetResponseRange().Kvs {
			if e := strings.TrimPrefix(string(kv.Key), c.root+"epochs/"); e != c.cfg.Epoch {
				registered[e] = true
			}
		}
	}
	return &pending{c: c, id: id, rev: resp.Header.Revision, registered: registered}, nil
}

// rewatchPause is the pause before Wait reads and watches again after its
// watch broke (etcd without a leader, a compaction).
const rewatchPause = 200 * time.Millisecond

// pending is an announced Pod start.
type pending struct {
	c          *Coordinator
	id         string
	rev        int64           // of the announcement
	registered map[string]bool // the other replicas registered then
}

// Wait implements podstartup.Pending.
func (p *pending) Wait(ctx context.Context, local podstartup.Coverage, nodes []string) *podstartup.Shortfall {
	prefix := p.c.root + "confirms/" + p.id + "/"
	confirmed := map[string]confirmation{}
	rev := p.rev
	for ctx.Err() == nil {
		wctx, cancel := context.WithCancel(clientv3.WithRequireLeader(ctx))
		short, done := p.watch(wctx, prefix, rev, local, nodes, confirmed)
		cancel()
		if done {
			return short
		}
		// The watch broke: after a pause, read what is there and watch from there.
		select {
		case <-ctx.Done():
			continue
		case <-time.After(rewatchPause):
		}
		resp, err := p.c.cfg.Client.Get(ctx, prefix, clientv3.WithPrefix())
		if err != nil {
			continue
		}
		for _, kv := range resp.Kvs {
			p.record(confirmed, prefix, kv.Key, kv.Value)
		}
		rev = resp.Header.Revision
	}
	return p.shortfall(local, nodes, confirmed)
}

// watch follows the confirmations after rev until the Pod start is complete
// (done, nil), ctx ends (done, the shortfall) or the watch breaks (not done).
func (p *pending) watch(ctx context.Context, prefix string, rev int64, local podstartup.Coverage, nodes []string,
	confirmed map[string]confirmation) (*podstartup.Shortfall, bool) {
	events := p.c.cfg.Client.Watch(ctx, prefix, clientv3.WithPrefix(), clientv3.WithRev(rev+1))
	for {
		// The channel is taken before the live replicas are read, so that a
		// change in between wakes this loop.
		_, liveChanged := p.c.others()
		short := p.shortfall(local, nodes, confirmed)
		if short == nil {
			return nil, true
		}
		select {
		case <-ctx.Done():
			return short, true
		case <-liveChanged:
		case wr, ok := <-events:
			if !ok || wr.Err() != nil {
				return nil, false
			}
			for _, ev := range wr.Events {
				if ev.Type == clientv3.EventTypePut {
					p.record(confirmed, prefix, ev.Kv.Key, ev.Kv.Value)
				}
			}
		}
	}
}

func (p *pending) record(confirmed map[string]confirmation, prefix string, key, value []byte) {
	var conf confirmation
	if err := json.Unmarshal(value, &conf); err != nil {
		klog.ErrorS(err, "Ignoring an undecodable Pod start confirmation", "key", string(key))
		return
	}
	confirmed[strings.TrimPrefix(string(key), prefix)] = conf
}

// shortfall is what the Pod start still waits for; nil when nothing.
func (p *pending) shortfall(local podstartup.Coverage, nodes []string, confirmed map[string]confirmation) *podstartup.Shortfall {
	total := podstartup.Coverage{}
	total.Add(local)
	need := sets.New(nodes...)
	for _, conf := range confirmed {
		total.Add(conf.Covered)
		need.Insert(conf.Span...)
	}
	others, _ := p.c.others()
	waitFor := sets.New(others...)
	for e := range p.registered {
		if !p.c.isGone(e) {
			waitFor.Insert(e)
		}
	}
	var replicas []string
	for e := range waitFor {
		if _, ok := confirmed[e]; !ok {
			replicas = append(replicas, e)
		}
	}
	slices.Sort(replicas)
	missing := total.Missing(sets.List(need))
	if len(missing) == 0 && len(replicas) == 0 {
		return nil
	}
	return &podstartup.Shortfall{Nodes: missing, Replicas: replicas}
}

// Close implements podstartup.Pending: the announcement and its confirmations
// are deleted.
func (p *pending) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := p.c.cfg.Client.Txn(ctx).Then(
		clientv3.OpDelete(p.c.root+"requests/"+p.id),
		clientv3.OpDelete(p.c.root+"confirms/"+p.id+"/", clientv3.WithPrefix())).Commit()
	if err != nil {
		klog.ErrorS(err, "Withdrawing a Pod start announcement; its keys go with this replica's lease", "id", p.id)
	}
}
