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
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/watch"
)

// presence is one side (prev or curr) of a change as the node selection sees it.
type presence struct {
	exists bool
	span   sets.Set[string]
}

// selects reports whether a watcher of nodeName ("" for every Node) sees this side.
func (p presence) selects(nodeName string) bool {
	return p.exists && (nodeName == "" || p.span.Has(nodeName))
}

// transition returns the watch event type a watcher sees for a change, following
// the table of the package documentation; "" when it sees nothing. An initial event
// is rendered as if the watcher had not seen prev.
func transition(prevSelected, currSelected, isInitial bool) watch.EventType {
	if isInitial {
		prevSelected = false
	}
	switch {
	case !prevSelected && currSelected:
		return watch.Added
	case prevSelected && currSelected:
		return watch.Modified
	case prevSelected && !currSelected:
		return watch.Deleted
	default:
		return ""
	}
}
