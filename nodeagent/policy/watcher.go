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
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/klog/v2"
)

// errWatchClosed is a watch whose result channel was closed by the server.
var errWatchClosed = errors.New("watch channel closed")

// watcher keeps one kind of this Node's slice in the cache: every watch starts
// with the full state (ADDED events ended by a BOOKMARK), applied as one replace;
// then events are applied one by one. Any error, unexpected event or closed
// channel ends the watch, and a new one (after a backoff) starts over with a
// full replace.
type watcher struct {
	kind     kind
	node     string
	timeout  time.Duration // for the initial BOOKMARK of each watch
	backoff  Backoff
	watch    func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error)
	replace  func(objs []runtime.Object) error
	apply    func(ev watch.Event) error
	afterAny func() // called after each replace and applied event
	// bookmarked, when set, is called with the resourceVersion (and epoch) of each
	// BOOKMARK, after what came before it is applied.
	bookmarked func(b bookmarkRef)
}

func (w *watcher) run(ctx context.Context) {
	logger := klog.FromContext(ctx).WithValues("resource", w.kind)
	ctx = klog.NewContext(ctx, logger)
	delay := w.backoff.Initial
	for {
		listed, err := w.watchOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		if listed {
			delay = w.backoff.Initial
		}
		wait := w.backoff.wait(delay, rand.Float64())
		if listed && errors.Is(err, errWatchClosed) {
			logger.V(2).Info("Watch closed, watching again", "after", wait)
		} else {
			logger.Error(err, "Watch ended, watching again", "after", wait)
		}
		rewatches.WithLabelValues(w.kind.String()).Inc()
		if !sleepCtx(ctx, wait) {
			return
		}
		delay = w.backoff.next(delay)
	}
}

// watchOnce runs one watch; listed tells whether it delivered its initial state
// (and replaced the kind), which resets the backoff.
func (w *watcher) watchOnce(ctx context.Context) (listed bool, err error) {
	opts := metav1.ListOptions{
		FieldSelector:       fields.OneTermEqualSelector("nodeName", w.node).String(),
		AllowWatchBookmarks: true,
	}
	wi, err := w.watch(ctx, opts)
	if err != nil {
		return false, fmt.Errorf("starting the watch of %s: %w", w.kind, err)
	}
	defer wi.Stop()
	if err := w.initial(ctx, wi.ResultChan()); err != nil {
		return false, err
	}
	return true, w.stream(ctx, wi.ResultChan())
}

// initial buffers the ADDED events until the BOOKMARK, then replaces the kind.
func (w *watcher) initial(ctx context.Context, events <-chan watch.Event) error {
	timer := time.NewTimer(w.timeout)
	defer timer.Stop()
	var objs []runtime.Object
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
			return fmt.Errorf("timed out after %v waiting for the BOOKMARK ending the initial %s of Node %s (%d ADDED received)",
				w.timeout, w.kind, w.node, len(objs))
		case ev, ok := <-events:
			if !ok {
				return fmt.Errorf("before the initial BOOKMARK (%d ADDED received): %w", len(objs), errWatchClosed)
			}
			switch ev.Type {
			case watch.Added:
				objs = append(objs, ev.Object)
			case watch.Bookmark:
				if err := w.replace(objs); err != nil {
					return fmt.Errorf("replacing %s: %w", w.kind, err)
				}
				klog.FromContext(ctx).V(2).Info("Synced", "objects", len(objs))
				w.afterAny()
				w.bookmark(ev)
				return nil
			case watch.Error:
				return fmt.Errorf("before the initial BOOKMARK: %w", apierrors.FromObject(ev.Object))
			default:
				return fmt.Errorf("unexpected %s event before the initial BOOKMARK", ev.Type)
			}
		}
	}
}

// stream applies events until the watch ends.
func (w *watcher) stream(ctx context.Context, events <-chan watch.Event) error {
	logger := klog.FromContext(ctx)
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case ev, ok := <-events:
			if !ok {
				return errWatchClosed
			}
			switch ev.Type {
			case watch.Bookmark:
				w.bookmark(ev)
			case watch.Error:
				return apierrors.FromObject(ev.Object)
			case watch.Added, watch.Modified, watch.Deleted:
				if err := w.apply(ev); err != nil {
					return fmt.Errorf("applying %s event: %w", ev.Type, err)
				}
				logger.V(4).Info("Applied event", "type", ev.Type, "name", objectName(ev.Object))
				w.afterAny()
			default:
				return fmt.Errorf("unexpected %s event", ev.Type)
			}
		}
	}
}

// bookmark hands a BOOKMARK's resourceVersion to bookmarked.
func (w *watcher) bookmark(ev watch.Event) {
	if w.bookmarked == nil {
		return
	}
	if b, ok := bookmarkOf(ev.Object); ok {
		w.bookmarked(b)
	}
}

// objectName is the name of an event's object, for logs.
func objectName(obj runtime.Object) string {
	if o, ok := obj.(metav1.Object); ok {
		return o.GetName()
	}
	return fmt.Sprintf("%T", obj)
}
