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

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/strata-net/strata/apiserver/policy/grouping"
)

// selectorCache interns the selectors compiled during one Process: policies that
// repeat a selector (10k policies over one podSelector, the same peer in every rule)
// parse it and derive its group name once, and share one *grouping.Selector.
// Entries are keyed by the API selectors' spelling, so two spellings of one
// selector are two entries of the same group.
type selectorCache struct {
	entries map[string]internedSelector
	key     []byte
	labels  []string
}

type internedSelector struct {
	sel  *grouping.Selector
	name string
	err  error
}

// get returns the selector of a namespace, namespaceSelector and podSelector and
// the name of its group.
func (c *selectorCache) get(namespace string, nsSel, podSel *metav1.LabelSelector) (*grouping.Selector, string, error) {
	c.key = append(c.key[:0], namespace...)
	c.appendSelector(nsSel)
	c.appendSelector(podSel)
	if e, ok := c.entries[string(c.key)]; ok {
		return e.sel, e.name, e.err
	}
	var e internedSelector
	if e.sel, e.err = grouping.NewSelector(namespace, nsSel, podSel); e.err == nil {
		e.name = e.sel.Name()
	}
	if c.entries == nil {
		c.entries = map[string]internedSelector{}
	}
	c.entries[string(c.key)] = e
	return e.sel, e.name, e.err
}

// appendSelector appends an unambiguous spelling of s to the key: label keys and
// values cannot hold the separators.
func (c *selectorCache) appendSelector(s *metav1.LabelSelector) {
	if s == nil {
		c.key = append(c.key, 0, 'n')
		return
	}
	c.key = append(c.key, 0, 's')
	c.labels = c.labels[:0]
	for k := range s.MatchLabels {
		c.labels = append(c.labels, k)
	}
	slices.Sort(c.labels)
	for _, k := range c.labels {
		c.key = append(append(append(append(c.key, 1), k...), 2), s.MatchLabels[k]...)
	}
	for _, r := range s.MatchExpressions {
		c.key = append(append(append(append(c.key, 3), r.Key...), 2), r.Operator...)
		for _, v := range r.Values {
			c.key = append(append(c.key, 4), v...)
		}
	}
}

// reset forgets every entry.
func (c *selectorCache) reset() {
	c.entries = nil
}
