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
	"strings"

	"go.etcd.io/etcd/api/v3/mvccpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"k8s.io/klog/v2"

	"github.com/strata-net/strata/apiserver/podstartup"
)

// ForwardSync implements podstartup.Forwarder: a report of a live replica's
// epoch is written for that replica, with its lease (it goes when the replica
// goes); a report of an epoch no live replica has is not taken.
func (c *Coordinator) ForwardSync(ctx context.Context, node, epoch string, v podstartup.Versions) (bool, error) {
	c.mu.Lock()
	lease, ok := c.live[epoch]
	synced := c.liveSynced
	c.mu.Unlock()
	switch {
	case strings.Contains(epoch, "/"):
		return false, nil
	case !synced:
		// Not known yet whether that replica runs: the agent retries.
		return false, errors.New("the live strata-apiserver replicas are not known yet")
	case !ok:
		return false, nil
	}
	value, err := json.Marshal(v)
	if err != nil {
		return false, fmt.Errorf("encoding the sync report of Node %s: %w", node, err)
	}
	key := c.root + "acks/" + epoch + "/" + node
	if _, err := c.cfg.Client.Put(ctx, key, string(value), clientv3.WithLease(lease)); err != nil {
		if errors.Is(err, rpctypes.ErrLeaseNotFound) {
			return false, nil // the replica has just gone
		}
		return false, fmt.Errorf("writing %s: %w", key, err)
	}
	return true, nil
}

// acksFollower hands the reports other replicas received for this epoch to the
// tracker (whose versions never go back, so a relist repeats harmlessly).
func (c *Coordinator) acksFollower() follower {
	prefix := c.root + "acks/" + c.cfg.Epoch + "/"
	apply := func(kv *mvccpb.KeyValue) {
		var v podstartup.Versions
		if err := json.Unmarshal(kv.Value, &v); err != nil {
			klog.ErrorS(err, "Ignoring an undecodable forwarded sync report", "key", string(kv.Key))
			return
		}
		c.cfg.Acks.Report(strings.TrimPrefix(string(kv.Key), prefix), v)
	}
	return follower{
		reset: func(kvs []*mvccpb.KeyValue) {
			for _, kv := range kvs {
				apply(kv)
			}
		},
		event: func(ev *clientv3.Event) {
			if ev.Type == clientv3.EventTypePut {
				apply(ev.Kv)
			}
		},
	}
}
