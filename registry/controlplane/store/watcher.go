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
	"context"
	"fmt"
	"strconv"
	"sync"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	utilflowcontrol "k8s.io/apiserver/pkg/util/flowcontrol"
	"k8s.io/klog/v2"
)

// watcher is one watch: it receives every change from the dispatcher on input,
// renders it for its selector and sends the result to its client.
type watcher[T Object] struct {
	store  *Store[T]
	opts   WatchOptions
	logger klog.Logger

	input  chan *change[T]
	result chan watch.Event
	done   chan struct{}
	once   sync.Once
}

// Watch starts a watch of the objects opts selects: the current state as ADDED
// events, a BOOKMARK at the snapshot resourceVersion, then every later change. The
// watch ends when the client calls Stop, when ctx ends, when the client is too slow
// or when the store stops.
func (s *Store[T]) Watch(ctx context.Context, opts WatchOptions) (watch.Interface, error) {
	w := &watcher[T]{
		store: s,
		opts:  opts,
		logger: klog.FromContext(ctx).WithValues("resource", s.cfg.Resource,
			"nodeName", opts.NodeName, "name", opts.Name),
		input:  make(chan *change[T], s.cfg.WatcherBufferSize),
		result: make(chan watch.Event),
		done:   make(chan struct{}),
	}
	s.mu.RLock()
	if s.stopped {
		s.mu.RUnlock()
		return nil, fmt.Errorf("watching %s: %w", s.cfg.Resource, ErrStopped)
	}
	initial, rv := s.selectLocked(opts.Selector), s.rv
	s.addWatcher(w)
	s.mu.RUnlock()
	sortEntries(initial)
	go w.run(ctx, initial, rv)
	w.logger.V(4).Info("Started watcher", "resourceVersion", rv, "objects", len(initial))
	return w, nil
}

// ResultChan implements watch.Interface.
func (w *watcher[T]) ResultChan() <-chan watch.Event {
	return w.result
}

// Stop implements watch.Interface; the result channel is closed soon after.
func (w *watcher[T]) Stop() {
	w.once.Do(func() {
		close(w.done)
		w.store.removeWatcher(w)
	})
}

// run sends the initial events, the bookmark, then the changes after rv, until the
// watcher stops.
func (w *watcher[T]) run(ctx context.Context, initial []*entry[T], rv uint64) {
	defer close(w.result)
	defer context.AfterFunc(ctx, w.Stop)()
	for _, e := range initial {
		ev, err := e.initial(w.store.cfg.EventFunc)
		if err != nil {
			w.logger.Error(err, "Stopping watcher: cannot render an initial event", "key", e.key)
			w.Stop()
			return
		}
		if !w.send(ev.ToWatchEvent(w.opts.NodeName, true)) {
			return
		}
	}
	if !w.send(w.bookmark(rv)) {
		return
	}
	// The initial state is delivered: API Priority and Fairness may release the
	// request's seat, as it does for watches served from the watch cache.
	// Without this signal a watch holds its seat for as long as it runs, and a
	// priority level's seats (a few hundred) cannot serve 1,000 agents' watches
	// (docs/performance.md, the scale benchmark).
	utilflowcontrol.WatchInitialized(ctx)
	for {
		select {
		case c := <-w.input:
			if c.progress {
				if c.rv > rv && !w.send(w.progressBookmark(c.rv)) {
					return
				}
				continue
			}
			if c.rv <= rv {
				continue // already in the initial state
			}
			if !w.send(w.render(c)) {
				return
			}
		case <-w.done:
			return
		}
	}
}

// send hands ev (if any) to the client; false means the watcher stopped.
func (w *watcher[T]) send(ev *watch.Event) bool {
	if ev == nil {
		return true
	}
	select {
	case w.result <- *ev:
		return true
	case <-w.done:
		return false
	}
}

// bookmark is the event that ends the initial state.
func (w *watcher[T]) bookmark(rv uint64) *watch.Event {
	obj := w.store.cfg.NewObject()
	m, err := meta.Accessor(obj)
	if err != nil {
		w.logger.Error(err, "Cannot set the resourceVersion of a bookmark")
		return &watch.Event{Type: watch.Bookmark, Object: obj}
	}
	m.SetResourceVersion(strconv.FormatUint(rv, 10))
	annotations := w.store.epochAnnotations()
	if w.opts.SendInitialEvents && w.opts.AllowWatchBookmarks {
		if annotations == nil {
			annotations = map[string]string{}
		}
		annotations[metav1.InitialEventsAnnotationKey] = "true"
	}
	m.SetAnnotations(annotations)
	return &watch.Event{Type: watch.Bookmark, Object: obj}
}

// render returns what the watcher sees of c; nil for nothing. A label selector turns
// a change that makes the object match into an initial (ADDED) rendering, and one
// that makes it stop matching into the rendering of its deletion.
func (w *watcher[T]) render(c *change[T]) *watch.Event {
	if w.opts.Name != "" && c.key != w.opts.Name {
		return nil
	}
	if w.opts.Labels == nil || w.opts.Labels.Empty() {
		return c.event.ToWatchEvent(w.opts.NodeName, false)
	}
	var zero T
	prevIn := c.prev != zero && w.opts.Labels.Matches(c.prev.Labels())
	currIn := c.curr != zero && w.opts.Labels.Matches(c.curr.Labels())
	switch {
	case prevIn && currIn:
		return c.event.ToWatchEvent(w.opts.NodeName, false)
	case currIn:
		return c.event.ToWatchEvent(w.opts.NodeName, true)
	case prevIn:
		ev, err := c.leaving(w.store.cfg.EventFunc)
		if err != nil || ev == nil {
			w.logger.Error(err, "Cannot render the deletion of an object that left the label selector", "key", c.key)
			return nil
		}
		return ev.ToWatchEvent(w.opts.NodeName, false)
	default:
		return nil
	}
}
