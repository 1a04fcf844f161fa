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

package grouping

// podList is the Pods of a label set: a slice, so that listing a selector's members
// walks memory instead of iterating a map per label set, and the position of each
// Pod by name, so that replacing or removing one costs O(1).
type podList struct {
	pods []*Pod
	at   map[string]int
}

func newPodList() podList { return podList{at: map[string]int{}} }

func (l *podList) len() int { return len(l.pods) }

// get returns the Pod of a name, or nil.
func (l *podList) get(name string) *Pod {
	if i, ok := l.at[name]; ok {
		return l.pods[i]
	}
	return nil
}

// put adds a Pod or replaces the Pod of the same name.
func (l *podList) put(p *Pod) {
	if i, ok := l.at[p.Name]; ok {
		l.pods[i] = p
		return
	}
	l.at[p.Name] = len(l.pods)
	l.pods = append(l.pods, p)
}

// remove removes the Pod of a name: the last Pod takes its place.
func (l *podList) remove(name string) {
	i, ok := l.at[name]
	if !ok {
		return
	}
	last := len(l.pods) - 1
	if i != last {
		l.pods[i] = l.pods[last]
		l.at[l.pods[i].Name] = i
	}
	l.pods[last] = nil
	l.pods = l.pods[:last]
	delete(l.at, name)
}
