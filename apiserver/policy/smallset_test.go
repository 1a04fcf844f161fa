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
	"math/rand"
	"slices"
	"testing"

	"k8s.io/apimachinery/pkg/util/sets"
)

// TestSmallSet checks the set against a map through random inserts and deletes
// that cross smallSetMax both ways.
func TestSmallSet(t *testing.T) {
	cases := []struct {
		name     string
		universe int
	}{
		{name: "always small", universe: smallSetMax},
		{name: "crossing the threshold", universe: 2 * smallSetMax},
		{name: "large", universe: 100},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewSource(1))
			var s smallSet[int]
			model := sets.New[int]()
			for step := 0; step < 2000; step++ {
				v := rng.Intn(tc.universe)
				if rng.Intn(3) == 0 {
					s.Delete(v)
					model.Delete(v)
				} else {
					s.Insert(v)
					model.Insert(v)
				}
				got := slices.Sorted(s.All())
				if !slices.Equal(got, sets.List(model)) || s.Len() != model.Len() || s.Has(v) != model.Has(v) {
					t.Fatalf("step %d: set %v (len %d), want %v", step, got, s.Len(), sets.List(model))
				}
			}
		})
	}
}
