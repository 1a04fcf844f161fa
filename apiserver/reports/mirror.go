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

package reports

import (
	"context"
	"errors"
	"fmt"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/klog/v2"
)

// Sink holds the mirrored reports: ReplaceReports hands it the whole set as of a
// revision, ApplyReport every later change, in revision order.
type Sink interface {
	ReplaceReports(entries []Entry, revision int64)
	ApplyReport(e Entry)
}

// Mirror keeps a Sink equal to the reports in etcd.
type Mirror struct {
	store   *Store
	sink    Sink
	backoff wait.Backoff
}

// NewMirror returns a mirror of store into sink.
func NewMirror(store *Store, sink Sink) *Mirror {
	return &Mirror{store: store, sink: sink,
		backoff: wait.Backoff{Duration: 200 * time.Millisecond, Factor: 2, Jitter: 0.5, Steps: 8, Cap: 10 * time.Second}}
}

// Relist reads every report and hands the set to the sink.
func (m *Mirror) Relist(ctx context.Context) (int64, error) {
	entries, rev, err := m.store.List(ctx)
	if err != nil {
		return 0, err
	}
	m.sink.ReplaceReports(entries, rev)
	return rev, nil
}

// Run lists, then watches, until ctx ends; a failed list or a broken watch
// (compaction, etcd unreachable) starts over after a jittered back-off.
func (m *Mirror) Run(ctx context.Context) {
	backoff := m.backoff
	for ctx.Err() == nil {
		err := m.listAndWatch(ctx)
		if ctx.Err() != nil {
			return
		}
		delay := backoff.Step()
		klog.ErrorS(err, "Mirroring the realization reports failed; listing again", "after", delay)
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
	}
}

func (m *Mirror) listAndWatch(ctx context.Context) error {
	rev, err := m.Relist(ctx)
	if err != nil {
		return err
	}
	wctx, cancel := context.WithCancel(clientv3.WithRequireLeader(ctx))
	defer cancel()
	for resp := range m.store.client.Watch(wctx, m.store.root, clientv3.WithPrefix(), clientv3.WithRev(rev+1)) {
		if err := resp.Err(); err != nil {
			return fmt.Errorf("watching %s from revision %d: %w", m.store.root, rev+1, err)
		}
		for _, ev := range resp.Events {
			e, ok := m.store.decode(string(ev.Kv.Key), ev.Kv.Value, ev.Kv.ModRevision, ev.Type == clientv3.EventTypeDelete)
			if ok {
				m.sink.ApplyReport(e)
			}
		}
	}
	return errors.New("the watch of the realization reports closed")
}
