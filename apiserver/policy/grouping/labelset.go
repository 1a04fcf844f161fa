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
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
)

// labelSet is the Pods of one Namespace that carry exactly the same labels, and the
// selectors that select them.
type labelSet struct {
	key       string
	namespace string
	labels    labels.Set
	pods      podList
	selectors sets.Set[string]
}

func labelSetKey(namespace string, l labels.Set) string {
	return namespace + "/" + l.String()
}

// UpsertPod adds or replaces a Pod. Selectors whose members change are reported to
// the handlers, after the index is unlocked.
func (i *Index) UpsertPod(p *Pod) {
	i.notifyKeys(i.upsertPod(p))
}

// upsertPod returns the keys of the selectors whose members change, sorted.
func (i *Index) upsertPod(p *Pod) []string {
	i.mu.Lock()
	defer i.mu.Unlock()
	name := types.NamespacedName{Namespace: p.Namespace, Name: p.Name}
	key := labelSetKey(p.Namespace, p.Labels)
	var moved sets.Set[string]
	if old, ok := i.podSet[name]; ok {
		if old.key == key {
			if prev := old.pods.get(p.Name); !prev.sameAs(p) {
				old.pods.put(p)
				return sets.List(old.selectors)
			}
			return nil
		}
		moved = i.removeFromSet(old, p.Name)
	}
	ls := i.sets[key]
	if ls == nil {
		ls = i.newLabelSet(key, p.Namespace, p.Labels)
	}
	ls.pods.put(p)
	i.podSet[name] = ls
	if moved.Len() == 0 {
		return sets.List(ls.selectors)
	}
	return sets.List(moved.Union(ls.selectors))
}

// DeletePod removes a Pod.
func (i *Index) DeletePod(namespace, name string) {
	i.notify(i.deletePod(namespace, name))
}

func (i *Index) deletePod(namespace, name string) sets.Set[string] {
	i.mu.Lock()
	defer i.mu.Unlock()
	nn := types.NamespacedName{Namespace: namespace, Name: name}
	ls, ok := i.podSet[nn]
	if !ok {
		return nil
	}
	delete(i.podSet, nn)
	return i.removeFromSet(ls, name)
}

// removeFromSet removes a Pod from its label set, dropping the set when it empties.
// It returns the selectors that selected the Pod.
func (i *Index) removeFromSet(ls *labelSet, pod string) sets.Set[string] {
	ls.pods.remove(pod)
	affected := ls.selectors.Clone()
	if ls.pods.len() > 0 {
		return affected
	}
	for key := range ls.selectors {
		delete(i.selectors[key].sets, ls.key)
	}
	i.terms.removeSet(ls)
	delete(i.sets, ls.key)
	if ns := i.namespaces[ls.namespace]; ns != nil {
		delete(ns.sets, ls.key)
		i.dropNamespaceIfUnused(ls.namespace)
	}
	return affected
}

func (i *Index) newLabelSet(key, namespace string, l labels.Set) *labelSet {
	ls := &labelSet{key: key, namespace: namespace, labels: l, pods: newPodList(), selectors: sets.New[string]()}
	i.sets[key] = ls
	i.namespace(namespace).sets[key] = ls
	i.terms.addSet(ls)
	for selKey := range i.terms.selectorsFor(ls, i.namespaces[namespace].labels) {
		if item := i.selectors[selKey]; i.matches(item.sel, ls) {
			item.sets[key] = ls
			ls.selectors.Insert(selKey)
		}
	}
	return ls
}

// namespace returns the item of a Namespace, creating it (without labels) when the
// Namespace is not known yet.
func (i *Index) namespace(name string) *namespaceItem {
	ns := i.namespaces[name]
	if ns == nil {
		ns = &namespaceItem{sets: map[string]*labelSet{}}
		i.namespaces[name] = ns
	}
	return ns
}

// dropNamespaceIfUnused forgets a Namespace that has neither labels nor Pods.
func (i *Index) dropNamespaceIfUnused(name string) {
	if ns := i.namespaces[name]; ns != nil && ns.labels == nil && len(ns.sets) == 0 {
		delete(i.namespaces, name)
	}
}

// UpsertNamespace adds a Namespace or changes its labels; the selectors of its Pods
// are matched again.
func (i *Index) UpsertNamespace(name string, l labels.Set) {
	i.notify(i.upsertNamespace(name, l))
}

func (i *Index) upsertNamespace(name string, l labels.Set) sets.Set[string] {
	i.mu.Lock()
	defer i.mu.Unlock()
	if l == nil {
		l = labels.Set{}
	}
	ns := i.namespace(name)
	if ns.labels != nil && labels.Equals(ns.labels, l) {
		return nil
	}
	i.terms.setNamespaceLabels(name, ns.labels, l)
	ns.labels = l
	return i.rematchNamespace(ns)
}

// DeleteNamespace forgets a Namespace's labels; its Pods are deleted on their own.
func (i *Index) DeleteNamespace(name string) {
	i.notify(i.deleteNamespace(name))
}

func (i *Index) deleteNamespace(name string) sets.Set[string] {
	i.mu.Lock()
	defer i.mu.Unlock()
	ns := i.namespaces[name]
	if ns == nil {
		return nil
	}
	i.terms.setNamespaceLabels(name, ns.labels, nil)
	ns.labels = nil
	affected := i.rematchNamespace(ns)
	i.dropNamespaceIfUnused(name)
	return affected
}

// rematchNamespace matches the selectors that look at Namespace labels again
// against every label set of a Namespace, and returns those whose result changed.
func (i *Index) rematchNamespace(ns *namespaceItem) sets.Set[string] {
	affected := sets.New[string]()
	for _, ls := range ns.sets {
		candidates := i.terms.selectorsFor(ls, ns.labels)
		insertAll(candidates, ls.selectors)
		for selKey := range candidates {
			item := i.selectors[selKey]
			if item.sel.NamespaceSelector == nil {
				continue
			}
			was, is := ls.selectors.Has(selKey), i.matches(item.sel, ls)
			switch {
			case is && !was:
				item.sets[ls.key] = ls
				ls.selectors.Insert(selKey)
				affected.Insert(selKey)
			case was && !is:
				delete(item.sets, ls.key)
				ls.selectors.Delete(selKey)
				affected.Insert(selKey)
			}
		}
	}
	return affected
}
