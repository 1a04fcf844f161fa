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
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/klog/v2"
)

// register keeps this replica's epoch key alive under a lease; when the lease is
// lost it calls OnLost and registers again, until ctx ends.
func (c *Coordinator) register(ctx context.Context) {
	initial := wait.Backoff{Duration: 200 * time.Millisecond, Factor: 2, Jitter: 0.5, Steps: 8, Cap: 5 * time.Second}
	backoff := initial
	rejoin := false
	for ctx.Err() == nil {
		if err := c.readyToRegister(ctx, rejoin); err != nil {
			if ctx.Err() != nil {
				return
			}
			klog.ErrorS(err, "Not registering this strata-apiserver replica yet", "epoch", c.cfg.Epoch)
			continue
		}
		kept, err := c.registerOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		c.setLease(0)
		if kept && c.cfg.OnLost != nil {
			c.cfg.OnLost()
		}
		if kept {
			backoff = initial
			rejoin = true
		}
		delay := backoff.Step()
		klog.ErrorS(err, "This strata-apiserver replica is not registered for the Pod start-up barrier; registering again", "epoch", c.cfg.Epoch, "after", delay)
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
	}
}

// readyToRegister waits until the computation is complete and the
// announcements are followed (a replica the others wait for must hear of every
// Pod start) and, when the replica registers again after losing its
// registration, runs Rejoin.
func (c *Coordinator) readyToRegister(ctx context.Context, rejoin bool) error {
	err := wait.PollUntilContextCancel(ctx, 100*time.Millisecond, true, func(context.Context) (bool, error) {
		c.mu.Lock()
		following := c.following
		c.mu.Unlock()
		return following && (c.cfg.Computed == nil || c.cfg.Computed() == nil), nil
	})
	if err != nil {
		return fmt.Errorf("waiting for the computation and the announcements: %w", err)
	}
	if rejoin && c.cfg.Rejoin != nil {
		rctx, cancel := context.WithTimeout(ctx, c.cfg.ConfirmTimeout)
		defer cancel()
		if err := c.cfg.Rejoin(rctx); err != nil {
			select { // a pause before trying again
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
			return fmt.Errorf("rejoining: %w", err)
		}
	}
	return nil
}

// registerOnce grants a lease, writes the epoch key with it and keeps it alive
// until the lease is lost; kept tells whether it was registered at all.
func (c *Coordinator) registerOnce(ctx context.Context) (kept bool, err error) {
	ttl := int64(c.cfg.LeaseTTL / time.Second)
	grant, err := c.cfg.Client.Grant(ctx, ttl)
	if err != nil {
		return false, fmt.Errorf("granting a %ds lease: %w", ttl, err)
	}
	key := c.root + "epochs/" + c.cfg.Epoch
	if _, err := c.cfg.Client.Put(ctx, key, strconv.FormatInt(int64(grant.ID), 10), clientv3.WithLease(grant.ID)); err != nil {
		return false, fmt.Errorf("writing %s: %w", key, err)
	}
	alive, err := c.cfg.Client.KeepAlive(ctx, grant.ID)
	if err != nil {
		return false, fmt.Errorf("keeping lease %x alive: %w", grant.ID, err)
	}
	c.setLease(grant.ID)
	klog.InfoS("Registered this strata-apiserver replica for the Pod start-up barrier", "epoch", c.cfg.Epoch, "lease", fmt.Sprintf("%x", grant.ID))
	// The responses only keep the lease; the channel closes once it is lost.
	for range alive {
	}
	return true, fmt.Errorf("lease %x of epoch %s was lost", grant.ID, c.cfg.Epoch)
}

func (c *Coordinator) setLease(id clientv3.LeaseID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lease = id
}

// epochsFollower mirrors the live replicas.
func (c *Coordinator) epochsFollower() follower {
	prefix := c.root + "epochs/"
	epochOf := func(key []byte) string { return strings.TrimPrefix(string(key), prefix) }
	leaseOf := func(kv *mvccpb.KeyValue) clientv3.LeaseID { return clientv3.LeaseID(kv.Lease) }
	return follower{
		reset: func(kvs []*mvccpb.KeyValue) {
			live := make(map[string]clientv3.LeaseID, len(kvs))
			for _, kv := range kvs {
				live[epochOf(kv.Key)] = leaseOf(kv)
			}
			c.mu.Lock()
			defer c.mu.Unlock()
			for e := range c.live {
				if _, ok := live[e]; !ok {
					c.gone[e] = true
				}
			}
			c.live, c.liveSynced = live, true
			c.broadcastLocked()
		},
		event: func(ev *clientv3.Event) {
			c.mu.Lock()
			defer c.mu.Unlock()
			if ev.Type == clientv3.EventTypeDelete {
				delete(c.live, epochOf(ev.Kv.Key))
				c.gone[epochOf(ev.Kv.Key)] = true
			} else {
				c.live[epochOf(ev.Kv.Key)] = leaseOf(ev.Kv)
			}
			c.broadcastLocked()
		},
	}
}
