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
	"slices"

	"github.com/strata-net/strata/nodeagent/types"
)

// registerUndoable is a.Register, recorded in the undo log. References on
// registered priorities are undone by releasing them again; placing a new
// priority may move others, so then the assigner is saved whole (once per
// change).
func (pf *PolicyFlows) registerUndoable(a *priorityAssigner, ps []types.Priority) (map[types.Priority]Move, error) {
	record := pf.recordsAssigner(a)
	if record && slices.ContainsFunc(ps, func(p types.Priority) bool { return a.refs(p) == 0 }) {
		pf.saveAssigner(a)
		record = false
	}
	moves, err := a.Register(ps...)
	if err == nil && record {
		pf.p.onUndo(func() { a.Release(ps...) })
	}
	return moves, err
}

// releaseUndoable is a.Release(p), recorded in the undo log. Dropping one
// of several references is undone by taking it again; freeing the priority
// saves the assigner whole.
func (pf *PolicyFlows) releaseUndoable(a *priorityAssigner, p types.Priority) {
	if pf.recordsAssigner(a) {
		switch refs := a.refs(p); {
		case refs > 1:
			pf.p.onUndo(func() { _, _ = a.Register(p) }) // a known priority: no error, no move
		case refs == 1:
			pf.saveAssigner(a)
		}
	}
	a.Release(p)
}

// recordsAssigner tells whether changes to a must be recorded: a change is
// being recorded and a was not saved whole for it yet.
func (pf *PolicyFlows) recordsAssigner(a *priorityAssigner) bool {
	return pf.p.log != nil && a.savedBy != pf.p.log.id
}

// saveAssigner records how to restore a's priorities as they are now, once
// per change; later changes to a in the same change need no record.
func (pf *PolicyFlows) saveAssigner(a *priorityAssigner) {
	a.savedBy = pf.p.log.id
	entries := slices.Clone(a.entries)
	pf.p.onUndo(func() { a.entries = entries })
}
