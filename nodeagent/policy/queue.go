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
	"cmp"
	"context"
	"slices"
	"sync"
	"time"
)

// workSet is a set of dirty keys drained in batches by one consumer. An item
// added while it is already dirty is processed once. A paused set holds its
// items until releaseAll; releaseAll also makes the next batch hold every dirty
// item, whatever the batch size.
type workSet[K cmp.Ordered] struct {
	signal chan struct{} // capacity 1: "something changed" for the consumer

	mu     sync.Mutex
	items  map[K]struct{}
	paused bool
	all    bool     // the next batch takes every item
	done   []func() // called after the "all" batch is processed
}

func newWorkSet[K cmp.Ordered](paused bool) *workSet[K] {
	return &workSet[K]{signal: make(chan struct{}, 1), items: map[K]struct{}{}, paused: paused}
}

// add marks keys dirty.
func (q *workSet[K]) add(keys ...K) {
	if len(keys) == 0 {
		return
	}
	q.mu.Lock()
	for _, k := range keys {
		q.items[k] = struct{}{}
	}
	q.mu.Unlock()
	q.wake()
}

// addAfter marks a key dirty after d.
func (q *workSet[K]) addAfter(key K, d time.Duration) {
	time.AfterFunc(d, func() { q.add(key) })
}

// releaseAll marks keys dirty, unpauses the set and makes the next batch take
// every dirty key; done (if not nil) is called once that batch is processed.
func (q *workSet[K]) releaseAll(keys []K, done func()) {
	q.mu.Lock()
	for _, k := range keys {
		q.items[k] = struct{}{}
	}
	q.paused, q.all = false, true
	if done != nil {
		q.done = append(q.done, done)
	}
	q.mu.Unlock()
	q.wake()
}

func (q *workSet[K]) wake() {
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

// get waits for dirty keys and takes up to limit of them, sorted (all of them after
// releaseAll, possibly none). done, when not nil, must be called after the batch
// is processed. ok is false when ctx is done.
func (q *workSet[K]) get(ctx context.Context, limit int) (keys []K, done func(), ok bool) {
	for {
		if keys, done, ready := q.take(limit); ready {
			return keys, done, true
		}
		select {
		case <-ctx.Done():
			return nil, nil, false
		case <-q.signal:
		}
	}
}

func (q *workSet[K]) take(limit int) (keys []K, done func(), ready bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.paused || (len(q.items) == 0 && !q.all) {
		return nil, nil, false
	}
	if q.all {
		limit = len(q.items)
		if fns := q.done; len(fns) > 0 {
			done = func() {
				for _, fn := range fns {
					fn()
				}
			}
		}
		q.all, q.done = false, nil
	}
	keys = make([]K, 0, min(limit, len(q.items)))
	for k := range q.items {
		if len(keys) == limit {
			break
		}
		keys = append(keys, k)
		delete(q.items, k)
	}
	slices.Sort(keys)
	return keys, done, true
}

// len returns the number of dirty keys.
func (q *workSet[K]) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items)
}
