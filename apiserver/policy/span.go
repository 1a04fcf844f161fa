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

import "k8s.io/apimachinery/pkg/util/sets"

// nodeSpan is an immutable set of Node names. Objects with the same span share one
// nodeSpan: a policy with one AppliedToGroup shares the group's, and an AddressGroup
// used by policies of one span shares theirs, so 10k policies over 1,000 Nodes hold
// one set, not 10k, and their unions cost the number of distinct spans.
type nodeSpan struct {
	nodes sets.Set[string]
}

var emptySpan = &nodeSpan{nodes: sets.New[string]()}

func newSpan(nodes sets.Set[string]) *nodeSpan {
	if nodes.Len() == 0 {
		return emptySpan
	}
	return &nodeSpan{nodes: nodes}
}

// spanOfNodes returns the span of the keys of byNode: old when it holds the same
// Nodes, so an unchanged span is neither rebuilt nor spread.
func spanOfNodes[V any](byNode map[string]V, old *nodeSpan) *nodeSpan {
	if old != nil && len(byNode) == old.nodes.Len() {
		same := true
		for node := range byNode {
			if !old.nodes.Has(node) {
				same = false
				break
			}
		}
		if same {
			return old
		}
	}
	return newSpan(sets.KeySet(byNode))
}

// equal tells whether two spans hold the same Nodes.
func (s *nodeSpan) equal(o *nodeSpan) bool {
	if s == o {
		return true
	}
	if s == nil || o == nil {
		return false
	}
	return s.nodes.Equal(o.nodes)
}

// spanUnion collects the distinct spans of a union. Most unions have one or a few
// distinct spans: they are found by a scan, and a map is made only past smallUnion.
type spanUnion struct {
	seen  map[*nodeSpan]struct{}
	spans []*nodeSpan
}

const smallUnion = 8

func (u *spanUnion) add(s *nodeSpan) {
	if s == nil || s.nodes.Len() == 0 {
		return
	}
	if u.seen == nil {
		for _, known := range u.spans {
			if known == s {
				return
			}
		}
		u.spans = append(u.spans, s)
		if len(u.spans) > smallUnion {
			u.seen = make(map[*nodeSpan]struct{}, len(u.spans))
			for _, known := range u.spans {
				u.seen[known] = struct{}{}
			}
		}
		return
	}
	if _, ok := u.seen[s]; ok {
		return
	}
	u.seen[s] = struct{}{}
	u.spans = append(u.spans, s)
}

// result returns the union, reusing the only span when there is one.
func (u *spanUnion) result() *nodeSpan {
	switch len(u.spans) {
	case 0:
		return emptySpan
	case 1:
		return u.spans[0]
	}
	nodes := sets.New[string]()
	for _, s := range u.spans {
		for n := range s.nodes {
			nodes.Insert(n)
		}
	}
	return &nodeSpan{nodes: nodes}
}
