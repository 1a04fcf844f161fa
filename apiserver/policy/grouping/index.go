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

import (
	"bytes"
	"slices"
	"sort"
	"sync"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
)

// NamedPort is a named container port of a Pod.
type NamedPort struct {
	Name     string
	Port     int32
	Protocol string
}

// Pod is what the index knows of a Pod. The index never modifies it; callers
// replace it with a new value on change.
type Pod struct {
	Namespace   string
	Name        string
	UID         types.UID
	Labels      labels.Set
	NodeName    string
	IPs         [][]byte
	Ports       []NamedPort
	HostNetwork bool
	Terminated  bool
	// Memo is the caller's, for what it derives from this version of the Pod once
	// (the computation's group members); the index neither reads nor compares it.
	Memo any
}

// sameAs tells whether two versions of a Pod carry the same information, Memo
// aside.
func (p *Pod) sameAs(o *Pod) bool {
	if p == o {
		return true
	}
	if p == nil || o == nil {
		return false
	}
	return p.Namespace == o.Namespace && p.Name == o.Name && p.UID == o.UID && p.NodeName == o.NodeName &&
		p.HostNetwork == o.HostNetwork && p.Terminated == o.Terminated && labels.Equals(p.Labels, o.Labels) &&
		slices.EqualFunc(p.IPs, o.IPs, bytes.Equal) && slices.Equal(p.Ports, o.Ports)
}

// Handler is told which selectors' members changed.
type Handler func(selectorKeys []string)

// Index answers "which Pods does this selector select" and, incrementally, "which
// selectors does this change affect". Pods with equal labels in one Namespace share a
// label set, and selectors are matched against label sets, never against every Pod.
// Candidate selectors of a label set, and candidate label sets of a selector, come
// from an inverted index of "key=value" terms, so a change costs the number of
// candidates, not the number of selectors or Pods.
type Index struct {
	mu         sync.RWMutex
	namespaces map[string]*namespaceItem
	sets       map[string]*labelSet // by labelSetKey
	podSet     map[types.NamespacedName]*labelSet
	selectors  map[string]*selectorItem
	terms      termIndex
	handlers   []Handler
}

type namespaceItem struct {
	labels labels.Set
	sets   map[string]*labelSet
}

type selectorItem struct {
	sel  *Selector
	refs int
	sets map[string]*labelSet
}

// New returns an empty index.
func New() *Index {
	return &Index{
		namespaces: map[string]*namespaceItem{},
		sets:       map[string]*labelSet{},
		podSet:     map[types.NamespacedName]*labelSet{},
		selectors:  map[string]*selectorItem{},
		terms:      newTermIndex(),
	}
}

// AddHandler registers a handler for membership changes; call it before changes.
func (i *Index) AddHandler(h Handler) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.handlers = append(i.handlers, h)
}

func (i *Index) notify(affected sets.Set[string]) {
	if affected.Len() == 0 {
		return
	}
	i.notifyKeys(sets.List(affected))
}

// notifyKeys tells the handlers about the selectors of keys (sorted), if any.
func (i *Index) notifyKeys(keys []string) {
	if len(keys) == 0 {
		return
	}
	for _, h := range i.handlers {
		h(keys)
	}
}

// AddSelector registers a selector (reference-counted) and returns its key.
func (i *Index) AddSelector(sel *Selector) string {
	i.mu.Lock()
	defer i.mu.Unlock()
	if item, ok := i.selectors[sel.Key()]; ok {
		item.refs++
		return sel.Key()
	}
	item := &selectorItem{sel: sel, refs: 1, sets: map[string]*labelSet{}}
	i.selectors[sel.Key()] = item
	i.terms.addSelector(sel)
	for _, ls := range i.candidateSets(sel) {
		if i.matches(sel, ls) {
			item.sets[ls.key] = ls
			ls.selectors.Insert(sel.Key())
		}
	}
	return sel.Key()
}

// RemoveSelector drops one reference to a selector; the last one unregisters it.
func (i *Index) RemoveSelector(key string) {
	i.mu.Lock()
	defer i.mu.Unlock()
	item, ok := i.selectors[key]
	if !ok {
		return
	}
	if item.refs--; item.refs > 0 {
		return
	}
	for _, ls := range item.sets {
		ls.selectors.Delete(key)
	}
	i.terms.removeSelector(item.sel)
	delete(i.selectors, key)
}

// Pods returns the Pods a registered selector selects.
func (i *Index) Pods(key string) []*Pod {
	i.mu.RLock()
	defer i.mu.RUnlock()
	item, ok := i.selectors[key]
	if !ok {
		return nil
	}
	n := 0
	for _, ls := range item.sets {
		n += ls.pods.len()
	}
	pods := make([]*Pod, 0, n)
	for _, ls := range item.sets {
		pods = append(pods, ls.pods.pods...)
	}
	return pods
}

// Selector returns a registered selector.
func (i *Index) Selector(key string) (*Selector, bool) {
	i.mu.RLock()
	defer i.mu.RUnlock()
	item, ok := i.selectors[key]
	if !ok {
		return nil, false
	}
	return item.sel, true
}

func (i *Index) matches(sel *Selector, ls *labelSet) bool {
	ns := i.namespaces[ls.namespace]
	var nsLabels labels.Set
	if ns != nil {
		nsLabels = ns.labels
	}
	return sel.matchesNamespace(ls.namespace, nsLabels) && sel.matchesPodLabels(ls.labels)
}

// candidateSets returns the label sets a new selector may match.
func (i *Index) candidateSets(sel *Selector) []*labelSet {
	pod := equalityTerms(sel.PodSelector, "")
	var out []*labelSet
	addNamespace := func(ns string) {
		if pod == nil {
			for _, ls := range i.namespaces[ns].sets {
				out = append(out, ls)
			}
			return
		}
		for _, p := range pod {
			for _, ls := range i.terms.setsByNsTerm[ns][p] {
				out = append(out, ls)
			}
		}
	}
	switch nsTerms := equalityTerms(sel.NamespaceSelector, ""); {
	case sel.Namespace != "":
		if i.namespaces[sel.Namespace] != nil {
			addNamespace(sel.Namespace)
		}
	case nsTerms != nil:
		for ns := range i.terms.namespacesWith(nsTerms) {
			if i.namespaces[ns] != nil {
				addNamespace(ns)
			}
		}
	case pod != nil:
		for _, p := range pod {
			for _, ls := range i.terms.setsByTerm[p] {
				out = append(out, ls)
			}
		}
	default:
		for _, ls := range i.sets {
			out = append(out, ls)
		}
	}
	return out
}

// NamespaceLabels returns the labels of a Namespace; false when it is not known.
func (i *Index) NamespaceLabels(name string) (labels.Set, bool) {
	i.mu.RLock()
	defer i.mu.RUnlock()
	ns := i.namespaces[name]
	if ns == nil || ns.labels == nil {
		return nil, false
	}
	return ns.labels, true
}

// Namespaces returns the names of the Namespaces known by their labels, sorted.
func (i *Index) Namespaces() []string {
	i.mu.RLock()
	defer i.mu.RUnlock()
	names := make([]string, 0, len(i.namespaces))
	for name, ns := range i.namespaces {
		if ns.labels != nil {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}
