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
	"fmt"
	"strconv"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
)

// Progress sends every watcher that allows bookmarks a BOOKMARK at a new
// resourceVersion, after every change before it (a progress notification), and
// returns that resourceVersion. A client that has applied everything up to that
// BOOKMARK holds the state of that resourceVersion for its selection, whether or
// not anything in it changed. Every call takes a new resourceVersion, so that an
// acknowledgement of an earlier one never counts for it. A watcher whose initial
// state is at least as recent skips it: its first BOOKMARK says as much.
func (s *Store[T]) Progress() (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return 0, fmt.Errorf("progress of %s: %w", s.cfg.Resource, ErrStopped)
	}
	s.rv++
	s.incoming <- &change[T]{rv: s.rv, progress: true}
	return s.rv, nil
}

// progressBookmark is what the watcher sends for a progress change; nil when its
// client did not ask for bookmarks.
func (w *watcher[T]) progressBookmark(rv uint64) *watch.Event {
	if !w.opts.AllowWatchBookmarks {
		return nil
	}
	obj := w.store.cfg.NewObject()
	if m, err := meta.Accessor(obj); err == nil {
		m.SetResourceVersion(strconv.FormatUint(rv, 10))
		m.SetAnnotations(w.store.epochAnnotations())
	}
	return &watch.Event{Type: watch.Bookmark, Object: obj}
}

// epochAnnotations are the annotations naming the store's epoch; nil without one.
func (s *Store[T]) epochAnnotations() map[string]string {
	if s.cfg.Epoch == "" {
		return nil
	}
	return map[string]string{v1beta2.ServerEpochAnnotation: s.cfg.Epoch}
}
