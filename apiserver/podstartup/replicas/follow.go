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
	"errors"
	"fmt"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/klog/v2"
)

// follower receives a prefix's keys: reset with the whole set as of a list, then
// every later change in revision order.
type follower struct {
	reset func(kvs []*mvccpb.KeyValue)
	event func(ev *clientv3.Event)
}

// follow lists, then watches prefix until ctx ends; a failed list or a broken
// watch (compaction, etcd unreachable) starts over after a jittered back-off.
func (c *Coordinator) follow(ctx context.Context, prefix string, f follower) {
	initial := wait.Backoff{Duration: 200 * time.Millisecond, Factor: 2, Jitter: 0.5, Steps: 8, Cap: 10 * time.Second}
	backoff := initial
	for ctx.Err() == nil {
		listed, err := c.listAndWatch(ctx, prefix, f)
		if ctx.Err() != nil {
			return
		}
		if listed {
			backoff = initial
		}
		delay := backoff.Step()
		klog.ErrorS(err, "Following the other strata-apiserver replicas failed; listing again", "prefix", prefix, "after", delay)
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
	}
}

func (c *Coordinator) listAndWatch(ctx context.Context, prefix string, f follower) (listed bool, err error) {
	resp, err := c.cfg.Client.Get(ctx, prefix, clientv3.WithPrefix())
	if err != nil {
		return false, fmt.Errorf("listing %s: %w", prefix, err)
	}
	f.reset(resp.Kvs)
	wctx, cancel := context.WithCancel(clientv3.WithRequireLeader(ctx))
	defer cancel()
	rev := resp.Header.Revision
	for wr := range c.cfg.Client.Watch(wctx, prefix, clientv3.WithPrefix(), clientv3.WithRev(rev+1)) {
		if err := wr.Err(); err != nil {
			return true, fmt.Errorf("watching %s from revision %d: %w", prefix, rev+1, err)
		}
		for _, ev := range wr.Events {
			f.event(ev)
		}
	}
	return true, errors.New("the watch of " + prefix + " closed")
}
