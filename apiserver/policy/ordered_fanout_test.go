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
	"sync/atomic"
	"testing"
)

func TestOrderedFanOut(t *testing.T) {
	cases := []struct {
		name string
		n    int
	}{
		{name: "none", n: 0},
		{name: "one", n: 1},
		{name: "below the parallel minimum", n: parallelMin - 1},
		{name: "at the parallel minimum", n: parallelMin},
		{name: "not a multiple of the chunk", n: 10*parallelChunk + 7},
		{name: "many", n: 100_003},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			produced := make([]atomic.Int32, tc.n)
			var consumed []int
			orderedFanOut(tc.n, func(i int) { produced[i].Add(1) }, func(i int) {
				if got := produced[i].Load(); got != 1 {
					t.Fatalf("item %d consumed after %d productions, want 1", i, got)
				}
				consumed = append(consumed, i)
			})
			if len(consumed) != tc.n {
				t.Fatalf("consumed %d items, want %d", len(consumed), tc.n)
			}
			for i, got := range consumed {
				if got != i {
					t.Fatalf("consumed item %d in position %d: not in order", got, i)
				}
			}
		})
	}
}
