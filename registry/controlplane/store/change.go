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
	"sync"
)

// entry is one stored object with the resourceVersion of its last change.
type entry[T Object] struct {
	key string
	obj T
	rv  uint64

	initOnce sync.Once
	init     Event
	initErr  error
}

// initial returns the event that renders the entry as the initial state of a watch:
// the change "absent -> obj". It is computed once, by the first watch that needs it.
func (e *entry[T]) initial(eventFunc EventFunc[T]) (Event, error) {
	e.initOnce.Do(func() {
		var zero T
		e.init, e.initErr = eventFunc(e.key, zero, e.obj, e.rv)
	})
	return e.init, e.initErr
}

// change is one committed change, as queued to the dispatcher and the watchers;
// or, with progress set, a progress notification at rv (no object).
type change[T Object] struct {
	key        string
	rv         uint64
	prev, curr T
	event      Event
	progress   bool

	leaveOnce sync.Once
	leave     Event
	leaveErr  error
}

// leaving returns the event "prev -> absent", what a watcher whose label selector
// matched prev but does not match curr sees. It is computed once, when first needed.
func (c *change[T]) leaving(eventFunc EventFunc[T]) (Event, error) {
	c.leaveOnce.Do(func() {
		var zero T
		c.leave, c.leaveErr = eventFunc(c.key, c.prev, zero, c.rv)
	})
	return c.leave, c.leaveErr
}
