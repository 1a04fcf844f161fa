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

package policy

import (
	"slices"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/strata-net/strata/apiserver/policy/grouping"
)

// selectorInterner interns the selectors compiled during one Process: policies that
// repeat a selector (10k policies over one podSelector, the same peer in every rule)
// parse it and derive its group name once, and share one *grouping.Selector.
// Entries are keyed by the API selectors' spelling, so two spellings of one
// selector are two entries of the same group. It is safe for concurrent use:
// policies are compiled in parallel.
type selectorInterner struct {
	mu      sync.Mutex
	entries map[string]internedSelector
}

type internedSelector struct {
	sel  *grouping.Selector
	name string
	err  error
}

// get returns the selector of a namespace, namespaceSelector and podSelector and
// the name of its group. A selector is parsed outside the lock; when two callers
// parse the same one at once, the first stored wins and both return it.
func (c *selectorInterner) get(namespace string, nsSel, podSel *metav1.LabelSelector) (*grouping.Selector, string, error) {
	var buf [128]byte
	key := append(buf[:0], namespace...)
	key = appendSelector(key, nsSel)
	key = appendSelector(key, podSel)
	c.mu.Lock()
	e, ok := c.entries[string(key)]
	c.mu.Unlock()
	if ok {
		return e.sel, e.name, e.err
	}
	if e.sel, e.err = grouping.NewSelector(namespace, nsSel, podSel); e.err == nil {
		e.name = e.sel.Name()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if stored, ok := c.entries[string(key)]; ok {
		return stored.sel, stored.name, stored.err
	}
	if c.entries == nil {
		c.entries = map[string]internedSelector{}
	}
	c.entries[string(key)] = e
	return e.sel, e.name, e.err
}

// appendSelector appends an unambiguous spelling of s to key: label keys and
// values cannot hold the separators.
func appendSelector(key []byte, s *metav1.LabelSelector) []byte {
	if s == nil {
		return append(key, 0, 'n')
	}
	key = append(key, 0, 's')
	var buf [8]string
	labels := buf[:0]
	for k := range s.MatchLabels {
		labels = append(labels, k)
	}
	slices.Sort(labels)
	for _, k := range labels {
		key = append(append(append(append(key, 1), k...), 2), s.MatchLabels[k]...)
	}
	for _, r := range s.MatchExpressions {
		key = append(append(append(append(key, 3), r.Key...), 2), r.Operator...)
		for _, v := range r.Values {
			key = append(append(key, 4), v...)
		}
	}
	return key
}

// reset forgets every entry.
func (c *selectorInterner) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries = nil
}
