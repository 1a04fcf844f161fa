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
	"iter"
	"slices"
)

// smallSetMax is the size past which a smallSet keeps a map.
const smallSetMax = 8

// smallSet is a set that is a slice while it is small: most groups are used by one
// or two policies and most selectors by one or two groups, and a map each would
// cost more than the group. Past smallSetMax elements it keeps a map, so a group
// used by 10k policies still adds and removes in constant time. The zero value is
// empty.
type smallSet[T comparable] struct {
	items []T
	m     map[T]struct{}
}

// Insert adds v.
func (s *smallSet[T]) Insert(v T) {
	if s.m != nil {
		s.m[v] = struct{}{}
		return
	}
	if slices.Contains(s.items, v) {
		return
	}
	if len(s.items) < smallSetMax {
		s.items = append(s.items, v)
		return
	}
	s.m = make(map[T]struct{}, 2*smallSetMax)
	for _, item := range s.items {
		s.m[item] = struct{}{}
	}
	s.m[v] = struct{}{}
	s.items = nil
}

// Delete removes v.
func (s *smallSet[T]) Delete(v T) {
	if s.m != nil {
		delete(s.m, v)
		return
	}
	if i := slices.Index(s.items, v); i >= 0 {
		last := len(s.items) - 1
		s.items[i] = s.items[last]
		var zero T
		s.items[last] = zero
		s.items = s.items[:last]
	}
}

// Has tells whether v is in the set.
func (s *smallSet[T]) Has(v T) bool {
	if s.m != nil {
		_, ok := s.m[v]
		return ok
	}
	return slices.Contains(s.items, v)
}

// Len is the number of elements.
func (s *smallSet[T]) Len() int {
	if s.m != nil {
		return len(s.m)
	}
	return len(s.items)
}

// All yields every element once, in no particular order. The set must not change
// while it is ranged over.
func (s *smallSet[T]) All() iter.Seq[T] {
	return func(yield func(T) bool) {
		if s.m != nil {
			for v := range s.m {
				if !yield(v) {
					return
				}
			}
			return
		}
		for _, v := range s.items {
			if !yield(v) {
				return
			}
		}
	}
}
