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
	"maps"
	"slices"

	"github.com/strata-net/strata/nodeagent/ovs/openflow"
)

// undoLog records how to take one change of the desired state back: the
// flow entries as they were before the change touched them (each saved
// once), and the inverse of every change to the bookkeeping of PodFlows and
// PolicyFlows (run newest first). A change whose bundle OVS refuses is
// rolled back with it, so that the desired state again is what OVS holds
// (the bundle was atomic) and the refused flows are not resent.
type undoLog struct {
	id    uint64
	flows []entrySnapshot
	fresh []*flowEntry // the entries the change created
	fns   []func()
}

// entrySnapshot is a flow entry before a change touched it.
type entrySnapshot struct {
	e     *flowEntry
	owned []ownedFlow
	conj  []openflow.Conjunction
	drop  *dropFlow
	dirty bool
}

// begin starts recording a change of the desired state.
func (p *Pipeline) begin() *undoLog {
	p.logs++
	log := &undoLog{id: p.logs}
	p.log, p.flows.log = log, log
	return log
}

// end stops recording.
func (p *Pipeline) end() { p.log, p.flows.log = nil, nil }

// onUndo records fn as the inverse of a bookkeeping change being made.
func (p *Pipeline) onUndo(fn func()) {
	if p.log != nil {
		p.log.fns = append(p.log.fns, fn)
	}
}

// rollback takes the changes of the logs back, the last log first.
func (p *Pipeline) rollback(logs ...*undoLog) {
	for _, log := range slices.Backward(logs) {
		for _, fn := range slices.Backward(log.fns) {
			fn()
		}
		p.flows.restore(log)
	}
}

// save records e as it is before the change being recorded touches it.
func (s *flowState) save(e *flowEntry, fresh bool) {
	if s.log == nil || e.savedBy == s.log.id {
		return
	}
	e.savedBy = s.log.id
	if fresh {
		s.log.fresh = append(s.log.fresh, e)
		return
	}
	snap := entrySnapshot{e: e, dirty: e.dirty, owned: slices.Clone(e.owned), conj: slices.Clone(e.conj)}
	if d := e.drop; d != nil {
		snap.drop = &dropFlow{plain: d.plain, logged: d.logged, owners: maps.Clone(d.owners), logging: d.logging}
	}
	s.log.flows = append(s.log.flows, snap)
}

// restore puts the entries a change touched back as they were, and forgets
// those it created. What was installed is not touched: a rolled back change
// never reached OVS.
func (s *flowState) restore(log *undoLog) {
	for _, e := range log.fresh {
		if s.entries[e.key] == e {
			delete(s.entries, e.key)
		}
		e.dirty = false
	}
	for _, snap := range log.flows {
		e := snap.e
		e.owned, e.conj, e.drop, e.dirty = snap.owned, snap.conj, snap.drop, snap.dirty
	}
	s.dirty = slices.DeleteFunc(s.dirty, func(e *flowEntry) bool { return !e.dirty })
}

// setUndoable sets m[k] = v, recording the inverse.
func setUndoable[K comparable, V any](p *Pipeline, m map[K]V, k K, v V) {
	if p.log != nil {
		p.onUndo(restoreFunc(m, k))
	}
	m[k] = v
}

// deleteUndoable deletes m[k], recording the inverse.
func deleteUndoable[K comparable, V any](p *Pipeline, m map[K]V, k K) {
	if p.log != nil {
		p.onUndo(restoreFunc(m, k))
	}
	delete(m, k)
}

// restoreFunc returns a func that puts m[k] back as it is now.
func restoreFunc[K comparable, V any](m map[K]V, k K) func() {
	old, had := m[k]
	return func() {
		if had {
			m[k] = old
		} else {
			delete(m, k)
		}
	}
}
