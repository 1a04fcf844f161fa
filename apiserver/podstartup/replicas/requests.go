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
	"fmt"
	"strings"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/klog/v2"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/apiserver/podstartup"
)

// expiredAfter is how long after its deadline (on the announcing replica's
// clock) a request is taken as left behind, allowing for clock skew.
const expiredAfter = time.Minute

// request is a Pod start announced by the replica it was posted to.
type request struct {
	Origin string `json:"origin"`
	Lease  int64  `json:"lease"`
	// Deadline is when the announcing replica stops waiting (its clock): a
	// request found well after it (a withdrawal that failed) is not done.
	Deadline time.Time `json:"deadline"`
	// Remaining is how long the announcing replica waits from the announcement:
	// the others time their part by their own clocks.
	Remaining time.Duration            `json:"remaining"`
	Namespace string                   `json:"namespace"`
	Name      string                   `json:"name"`
	UID       types.UID                `json:"uid"`
	Node      string                   `json:"node"`
	Addresses []controlplane.IPAddress `json:"addresses"`
}

// confirmation is a replica's part of a Pod start, done: the Nodes its
// computation gives the Pod's address (its span), and of those the (Node, kind)
// whose watch it serves and that acknowledged.
type confirmation struct {
	Span    []string            `json:"span"`
	Covered podstartup.Coverage `json:"covered"`
}

func (r *request) podStartup() *controlplane.PodStartup {
	return &controlplane.PodStartup{Pod: controlplane.PodReference{Namespace: r.Namespace, Name: r.Name},
		PodUID: r.UID, NodeName: r.Node, Addresses: r.Addresses}
}

// requestsFollower does this replica's part of every Pod start announced by
// another replica, and stops it when the announcement is withdrawn.
func (c *Coordinator) requestsFollower(ctx context.Context) follower {
	prefix := c.root + "requests/"
	start := func(kv *mvccpb.KeyValue) {
		id := strings.TrimPrefix(string(kv.Key), prefix)
		var req request
		if err := json.Unmarshal(kv.Value, &req); err != nil {
			klog.ErrorS(err, "Ignoring an undecodable Pod start announcement", "key", string(kv.Key))
			return
		}
		if req.Origin == c.cfg.Epoch {
			return
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if _, ok := c.handling[id]; ok {
			return
		}
		if time.Since(req.Deadline) > expiredAfter {
			return // left behind by a withdrawal that failed
		}
		deadline := time.Now().Add(min(c.cfg.ConfirmTimeout, max(req.Remaining, 0)))
		hctx, cancel := context.WithDeadline(ctx, deadline)
		c.handling[id] = cancel
		go c.confirm(hctx, id, &req)
	}
	stop := func(id string) {
		c.mu.Lock()
		defer c.mu.Unlock()
		if cancel, ok := c.handling[id]; ok {
			cancel()
			delete(c.handling, id)
		}
	}
	return follower{
		reset: func(kvs []*mvccpb.KeyValue) {
			for _, kv := range kvs {
				start(kv)
			}
			c.mu.Lock()
			c.following = true
			c.mu.Unlock()
		},
		event: func(ev *clientv3.Event) {
			switch {
			case ev.Type == clientv3.EventTypeDelete:
				stop(strings.TrimPrefix(string(ev.Kv.Key), prefix))
			case ev.IsCreate():
				start(ev.Kv)
			}
		},
	}
}

// confirm does this replica's part of the announced Pod start and writes the
// Nodes it covers, while the announcement stands.
func (c *Coordinator) confirm(ctx context.Context, id string, req *request) {
	defer func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if cancel, ok := c.handling[id]; ok {
			cancel()
			delete(c.handling, id)
		}
	}()
	logger := klog.FromContext(ctx).WithValues("pod", req.Namespace+"/"+req.Name, "announcedBy", req.Origin)
	span, covered, err := c.cfg.Local.Confirm(ctx, req.podStartup())
	if err != nil {
		logger.Info("This replica's part of a Pod start did not complete", "err", err)
		return
	}
	value, err := json.Marshal(confirmation{Span: span, Covered: covered})
	if err != nil {
		logger.Error(err, "Encoding the Nodes this replica covers")
		return
	}
	reqKey, key := c.root+"requests/"+id, c.root+"confirms/"+id+"/"+c.cfg.Epoch
	// The put outlives a withdrawal racing with it (the announcing replica may
	// have seen this confirmation before this process hears back).
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	resp, err := c.cfg.Client.Txn(pctx).If(clientv3.Compare(clientv3.CreateRevision(reqKey), ">", 0)).
		Then(clientv3.OpPut(key, string(value), clientv3.WithLease(clientv3.LeaseID(req.Lease)))).Commit()
	switch {
	case err != nil:
		logger.Error(fmt.Errorf("writing %s: %w", key, err), "Confirming this replica's part of a Pod start")
	case !resp.Succeeded:
		logger.V(2).Info("The Pod start was withdrawn before this replica confirmed")
	default:
		logger.V(2).Info("Confirmed this replica's part of a Pod start", "nodes", len(covered))
	}
}
