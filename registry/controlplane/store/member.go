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
	"slices"

	"k8s.io/apimachinery/pkg/api/equality"

	"github.com/strata-net/strata/apis/controlplane"
)

// diffMembers returns the members of curr that prev lacks or holds with another
// content (added) and the members of prev that curr lacks (removed), each sorted by
// key. Members shared by pointer are equal without a deep comparison.
func diffMembers(prev, curr map[string]*controlplane.GroupMember) (added, removed []controlplane.GroupMember) {
	var addedKeys, removedKeys []string
	kept := 0
	for key, c := range curr {
		p, ok := prev[key]
		if ok {
			kept++
		}
		if !ok || (p != c && !equality.Semantic.DeepEqual(p, c)) {
			addedKeys = append(addedKeys, key)
		}
	}
	if kept < len(prev) { // some of prev are gone
		for key := range prev {
			if _, ok := curr[key]; !ok {
				removedKeys = append(removedKeys, key)
			}
		}
	}
	return pick(curr, addedKeys), pick(prev, removedKeys)
}

// pick copies the members of m under keys, in sorted key order.
func pick(m map[string]*controlplane.GroupMember, keys []string) []controlplane.GroupMember {
	if len(keys) == 0 {
		return nil
	}
	slices.Sort(keys)
	out := make([]controlplane.GroupMember, 0, len(keys))
	for _, key := range keys {
		out = append(out, *m[key])
	}
	return out
}
