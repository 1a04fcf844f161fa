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
	"slices"
)

// dispatch hands every queued change to every watcher until the store stops.
func (s *Store[T]) dispatch() {
	defer close(s.dispatcherDone)
	var blocked []*watcher[T]
	for {
		select {
		case c := <-s.incoming:
			blocked = s.fanOut(c, blocked[:0])
		case <-s.stopCh:
			return
		}
	}
}

// fanOut offers c to every watcher without blocking, then gives the watchers whose
// buffer is full one shared timeout to make room; those that do not are stopped.
// blocked is a reusable buffer; fanOut returns it.
func (s *Store[T]) fanOut(c *change[T], blocked []*watcher[T]) []*watcher[T] {
	for _, w := range *s.watchers.Load() {
		select {
		case w.input <- c:
		case <-w.done:
		default:
			blocked = append(blocked, w)
		}
	}
	if len(blocked) == 0 {
		return blocked
	}
	s.logger.V(4).Info("Waiting for blocked watchers", "key", c.key, "resourceVersion", c.rv, "blocked", len(blocked))
	timer := s.cfg.Clock.NewTimer(s.cfg.WatcherTimeout)
	defer timer.Stop()
	expired := false
	for _, w := range blocked {
		if !expired {
			select {
			case w.input <- c:
				continue
			case <-w.done:
				continue
			case <-timer.C():
				expired = true
			}
		}
		select {
		case w.input <- c:
		case <-w.done:
		default:
			w.logger.Info("Stopping a watcher that is too slow to receive events; its client will re-watch",
				"timeout", s.cfg.WatcherTimeout, "pending", len(w.input))
			watcherEvictions.WithLabelValues(s.cfg.Resource).Inc()
			w.Stop()
		}
	}
	clear(blocked) // drop the references until the next fan-out
	return blocked
}

// addWatcher registers w with the dispatcher.
func (s *Store[T]) addWatcher(w *watcher[T]) {
	s.watchersMu.Lock()
	defer s.watchersMu.Unlock()
	next := append(slices.Clone(*s.watchers.Load()), w)
	s.watchers.Store(&next)
}

// removeWatcher unregisters w; the dispatcher stops offering it changes.
func (s *Store[T]) removeWatcher(w *watcher[T]) {
	s.watchersMu.Lock()
	defer s.watchersMu.Unlock()
	next := slices.DeleteFunc(slices.Clone(*s.watchers.Load()), func(x *watcher[T]) bool { return x == w })
	s.watchers.Store(&next)
}
