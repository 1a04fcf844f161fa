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
	"cmp"
	"slices"

	"github.com/strata-net/strata/nodeagent/ovs/openflow"
)

// ownerKey names who contributes a flow: "base", a Pod, a rule part.
type ownerKey string

// flowState is the pipeline's desired flow set (what OVS should hold), what
// was last installed, and the keys whose desired flow may differ from the
// installed one. Desired flows come from three kinds of contributions:
//   - owned flows: whole flows of one owner (pod, base, rule action and
//     metric flows); with several owners of one key the latest wins;
//   - conjunctive match flows: shared by every rule with the same (table,
//     priority, match); the flow carries all their conjunction actions;
//   - isolation drops: shared by the K8s rules of an appliedTo Pod; the
//     logging variant wins while one of them logs.
//
// A failed install leaves the keys dirty, so the next sync retries them,
// unless the change is rolled back (undo.go).
type flowState struct {
	conjCookie uint64
	entries    map[openflow.FlowKey]*flowEntry
	dirty      []*flowEntry
	// log records the change being made, if any.
	log *undoLog
}

// flowEntry is everything known about one flow key.
type flowEntry struct {
	key       openflow.FlowKey
	owned     []ownedFlow
	conj      []openflow.Conjunction // sorted by id, clause
	drop      *dropFlow
	installed openflow.Flow
	isInstall bool // installed is in OVS
	dirty     bool
	savedBy   uint64 // the undoLog that last saved the entry
}

type ownedFlow struct {
	owner ownerKey
	flow  openflow.Flow
}

type dropFlow struct {
	plain, logged openflow.Flow
	owners        map[ownerKey]bool // owner -> logging
	logging       int
}

func newFlowState(conjCookie uint64) *flowState {
	return &flowState{conjCookie: conjCookie, entries: map[openflow.FlowKey]*flowEntry{}}
}

// entry returns the entry of k, created if needed, marked dirty, saved in
// the undo log first.
func (s *flowState) entry(k openflow.FlowKey) *flowEntry {
	e := s.entries[k]
	if e == nil {
		e = &flowEntry{key: k}
		s.entries[k] = e
		s.save(e, true)
	} else {
		s.save(e, false)
	}
	if !e.dirty {
		e.dirty = true
		s.dirty = append(s.dirty, e)
	}
	return e
}

// addOwned makes f a desired flow of owner.
func (s *flowState) addOwned(owner ownerKey, f openflow.Flow) {
	e := s.entry(f.Key())
	e.owned = append(slices.DeleteFunc(e.owned, func(o ownedFlow) bool { return o.owner == owner }),
		ownedFlow{owner: owner, flow: f})
}

// removeOwned drops owner's flow with key k.
func (s *flowState) removeOwned(owner ownerKey, k openflow.FlowKey) {
	e := s.entry(k)
	e.owned = slices.DeleteFunc(e.owned, func(o ownedFlow) bool { return o.owner == owner })
}

func compareConj(a, b openflow.Conjunction) int {
	if c := cmp.Compare(a.ID, b.ID); c != 0 {
		return c
	}
	return cmp.Compare(a.Clause, b.Clause)
}

// addConj adds a conjunction action to the shared match flow k.
func (s *flowState) addConj(k openflow.FlowKey, c openflow.Conjunction) {
	e := s.entry(k)
	if i, found := slices.BinarySearchFunc(e.conj, c, compareConj); found {
		e.conj[i] = c
	} else {
		e.conj = slices.Insert(e.conj, i, c)
	}
}

// removeConj removes a conjunction action from the shared match flow k.
func (s *flowState) removeConj(k openflow.FlowKey, c openflow.Conjunction) {
	e := s.entry(k)
	if i, found := slices.BinarySearchFunc(e.conj, c, compareConj); found {
		e.conj = slices.Delete(e.conj, i, i+1)
	}
}

// addDrop references the isolation drop plain (logged while any owner logs).
func (s *flowState) addDrop(owner ownerKey, plain, logged openflow.Flow, logging bool) {
	e := s.entry(plain.Key())
	d := e.drop
	if d == nil {
		d = &dropFlow{plain: plain, logged: logged, owners: map[ownerKey]bool{}}
		e.drop = d
	}
	if old, ok := d.owners[owner]; ok && old {
		d.logging--
	}
	d.owners[owner] = logging
	if logging {
		d.logging++
	}
}

// removeDrop drops owner's reference on the isolation drop with key k.
func (s *flowState) removeDrop(owner ownerKey, k openflow.FlowKey) {
	e := s.entry(k)
	d := e.drop
	if d == nil {
		return
	}
	if logging, ok := d.owners[owner]; ok {
		if logging {
			d.logging--
		}
		delete(d.owners, owner)
	}
	if len(d.owners) == 0 {
		e.drop = nil
	}
}

// desired returns the flow OVS should hold for the entry.
func (s *flowState) desired(e *flowEntry) (openflow.Flow, bool) {
	switch {
	case len(e.owned) > 0:
		return e.owned[len(e.owned)-1].flow, true
	case len(e.conj) > 0:
		acts := make([]openflow.Action, len(e.conj))
		for i, c := range e.conj {
			acts[i] = c
		}
		return openflow.Flow{Table: e.key.Table, Priority: e.key.Priority, Cookie: s.conjCookie, Match: e.key.Match,
			Instructions: openflow.Apply(acts...)}, true
	case e.drop != nil && e.drop.logging > 0:
		return e.drop.logged, true
	case e.drop != nil:
		return e.drop.plain, true
	}
	return openflow.Flow{}, false
}

// change is one pending flow change: the new flow, or a deletion.
type change struct {
	e      *flowEntry
	flow   openflow.Flow
	delete bool
}

// diff returns the flow mods that take OVS from the installed flows to the
// desired ones for every dirty key (deletes first, then modifications, then
// additions) and the changes to record once they are applied.
func (s *flowState) diff() ([]openflow.FlowMod, []change) {
	var dels, mods []openflow.FlowMod
	adds := make([]openflow.FlowMod, 0, len(s.dirty))
	changes := make([]change, 0, len(s.dirty))
	for _, e := range s.dirty {
		want, ok := s.desired(e)
		switch {
		case !ok && e.isInstall:
			dels = append(dels, openflow.DeleteFlowStrict(e.key))
			changes = append(changes, change{e: e, delete: true})
		case ok && !e.isInstall:
			adds = append(adds, openflow.AddFlow(want))
			changes = append(changes, change{e: e, flow: want})
		case ok && want != e.installed:
			mods = append(mods, openflow.ModifyFlowStrict(want))
			changes = append(changes, change{e: e, flow: want})
		}
	}
	if len(dels)+len(mods) == 0 {
		return adds, changes
	}
	out := make([]openflow.FlowMod, 0, len(dels)+len(mods)+len(adds))
	return append(append(append(out, dels...), mods...), adds...), changes
}

// applied records that the changes of a diff are in OVS.
func (s *flowState) applied(changes []change) {
	for _, c := range changes {
		c.e.installed, c.e.isInstall = c.flow, !c.delete
	}
	s.clean()
}

// clean clears the dirty list, forgetting entries with nothing left.
func (s *flowState) clean() {
	for _, e := range s.dirty {
		e.dirty = false
		if _, ok := s.desired(e); !ok && !e.isInstall {
			delete(s.entries, e.key)
		}
	}
	clear(s.dirty)
	s.dirty = s.dirty[:0]
}

// all returns every desired flow, for a replay.
func (s *flowState) all() []openflow.Flow {
	out := make([]openflow.Flow, 0, len(s.entries))
	for _, e := range s.entries {
		if f, ok := s.desired(e); ok {
			out = append(out, f)
		}
	}
	return out
}

// replayed records that exactly the desired flows are installed.
func (s *flowState) replayed() {
	for k, e := range s.entries {
		f, ok := s.desired(e)
		e.installed, e.isInstall, e.dirty = f, ok, false
		if !ok {
			delete(s.entries, k)
		}
	}
	clear(s.dirty)
	s.dirty = s.dirty[:0]
}

// installedFlows returns what OVS holds according to the state.
func (s *flowState) installedFlows() []openflow.Flow {
	var out []openflow.Flow
	for _, e := range s.entries {
		if e.isInstall {
			out = append(out, e.installed)
		}
	}
	return out
}
