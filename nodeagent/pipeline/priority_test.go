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

package pipeline

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-net/strata/nodeagent/types"
)

func prio(tier int32, policy float64, rule int32) types.Priority {
	return types.Priority{TierPriority: tier, PolicyPriority: policy, RuleIndex: rule}
}

func TestInitialSlots(t *testing.T) {
	tests := []struct {
		name     string
		p        types.Priority
		baseline bool
		want     int
	}{
		{name: "application tier, policy 5, rule 0", p: prio(250, 5, 0), want: 14500},
		{name: "application tier, policy 5, rule 3", p: prio(250, 5, 3), want: 14497},
		{name: "securityops", p: prio(100, 1, 0), want: 65000 - 20000 - 20},
		{name: "emergency, fractional policy priority", p: prio(50, 1.5, 1), want: 65000 - 10000 - 30 - 1},
		{name: "far past the bottom", p: prio(250, 9000, 0), want: 100},
		{name: "baseline policy 1 rule 2", p: prio(253, 1, 2), baseline: true, want: 168},
		{name: "baseline past the bottom", p: prio(253, 50, 0), baseline: true, want: 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := initialPolicyPriority(tc.p)
			if tc.baseline {
				got = initialBaselinePriority(tc.p)
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestAssignerPlacement(t *testing.T) {
	tests := []struct {
		name      string
		before    []types.Priority
		add       []types.Priority
		want      map[types.Priority]uint16
		wantMoves map[types.Priority]Move
	}{
		{
			name: "initial slots",
			add:  []types.Priority{prio(250, 5, 0), prio(250, 5, 1), prio(250, 6, 0)},
			want: map[types.Priority]uint16{prio(250, 5, 0): 14500, prio(250, 5, 1): 14499, prio(250, 6, 0): 14400},
		},
		{
			name:   "a rule between two neighbours takes its initial slot when free",
			before: []types.Priority{prio(250, 5, 0), prio(250, 6, 0)},
			add:    []types.Priority{prio(250, 5.5, 0)},
			want:   map[types.Priority]uint16{prio(250, 5, 0): 14500, prio(250, 5.5, 0): 14450, prio(250, 6, 0): 14400},
		},
		{
			name:   "a rule whose initial slot is taken takes the middle of the gap",
			before: []types.Priority{prio(250, 5, 0), prio(250, 7, 0)},
			add:    []types.Priority{prio(250, 5.009, 0)}, // initial slot 14500
			want:   map[types.Priority]uint16{prio(250, 5, 0): 14500, prio(250, 5.009, 0): 14400, prio(250, 7, 0): 14300},
		},
		{
			name:   "an equal priority shares the OF priority",
			before: []types.Priority{prio(250, 5, 0), prio(250, 5, 1)},
			add:    []types.Priority{prio(250, 5, 0)},
			want:   map[types.Priority]uint16{prio(250, 5, 0): 14500, prio(250, 5, 1): 14499},
		},
		{
			name:      "no room between adjacent slots moves a neighbour",
			before:    []types.Priority{prio(250, 5, 0), prio(250, 5.01, 0)}, // 14500, 14499
			add:       []types.Priority{prio(250, 5.005, 0)},                 // initial slot 14500 is taken
			want:      map[types.Priority]uint16{prio(250, 5, 0): 48167, prio(250, 5.005, 0): 31333, prio(250, 5.01, 0): 14499},
			wantMoves: map[types.Priority]Move{prio(250, 5, 0): {From: 14500, To: 48167}},
		},
		{
			name:      "clamped slots collide at the bottom and get spread",
			before:    []types.Priority{prio(250, 1000, 0)},
			add:       []types.Priority{prio(250, 1001, 0)},
			want:      map[types.Priority]uint16{prio(250, 1000, 0): 43367, prio(250, 1001, 0): 21733},
			wantMoves: map[types.Priority]Move{prio(250, 1000, 0): {From: 100, To: 43367}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := newPolicyAssigner()
			_, err := a.Register(tc.before...)
			require.NoError(t, err)
			moves, err := a.Register(tc.add...)
			require.NoError(t, err)
			got := map[types.Priority]uint16{}
			for _, e := range a.entries {
				got[e.p] = uint16(e.of)
			}
			assert.Equal(t, tc.want, got)
			if tc.wantMoves == nil {
				tc.wantMoves = map[types.Priority]Move{}
			}
			assert.Equal(t, tc.wantMoves, moves)
			checkAssigner(t, a)
		})
	}
}

func TestAssignerExhausted(t *testing.T) {
	a := newBaselineAssigner()
	var ps []types.Priority
	for i := range 171 {
		ps = append(ps, prio(253, float64(i), 0))
	}
	_, err := a.Register(ps...)
	require.NoError(t, err)
	checkAssigner(t, a)
	_, err = a.Register(prio(253, 1000, 0))
	require.ErrorIs(t, err, errPrioritiesExhausted)
	assert.Equal(t, 171, a.Len(), "a failed registration changes nothing")
	a.Release(prio(253, 3, 0))
	_, err = a.Register(prio(253, 1000, 0))
	require.NoError(t, err)
	checkAssigner(t, a)
}

func TestAssignerRefCounts(t *testing.T) {
	a := newPolicyAssigner()
	p := prio(250, 1, 0)
	_, err := a.Register(p, p)
	require.NoError(t, err)
	a.Release(p)
	_, ok := a.Get(p)
	assert.True(t, ok, "still referenced once")
	a.Release(p)
	_, ok = a.Get(p)
	assert.False(t, ok)
}

// TestAssignerProperty registers and releases random priorities, singly and
// in batches, in both tables. After every step: OF priorities are unique,
// inside the range, strictly decreasing in evaluation order, and every
// priority that changed is reported as a move.
func TestAssignerProperty(t *testing.T) {
	for _, tc := range []struct {
		name   string
		newA   func() *priorityAssigner
		tiers  []int32
		policy int
		rules  int32
		steps  int
	}{
		{name: "policy tiers", newA: newPolicyAssigner, tiers: []int32{50, 100, 150, 200, 250, 10}, policy: 300, rules: 20, steps: 1500},
		{name: "crowded policy table", newA: newPolicyAssigner, tiers: []int32{250}, policy: 2000, rules: 40, steps: 1500},
		{name: "baseline", newA: newBaselineAssigner, tiers: []int32{253}, policy: 30, rules: 10, steps: 3000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(len(tc.name))))
			a := tc.newA()
			refs := map[types.Priority]int{}
			random := func() types.Priority {
				return prio(tc.tiers[rng.IntN(len(tc.tiers))], float64(1+rng.IntN(tc.policy))+float64(rng.IntN(4))/4, rng.Int32N(tc.rules))
			}
			for step := range tc.steps {
				before := snapshot(a)
				var moves map[types.Priority]Move
				switch op := rng.IntN(10); {
				case op < 5 || len(refs) == 0:
					batch := make([]types.Priority, 1+rng.IntN(1+rng.IntN(60)))
					for i := range batch {
						batch[i] = random()
					}
					var err error
					moves, err = a.Register(batch...)
					if err != nil {
						require.ErrorIs(t, err, errPrioritiesExhausted)
						assert.Equal(t, before, snapshot(a), "step %d: a failed registration changes nothing", step)
						continue
					}
					for _, p := range batch {
						refs[p]++
					}
				default:
					var batch []types.Priority
					for p := range refs {
						if len(batch) > rng.IntN(40) {
							break
						}
						batch = append(batch, p)
					}
					a.Release(batch...)
					for _, p := range batch {
						if refs[p]--; refs[p] == 0 {
							delete(refs, p)
						}
					}
				}
				checkAssigner(t, a)
				require.Equal(t, len(refs), a.Len(), "step %d", step)
				after := snapshot(a)
				for p, of := range before {
					if now, ok := after[p]; ok && now != of && moves[p] != (Move{From: of, To: now}) {
						t.Fatalf("step %d: %v moved %d -> %d, reported %v", step, p, of, now, moves[p])
					}
				}
				for p, m := range moves {
					if before[p] != m.From || after[p] != m.To {
						t.Fatalf("step %d: reported move %v of %v, was %d now %d", step, m, p, before[p], after[p])
					}
				}
			}
		})
	}
}

func snapshot(a *priorityAssigner) map[types.Priority]uint16 {
	out := make(map[types.Priority]uint16, len(a.entries))
	for _, e := range a.entries {
		out[e.p] = uint16(e.of)
	}
	return out
}

// checkAssigner checks ordering, uniqueness and bounds.
func checkAssigner(t *testing.T, a *priorityAssigner) {
	t.Helper()
	for i, e := range a.entries {
		if e.of < a.lo || e.of > a.hi {
			t.Fatalf("entry %d %v has OF priority %d outside [%d, %d]", i, e.p, e.of, a.lo, a.hi)
		}
		if e.refs <= 0 {
			t.Fatalf("entry %d %v has %d references", i, e.p, e.refs)
		}
		if i == 0 {
			continue
		}
		prev := a.entries[i-1]
		if !prev.p.Less(e.p) {
			t.Fatalf("entries out of order: %v then %v", prev.p, e.p)
		}
		if prev.of <= e.of { // also proves uniqueness
			t.Fatalf("%v (evaluated first) has OF priority %d, not above %d of %v", prev.p, prev.of, e.of, e.p)
		}
	}
}
