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
	"k8s.io/apimachinery/pkg/watch"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/apiserver/computed"
)

// appliedToGroupEvent is a change of an AppliedToGroup. The patch of every Node
// whose members changed is built with the event; the full objects, per Node, when
// a watcher needs them; the views of watchers of every Node once, when first needed.
type appliedToGroupEvent struct {
	prev, curr  *computed.AppliedToGroup
	nodePatches map[string]*watch.Event // MODIFIED of the Nodes in both spans
	deleted     *watch.Event

	allAddedOnce    sync.Once
	allAdded        *watch.Event
	allModifiedOnce sync.Once
	allModified     *watch.Event
}

// AppliedToGroupEventFunc is the EventFunc of AppliedToGroups.
func AppliedToGroupEventFunc(_ string, prev, curr *computed.AppliedToGroup, _ uint64) (Event, error) {
	ev := &appliedToGroupEvent{prev: prev, curr: curr}
	if prev != nil {
		ev.deleted = &watch.Event{Type: watch.Deleted,
			Object: &controlplane.AppliedToGroup{ObjectMeta: metav1.ObjectMeta{Name: prev.Name, UID: prev.UID}}}
	}
	if prev == nil || curr == nil {
		return ev, nil
	}
	patches, spanChanged := diffByNode(prev, curr)
	ev.nodePatches = patches
	if len(ev.nodePatches) == 0 && !spanChanged && prev.UID == curr.UID {
		return nil, nil
	}
	return ev, nil
}

// diffByNode returns the MODIFIED event of every Node that has members before and after the
// change and whose members changed, and whether a Node joined or left the span.
func diffByNode(prev, curr *computed.AppliedToGroup) (map[string]*watch.Event, bool) {
	patches := map[string]*watch.Event{}
	spanChanged := false
	for node, currMembers := range curr.MembersByNode {
		prevMembers := prev.MembersByNode[node]
		if len(currMembers) == 0 || len(prevMembers) == 0 {
			spanChanged = spanChanged || len(currMembers) != len(prevMembers)
			continue
		}
		if p := appliedToGroupPatch(curr, prevMembers, currMembers); p != nil {
			patches[node] = p
		}
	}
	for node, prevMembers := range prev.MembersByNode {
		if len(prevMembers) > 0 && len(curr.MembersByNode[node]) == 0 {
			spanChanged = true
		}
	}
	return patches, spanChanged
}

// appliedToGroupPatch returns the MODIFIED event that patches prev into curr
// members; nil if they are equal.
func appliedToGroupPatch(g *computed.AppliedToGroup, prev, curr map[string]*controlplane.GroupMember) *watch.Event {
	added, removed := diffMembers(prev, curr)
	if len(added) == 0 && len(removed) == 0 {
		return nil
	}
	return &watch.Event{Type: watch.Modified, Object: &controlplane.AppliedToGroupPatch{
		ObjectMeta:          metav1.ObjectMeta{Name: g.Name, UID: g.UID},
		AddedGroupMembers:   added,
		RemovedGroupMembers: removed,
	}}
}

// ToWatchEvent implements Event. MODIFIED is nil (nothing to send) when the
// watcher's members did not change.
func (e *appliedToGroupEvent) ToWatchEvent(nodeName string, isInitial bool) *watch.Event {
	prevSelected := e.prev != nil && (nodeName == "" || e.prev.InSpan(nodeName))
	currSelected := e.curr != nil && (nodeName == "" || e.curr.InSpan(nodeName))
	eventType := transition(prevSelected, currSelected, isInitial)
	switch {
	case eventType == "":
		return nil
	case eventType == watch.Deleted:
		return e.deleted
	case nodeName == "":
		return e.allNodesEvent(eventType)
	case eventType == watch.Added:
		return &watch.Event{Type: watch.Added, Object: e.curr.ToAPI(nodeName)}
	default:
		return e.nodePatches[nodeName]
	}
}

// allNodesEvent renders ADDED or MODIFIED for a watcher of every Node: the group
// with all its members, or the patch of all its members.
func (e *appliedToGroupEvent) allNodesEvent(eventType watch.EventType) *watch.Event {
	if eventType == watch.Added {
		e.allAddedOnce.Do(func() { e.allAdded = &watch.Event{Type: watch.Added, Object: e.curr.ToAPI("")} })
		return e.allAdded
	}
	e.allModifiedOnce.Do(func() {
		e.allModified = appliedToGroupPatch(e.curr, e.prev.Members(""), e.curr.Members(""))
	})
	return e.allModified
}
