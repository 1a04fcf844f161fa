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

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/apiserver/computed"
)

// NewAddressGroupStore returns a running store of AddressGroups.
func NewAddressGroupStore(opts Options) (*Store[*computed.AddressGroup], error) {
	return New(Config[*computed.AddressGroup]{
		Options:   opts,
		Resource:  "addressgroups",
		EventFunc: AddressGroupEventFunc,
		NewObject: func() runtime.Object { return &controlplane.AddressGroup{} },
	})
}

// addressGroupEvent is a change of an AddressGroup. The patch, the full object and
// the deletion stub are the same for every Node: the patch is built with the event,
// the full object when a watcher first needs it.
type addressGroupEvent struct {
	prev, curr presence
	modified   *watch.Event // the patch; nil when the members did not change
	deleted    *watch.Event

	group     *computed.AddressGroup // curr, for the full object
	addedOnce sync.Once
	added     *watch.Event
}

// AddressGroupEventFunc is the EventFunc of AddressGroups.
func AddressGroupEventFunc(_ string, prev, curr *computed.AddressGroup, _ uint64) (Event, error) {
	ev := &addressGroupEvent{group: curr}
	if prev != nil {
		ev.prev = presence{exists: true, span: prev.Span}
		ev.deleted = &watch.Event{Type: watch.Deleted,
			Object: &controlplane.AddressGroup{ObjectMeta: metav1.ObjectMeta{Name: prev.Name, UID: prev.UID}}}
	}
	if curr != nil {
		ev.curr = presence{exists: true, span: curr.Span}
	}
	if prev == nil || curr == nil {
		return ev, nil
	}
	added, removed := diffMembers(prev.Members, curr.Members)
	if len(added) > 0 || len(removed) > 0 {
		ev.modified = &watch.Event{Type: watch.Modified, Object: &controlplane.AddressGroupPatch{
			ObjectMeta:          metav1.ObjectMeta{Name: curr.Name, UID: curr.UID},
			AddedGroupMembers:   added,
			RemovedGroupMembers: removed,
		}}
	} else if prev.UID == curr.UID && prev.Span.Equal(curr.Span) {
		return nil, nil
	}
	return ev, nil
}

// ToWatchEvent implements Event. MODIFIED is nil (nothing to send) when only the
// span changed.
func (e *addressGroupEvent) ToWatchEvent(nodeName string, isInitial bool) *watch.Event {
	eventType := transition(e.prev.selects(nodeName), e.curr.selects(nodeName), isInitial)
	switch eventType {
	case watch.Added:
		e.addedOnce.Do(func() { e.added = &watch.Event{Type: watch.Added, Object: e.group.ToAPI()} })
		return e.added
	case watch.Modified:
		return e.modified
	case watch.Deleted:
		return e.deleted
	default:
		return nil
	}
}
