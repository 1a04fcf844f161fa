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

import "k8s.io/apimachinery/pkg/util/sets"

// WatcherNodes returns the Nodes that running watchers filter on (fieldSelector
// nodeName): the Nodes whose agents are connected. Watchers without a Node filter
// (kubectl get -w) are not counted.
func (s *Store[T]) WatcherNodes() sets.Set[string] {
	nodes := sets.New[string]()
	for _, w := range *s.watchers.Load() {
		if w.opts.NodeName != "" {
			nodes.Insert(w.opts.NodeName)
		}
	}
	return nodes
}

// DropWatchers stops every running watcher and returns how many there were:
// their clients watch again, on this process once it serves again or on another
// replica.
func (s *Store[T]) DropWatchers() int {
	watchers := *s.watchers.Load()
	for _, w := range watchers {
		w.Stop()
	}
	return len(watchers)
}
