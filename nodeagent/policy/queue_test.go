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
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWorkSet(t *testing.T) {
	tests := []struct {
		name   string
		paused bool
		setup  func(q *workSet[int], doneCalls *int)
		max    int
		want   [][]int // successive batches
		calls  int     // done callbacks after the batches
	}{
		{name: "duplicates merged", setup: func(q *workSet[int], _ *int) { q.add(1, 1); q.add(1) },
			max: 10, want: [][]int{{1}}},
		{name: "releaseAll takes everything in one batch", paused: true,
			setup: func(q *workSet[int], n *int) {
				q.add(3, 2)
				q.releaseAll([]int{1}, func() { *n++ })
			},
			max: 1, want: [][]int{{1, 2, 3}}, calls: 1},
		{name: "releaseAll with nothing dirty still gives a batch", paused: true,
			setup: func(q *workSet[int], n *int) { q.releaseAll(nil, func() { *n++ }) },
			max:   1, want: [][]int{{}}, calls: 1},
		{name: "after the full batch, batches of max again",
			setup: func(q *workSet[int], _ *int) {
				q.releaseAll([]int{1, 2, 3}, nil)
			},
			max: 2, want: [][]int{{1, 2, 3}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := newWorkSet[int](tc.paused)
			calls := 0
			tc.setup(q, &calls)
			for _, want := range tc.want {
				got, done, ok := q.get(t.Context(), tc.max)
				require.True(t, ok)
				assert.Equal(t, want, got)
				if done != nil {
					done()
				}
			}
			assert.Equal(t, tc.calls, calls)
			assert.Zero(t, q.len())
		})
	}
}

func TestWorkSetBatchSize(t *testing.T) {
	q := newWorkSet[int](false)
	q.add(5, 3, 1, 4, 2)
	var all []int
	for q.len() > 0 {
		got, done, ok := q.get(t.Context(), 2)
		require.True(t, ok)
		assert.Nil(t, done)
		assert.LessOrEqual(t, len(got), 2)
		assert.IsNonDecreasing(t, got)
		all = append(all, got...)
	}
	assert.ElementsMatch(t, []int{1, 2, 3, 4, 5}, all)
}

func TestWorkSetPausedHoldsItems(t *testing.T) {
	q := newWorkSet[int](true)
	q.add(1)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	_, _, ok := q.get(ctx, 10)
	assert.False(t, ok, "paused: get waits until ctx is done")
	assert.Equal(t, 1, q.len())
}

func TestWorkSetAddAfter(t *testing.T) {
	q := newWorkSet[string](false)
	q.addAfter("x", time.Millisecond)
	got, _, ok := q.get(t.Context(), 10)
	require.True(t, ok)
	assert.Equal(t, []string{"x"}, got)
}
