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
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/watch"
)

// Object is what a Store holds: a computed object, keyed by its name, that is sent
// only to the Nodes in its span. Implementations are pointer types; the zero value
// (nil) stands for "absent" in an EventFunc.
type Object interface {
	comparable
	// Key returns the object's name, its key in the store; "" is invalid.
	Key() string
	// Labels returns the labels that watchers' label selectors match; nil for none.
	Labels() labels.Set
	// InSpan reports whether the Node nodeName needs the object.
	InSpan(nodeName string) bool
}

// Event is one change of one object, computed once by an EventFunc and rendered for
// every watcher.
type Event interface {
	// ToWatchEvent renders the change for a watcher of nodeName ("" watches every
	// Node); nil means the watcher gets nothing. isInitial renders the current state
	// as if the watcher had never seen the object: ADDED, or nil when the object is
	// not selected. It is called concurrently and must not modify the Event; the
	// result may be shared between watchers and must not be modified either.
	ToWatchEvent(nodeName string, isInitial bool) *watch.Event
}

// EventFunc turns the change prev -> curr of the object key into an Event; prev or
// curr is the zero T when the object is created or deleted. rv is the
// resourceVersion the change gets. It returns a nil Event when prev and curr are
// semantically equal (a no-op). It is called once per change, under the store's
// lock: it should do the work shared by all the watchers (diffs, conversions) and
// leave the per-watcher part to ToWatchEvent.
type EventFunc[T Object] func(key string, prev, curr T, rv uint64) (Event, error)

// Selector chooses objects the way a list or a watch request does.
type Selector struct {
	// Name selects the object with this name (metadata.name); "" selects all.
	Name string
	// NodeName selects the objects whose span holds this Node (nodeName); "" selects
	// all, and an AppliedToGroup then holds the members of every Node.
	NodeName string
	// Labels selects by labels; nil selects all.
	Labels labels.Selector
}

// WatchOptions configure Store.Watch.
type WatchOptions struct {
	Selector
	// SendInitialEvents and AllowWatchBookmarks, when both set (a watch-list
	// request), mark the bookmark that ends the initial events with the annotation
	// k8s.io/initial-events-end: "true". The initial events are sent in any case.
	SendInitialEvents   bool
	AllowWatchBookmarks bool
}

// matches reports whether sel selects obj, stored under key.
func matches[T Object](sel Selector, key string, obj T) bool {
	if sel.Name != "" && key != sel.Name {
		return false
	}
	if sel.Labels != nil && !sel.Labels.Matches(obj.Labels()) {
		return false
	}
	return sel.NodeName == "" || obj.InSpan(sel.NodeName)
}
