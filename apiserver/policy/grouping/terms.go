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
	"k8s.io/apimachinery/pkg/selection"
	"k8s.io/apimachinery/pkg/util/sets"
)

// termIndex is the inverted index that keeps matching cheap. A selector is filed
// under the terms one of which any Pod it selects must carry:
//
//	pod term only        "app=db"                 (podSelector with an equality)
//	namespace term only  "ns:team=a"              (namespaceSelector with an equality)
//	both                 "app=db&ns:team=a"       (the cross product of the two)
//	neither              unindexed                (checked against every label set)
//
// within a scope (its Namespace, or "" for cluster-wide selectors). A label set
// probes the keys its Pod labels and Namespace labels can form, so it meets only
// the selectors that could select it.
type termIndex struct {
	selectors    map[string]map[string]sets.Set[string]     // scope -> key -> selector keys
	unindexed    map[string]sets.Set[string]                // scope -> selector keys
	setsByTerm   map[string]map[string]*labelSet            // pod term -> set key -> set
	setsByNsTerm map[string]map[string]map[string]*labelSet // namespace -> pod term -> set key -> set
	namespaces   map[string]sets.Set[string]                // namespace label term -> namespaces
}

func newTermIndex() termIndex {
	return termIndex{
		selectors:    map[string]map[string]sets.Set[string]{},
		unindexed:    map[string]sets.Set[string]{},
		setsByTerm:   map[string]map[string]*labelSet{},
		setsByNsTerm: map[string]map[string]map[string]*labelSet{},
		namespaces:   map[string]sets.Set[string]{},
	}
}

// equalityTerms returns the "key=value" terms of the most selective equality (or
// In) requirement of a selector, or nil when it has none.
func equalityTerms(s labels.Selector, prefix string) []string {
	if s == nil {
		return nil
	}
	reqs, _ := s.Requirements()
	var best []string
	for _, r := range reqs {
		switch r.Operator() {
		case selection.Equals, selection.DoubleEquals, selection.In:
			terms := make([]string, 0, len(r.Values()))
			for v := range r.Values() {
				terms = append(terms, prefix+r.Key()+"="+v)
			}
			if best == nil || len(terms) < len(best) {
				best = terms
			}
		}
	}
	return best
}

// selectorKeys returns the keys a selector is filed under; nil means unindexed.
func selectorKeys(sel *Selector) []string {
	pod := equalityTerms(sel.PodSelector, "")
	ns := equalityTerms(sel.NamespaceSelector, "ns:")
	switch {
	case pod != nil && ns != nil:
		keys := make([]string, 0, len(pod)*len(ns))
		for _, p := range pod {
			for _, n := range ns {
				keys = append(keys, p+"&"+n)
			}
		}
		return keys
	case pod != nil:
		return pod
	default:
		return ns
	}
}

func (t termIndex) addSelector(sel *Selector) {
	keys := selectorKeys(sel)
	if keys == nil {
		addTo(t.unindexed, sel.Namespace, sel.Key())
		return
	}
	byKey := t.selectors[sel.Namespace]
	if byKey == nil {
		byKey = map[string]sets.Set[string]{}
		t.selectors[sel.Namespace] = byKey
	}
	for _, k := range keys {
		addTo(byKey, k, sel.Key())
	}
}

func (t termIndex) removeSelector(sel *Selector) {
	keys := selectorKeys(sel)
	if keys == nil {
		removeFrom(t.unindexed, sel.Namespace, sel.Key())
		return
	}
	byKey := t.selectors[sel.Namespace]
	for _, k := range keys {
		removeFrom(byKey, k, sel.Key())
	}
	if len(byKey) == 0 {
		delete(t.selectors, sel.Namespace)
	}
}

func (t termIndex) addSet(ls *labelSet) {
	byTerm := t.setsByNsTerm[ls.namespace]
	if byTerm == nil {
		byTerm = map[string]map[string]*labelSet{}
		t.setsByNsTerm[ls.namespace] = byTerm
	}
	for k, v := range ls.labels {
		term := k + "=" + v
		addSet(t.setsByTerm, term, ls)
		addSet(byTerm, term, ls)
	}
}

func (t termIndex) removeSet(ls *labelSet) {
	byTerm := t.setsByNsTerm[ls.namespace]
	for k, v := range ls.labels {
		term := k + "=" + v
		removeSet(t.setsByTerm, term, ls)
		removeSet(byTerm, term, ls)
	}
	if len(byTerm) == 0 {
		delete(t.setsByNsTerm, ls.namespace)
	}
}

// selectorsFor returns the selectors that may select a label set of a Namespace
// with these labels.
func (t termIndex) selectorsFor(ls *labelSet, nsLabels labels.Set) sets.Set[string] {
	out := sets.New[string]()
	for _, scope := range []string{"", ls.namespace} {
		insertAll(out, t.unindexed[scope])
		byKey := t.selectors[scope]
		if byKey == nil {
			continue
		}
		for k, v := range ls.labels {
			p := k + "=" + v
			insertAll(out, byKey[p])
			for nk, nv := range nsLabels {
				insertAll(out, byKey[p+"&ns:"+nk+"="+nv])
			}
		}
		for nk, nv := range nsLabels {
			insertAll(out, byKey["ns:"+nk+"="+nv])
		}
	}
	return out
}

func insertAll(out, s sets.Set[string]) {
	for k := range s {
		out.Insert(k)
	}
}

func addTo(m map[string]sets.Set[string], k, v string) {
	if m[k] == nil {
		m[k] = sets.New[string]()
	}
	m[k].Insert(v)
}

func removeFrom(m map[string]sets.Set[string], k, v string) {
	if s := m[k]; s != nil {
		s.Delete(v)
		if s.Len() == 0 {
			delete(m, k)
		}
	}
}

func addSet(m map[string]map[string]*labelSet, term string, ls *labelSet) {
	if m[term] == nil {
		m[term] = map[string]*labelSet{}
	}
	m[term][ls.key] = ls
}

func removeSet(m map[string]map[string]*labelSet, term string, ls *labelSet) {
	if s := m[term]; s != nil {
		delete(s, ls.key)
		if len(s) == 0 {
			delete(m, term)
		}
	}
}

// setNamespaceLabels files a Namespace under the terms of its labels.
func (t termIndex) setNamespaceLabels(name string, old, new labels.Set) {
	for k, v := range old {
		removeFrom(t.namespaces, k+"="+v, name)
	}
	for k, v := range new {
		addTo(t.namespaces, k+"="+v, name)
	}
}

// namespacesWith returns the Namespaces whose labels carry one of the terms.
func (t termIndex) namespacesWith(terms []string) sets.Set[string] {
	out := sets.New[string]()
	for _, term := range terms {
		insertAll(out, t.namespaces[term])
	}
	return out
}
