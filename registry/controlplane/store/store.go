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

package store

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"
)

// Defaults of Options.
const (
	// DefaultWatcherBufferSize is how many changes a watcher may have pending.
	DefaultWatcherBufferSize = 1000
	// DefaultWatcherTimeout is how long the dispatcher waits for a watcher whose
	// buffer is full before stopping it.
	DefaultWatcherTimeout = 50 * time.Millisecond
	// incomingBufferSize is how many changes may wait for the dispatcher.
	incomingBufferSize = 100
)

var (
	// ErrNotFound is returned (wrapped) by Delete for a key the store does not hold.
	ErrNotFound = errors.New("not found")
	// ErrStopped is returned (wrapped) by the writes and watches of a stopped store.
	ErrStopped = errors.New("store is stopped")
)

// Options tune the delivery of a Store; the zero value takes the defaults.
type Options struct {
	// Clock times slow watchers; default the real clock.
	Clock clock.Clock
	// WatcherBufferSize is how many changes a watcher may have pending; default
	// DefaultWatcherBufferSize.
	WatcherBufferSize int
	// WatcherTimeout is how long a watcher may keep its buffer full before it is
	// stopped; default DefaultWatcherTimeout.
	WatcherTimeout time.Duration
	// Epoch names this store's numbering of resourceVersions (one per process):
	// every BOOKMARK carries it (v1beta2.ServerEpochAnnotation). Empty: none.
	Epoch string
}

// Defaults fills the zero fields.
func (o *Options) Defaults() {
	if o.Clock == nil {
		o.Clock = clock.RealClock{}
	}
	if o.WatcherBufferSize == 0 {
		o.WatcherBufferSize = DefaultWatcherBufferSize
	}
	if o.WatcherTimeout == 0 {
		o.WatcherTimeout = DefaultWatcherTimeout
	}
}

// Config configures New.
type Config[T Object] struct {
	Options
	// Resource names the stored resource in logs and errors, e.g. "addressgroups".
	Resource string
	// EventFunc computes the event of every change.
	EventFunc EventFunc[T]
	// NewObject returns an empty API object of the kind, the object of bookmarks.
	NewObject func() runtime.Object
}

// Validate reports a missing or invalid field.
func (c *Config[T]) Validate() error {
	var errs []error
	if c.Resource == "" {
		errs = append(errs, errors.New("resource is required"))
	}
	if c.EventFunc == nil {
		errs = append(errs, errors.New("eventFunc is required"))
	}
	if c.NewObject == nil {
		errs = append(errs, errors.New("newObject is required"))
	}
	if c.WatcherBufferSize < 0 || c.WatcherTimeout < 0 {
		errs = append(errs, errors.New("watcherBufferSize and watcherTimeout must not be negative"))
	}
	return errors.Join(errs...)
}

// Store is a watchable in-memory map of computed objects keyed by name. It is safe
// for concurrent use.
type Store[T Object] struct {
	cfg    Config[T]
	logger klog.Logger

	mu      sync.RWMutex // guards items, rv, stopped; held while a change is queued
	items   map[string]*entry[T]
	rv      uint64
	stopped bool

	incoming       chan *change[T]
	stopCh         chan struct{}
	dispatcherDone chan struct{}

	watchersMu sync.Mutex                    // serializes the writers of watchers
	watchers   atomic.Pointer[[]*watcher[T]] // copy-on-write, read by the dispatcher
}

// New returns a running Store; Stop ends it.
func New[T Object](cfg Config[T]) (*Store[T], error) {
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("invalid store config: %w", err)
	}
	s := &Store[T]{
		cfg:            cfg,
		logger:         klog.Background().WithName("controlplane-store").WithValues("resource", cfg.Resource),
		items:          map[string]*entry[T]{},
		incoming:       make(chan *change[T], incomingBufferSize),
		stopCh:         make(chan struct{}),
		dispatcherDone: make(chan struct{}),
	}
	s.watchers.Store(&[]*watcher[T]{})
	registerMetrics()
	watcherEvictions.WithLabelValues(cfg.Resource) // the series exists from the start, at 0
	go s.dispatch()
	return s, nil
}

// Upsert creates or replaces the object obj.Key(). Objects are immutable once
// stored: pass a new one for every change.
func (s *Store[T]) Upsert(obj T) error {
	var zero T
	if obj == zero {
		return fmt.Errorf("upserting into %s: nil object", s.cfg.Resource)
	}
	key := obj.Key()
	if key == "" {
		return fmt.Errorf("upserting into %s: object has no name", s.cfg.Resource)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return fmt.Errorf("upserting %s %q: %w", s.cfg.Resource, key, ErrStopped)
	}
	var prev T
	if e, ok := s.items[key]; ok {
		prev = e.obj
	}
	if prev == obj {
		return nil
	}
	return s.commitLocked(key, prev, obj)
}

// Delete removes the object key; it wraps ErrNotFound when there is none.
func (s *Store[T]) Delete(key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return fmt.Errorf("deleting %s %q: %w", s.cfg.Resource, key, ErrStopped)
	}
	e, ok := s.items[key]
	if !ok {
		return fmt.Errorf("deleting %s %q: %w", s.cfg.Resource, key, ErrNotFound)
	}
	var zero T
	return s.commitLocked(key, e.obj, zero)
}

// commitLocked computes the event of prev -> curr, applies the change and queues it
// for the dispatcher.
func (s *Store[T]) commitLocked(key string, prev, curr T) error {
	ev, err := s.cfg.EventFunc(key, prev, curr, s.rv+1)
	if err != nil {
		return fmt.Errorf("computing the event of %s %q: %w", s.cfg.Resource, key, err)
	}
	var zero T
	if ev == nil && (prev == zero || curr == zero) {
		return fmt.Errorf("computing the event of %s %q: no event for a creation or deletion", s.cfg.Resource, key)
	}
	if ev == nil {
		// A no-op for the watchers; keep the caller's latest object all the same (a
		// nil span and an empty one look alike to watchers, not to readers).
		s.items[key] = &entry[T]{key: key, obj: curr, rv: s.items[key].rv}
		return nil
	}
	s.rv++
	if curr == zero {
		delete(s.items, key)
	} else {
		s.items[key] = &entry[T]{key: key, obj: curr, rv: s.rv}
	}
	s.incoming <- &change[T]{key: key, rv: s.rv, prev: prev, curr: curr, event: ev}
	return nil
}

// Get returns the object key, whatever its span.
func (s *Store[T]) Get(key string) (T, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.items[key]
	if !ok {
		var zero T
		return zero, false
	}
	return e.obj, true
}

// List returns every object, sorted by name.
func (s *Store[T]) List() []T {
	items, _ := s.Select(Selector{})
	return items
}

// Select returns the objects sel selects, sorted by name, and the current
// resourceVersion.
func (s *Store[T]) Select(sel Selector) (items []T, resourceVersion uint64) {
	s.mu.RLock()
	entries, rv := s.selectLocked(sel), s.rv
	s.mu.RUnlock()
	sortEntries(entries)
	for _, e := range entries {
		items = append(items, e.obj)
	}
	return items, rv
}

// selectLocked returns the entries sel selects, in no order.
func (s *Store[T]) selectLocked(sel Selector) []*entry[T] {
	if sel.Name != "" {
		if e, ok := s.items[sel.Name]; ok && matches(sel, e.key, e.obj) {
			return []*entry[T]{e}
		}
		return nil
	}
	var out []*entry[T]
	for key, e := range s.items {
		if matches(sel, key, e.obj) {
			out = append(out, e)
		}
	}
	return out
}

// sortEntries sorts entries by key, outside the lock.
func sortEntries[T Object](entries []*entry[T]) {
	slices.SortFunc(entries, func(a, b *entry[T]) int { return strings.Compare(a.key, b.key) })
}

// ResourceVersion returns the resourceVersion of the last change.
func (s *Store[T]) ResourceVersion() uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.rv
}

// WatchersNum returns the number of running watchers.
func (s *Store[T]) WatchersNum() int {
	return len(*s.watchers.Load())
}

// Stop stops the dispatcher and every watcher; the writes and watches that follow
// fail with ErrStopped. It is idempotent.
func (s *Store[T]) Stop() {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return
	}
	s.stopped = true
	close(s.stopCh)
	s.mu.Unlock()
	<-s.dispatcherDone
	watchers := *s.watchers.Load()
	for _, w := range watchers {
		w.Stop()
	}
	s.logger.V(2).Info("Stopped the store", "watchers", len(watchers))
}
