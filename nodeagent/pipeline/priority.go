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
	"errors"
	"fmt"
	"slices"

	"github.com/strata-net/strata/nodeagent/types"
)

// OF priority ranges of Antrea-native rules (as Antrea's, pkg/agent/types/networkpolicy.go).
const (
	policyTopPriority    = 65000
	policyBottomPriority = 100
	baselineTopPriority  = 180
	baselineBottomPrio   = 10
	applicationTier      = 250
)

// errPrioritiesExhausted is returned when a table has no OF priority left.
var errPrioritiesExhausted = errors.New("no OpenFlow priority left in the table")

// Move is the OF priority change of an already registered rule priority:
// its flows must be re-installed from From to To (in the same bundle as
// the change that caused it).
type Move struct{ From, To uint16 }

// priorityAssigner gives every distinct rule priority (tier, policy
// priority, rule index) of one table its own OF priority in [lo, hi], such
// that a rule evaluated earlier has a strictly higher OF priority. Rules
// with equal priorities share an OF priority. It is not safe for
// concurrent use (the pipeline's lock guards it).
type priorityAssigner struct {
	lo, hi  int
	initial func(types.Priority) int
	// entries are sorted by evaluation order: entries[0] has the highest OF
	// priority. of == 0 marks an entry being placed.
	entries []prioEntry
	// savedBy is the undoLog that last saved the entries.
	savedBy uint64
}

type prioEntry struct {
	p    types.Priority
	of   int
	refs int
}

func newPolicyAssigner() *priorityAssigner {
	return &priorityAssigner{lo: policyBottomPriority, hi: policyTopPriority, initial: initialPolicyPriority}
}

func newBaselineAssigner() *priorityAssigner {
	return &priorityAssigner{lo: baselineBottomPrio, hi: baselineTopPriority, initial: initialBaselinePriority}
}

// initialPolicyPriority is Antrea's initial slot for non-baseline tiers:
// 65000 - (200*tier + policyPriority*(100 in application, else 20) + rule).
func initialPolicyPriority(p types.Priority) int {
	mult := 20.0
	if p.TierPriority == applicationTier {
		mult = 100
	}
	offset := 200*float64(p.TierPriority) + p.PolicyPriority*mult + float64(p.RuleIndex)
	return clampSlot(policyTopPriority, policyBottomPriority, offset)
}

// initialBaselinePriority is the slot in the baseline range:
// 180 - (policyPriority*10 + rule).
func initialBaselinePriority(p types.Priority) int {
	offset := p.PolicyPriority*10 + float64(p.RuleIndex)
	return clampSlot(baselineTopPriority, baselineBottomPrio, offset)
}

func clampSlot(top, bottom int, offset float64) int {
	switch {
	case offset < 0:
		return top
	case offset > float64(top-bottom):
		return bottom
	}
	return top - int(offset)
}

// search returns the position of p in the evaluation order and whether it
// is registered.
func (a *priorityAssigner) search(p types.Priority) (int, bool) {
	i, _ := slices.BinarySearchFunc(a.entries, p, func(e prioEntry, t types.Priority) int {
		switch {
		case e.p.Less(t):
			return -1
		case t.Less(e.p):
			return 1
		}
		return 0
	})
	return i, i < len(a.entries) && a.entries[i].p == p
}

// Get returns the OF priority of a registered priority.
func (a *priorityAssigner) Get(p types.Priority) (uint16, bool) {
	i, ok := a.search(p)
	if !ok {
		return 0, false
	}
	return uint16(a.entries[i].of), true
}

// refs is the number of references on a priority (0: not registered).
func (a *priorityAssigner) refs(p types.Priority) int {
	i, ok := a.search(p)
	if !ok {
		return 0
	}
	return a.entries[i].refs
}

// Len is the number of distinct registered priorities.
func (a *priorityAssigner) Len() int { return len(a.entries) }

// Register takes a reference on each priority (several for repeated
// values), placing the new ones. It returns the registered priorities whose
// OF priority changed to make room. On error nothing changes.
func (a *priorityAssigner) Register(ps ...types.Priority) (map[types.Priority]Move, error) {
	fresh := map[types.Priority]int{} // new priority -> references
	for _, p := range ps {
		if _, ok := a.search(p); !ok {
			fresh[p]++
		}
	}
	if len(a.entries)+len(fresh) > a.hi-a.lo+1 {
		return nil, fmt.Errorf("%w: %d rule priorities, room for %d", errPrioritiesExhausted,
			len(a.entries)+len(fresh), a.hi-a.lo+1)
	}
	for _, p := range ps {
		if i, ok := a.search(p); ok && fresh[p] == 0 {
			a.entries[i].refs++
		}
	}
	a.insert(fresh)
	moves := map[types.Priority]Move{}
	for i := 0; i < len(a.entries); i++ {
		if a.entries[i].of != 0 {
			continue
		}
		e := i
		for e+1 < len(a.entries) && a.entries[e+1].of == 0 {
			e++
		}
		a.placeRun(i, e, moves)
		i = e
	}
	for p, m := range moves {
		if fresh[p] > 0 || m.From == m.To {
			delete(moves, p)
		}
	}
	return moves, nil
}

// insert adds unplaced entries for the fresh priorities, keeping the order.
func (a *priorityAssigner) insert(fresh map[types.Priority]int) {
	if len(fresh) <= 16 {
		for p, refs := range fresh {
			i, _ := a.search(p)
			a.entries = slices.Insert(a.entries, i, prioEntry{p: p, refs: refs})
		}
		return
	}
	for p, refs := range fresh {
		a.entries = append(a.entries, prioEntry{p: p, refs: refs})
	}
	slices.SortFunc(a.entries, func(x, y prioEntry) int {
		switch {
		case x.p.Less(y.p):
			return -1
		case y.p.Less(x.p):
			return 1
		}
		return 0
	})
}

// Release drops a reference on each priority; priorities without
// references free their OF priority. Unknown priorities are ignored.
func (a *priorityAssigner) Release(ps ...types.Priority) {
	removed := false
	for _, p := range ps {
		if i, ok := a.search(p); ok {
			a.entries[i].refs--
			removed = removed || a.entries[i].refs == 0
		}
	}
	if removed {
		a.entries = slices.DeleteFunc(a.entries, func(e prioEntry) bool { return e.refs <= 0 })
	}
}

// bounds returns the exclusive OF priority bounds of the window [s, e]: the
// priority of the entry evaluated just before (or hi+1) and just after (or
// lo-1). Entries outside the window are placed.
func (a *priorityAssigner) bounds(s, e int) (upper, lower int) {
	upper, lower = a.hi+1, a.lo-1
	if s > 0 {
		upper = a.entries[s-1].of
	}
	if e+1 < len(a.entries) {
		lower = a.entries[e+1].of
	}
	return upper, lower
}

// placeRun places the unplaced entries [s, e]: at their initial slots when
// those fit between the neighbours, else spread over the gap; when the gap
// is too small, the window grows over placed neighbours (which move) until
// it has room for twice its entries or covers the whole table.
func (a *priorityAssigner) placeRun(s, e int, moves map[types.Priority]Move) {
	upper, lower := a.bounds(s, e)
	if a.tryInitial(s, e, upper, lower) {
		return
	}
	if upper-lower-1 >= e-s+1 {
		a.spread(s, e, upper, lower, moves)
		return
	}
	for grow := 0; ; grow++ {
		switch {
		case s > 0 && (grow%2 == 0 || e+1 == len(a.entries)):
			s--
		default:
			e++
			for e+1 < len(a.entries) && a.entries[e+1].of == 0 {
				e++
			}
		}
		upper, lower = a.bounds(s, e)
		n := e - s + 1
		whole := s == 0 && e+1 == len(a.entries)
		if upper-lower-1 >= 2*n || (whole && upper-lower-1 >= n) {
			a.spread(s, e, upper, lower, moves)
			return
		}
	}
}

// tryInitial places [s, e] at their initial slots if these are strictly
// decreasing and inside (lower, upper).
func (a *priorityAssigner) tryInitial(s, e, upper, lower int) bool {
	prev := upper
	for i := s; i <= e; i++ {
		slot := a.initial(a.entries[i].p)
		if slot >= prev || slot <= lower {
			return false
		}
		prev = slot
	}
	for i := s; i <= e; i++ {
		a.entries[i].of = a.initial(a.entries[i].p)
	}
	return true
}

// spread places [s, e] evenly in (lower, upper), recording the moves of
// entries that had a priority.
func (a *priorityAssigner) spread(s, e, upper, lower int, moves map[types.Priority]Move) {
	n := e - s + 1
	for j := 0; j < n; j++ {
		ent := &a.entries[s+j]
		of := upper - (j+1)*(upper-lower)/(n+1)
		if ent.of != 0 && ent.of != of {
			m, seen := moves[ent.p]
			if !seen {
				m.From = uint16(ent.of)
			}
			m.To = uint16(of)
			moves[ent.p] = m
		}
		ent.of = of
	}
}
