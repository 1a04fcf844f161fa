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

	"github.com/strata-net/strata/nodeagent/openflow"
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
// A failed install leaves the keys dirty, so the next sync retries them.
type flowState struct {
	conjCookie uint64
	owned      map[openflow.FlowKey][]ownedFlow
	conj       map[openflow.FlowKey][]openflow.Conjunction
	drops      map[openflow.FlowKey]*dropFlow
	installed  map[openflow.FlowKey]openflow.Flow
	dirty      map[openflow.FlowKey]struct{}
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
	return &flowState{
		conjCookie: conjCookie,
		owned:      map[openflow.FlowKey][]ownedFlow{},
		conj:       map[openflow.FlowKey][]openflow.Conjunction{},
		drops:      map[openflow.FlowKey]*dropFlow{},
		installed:  map[openflow.FlowKey]openflow.Flow{},
		dirty:      map[openflow.FlowKey]struct{}{},
	}
}

func (s *flowState) touch(k openflow.FlowKey) { s.dirty[k] = struct{}{} }

// addOwned makes f a desired flow of owner.
func (s *flowState) addOwned(owner ownerKey, f openflow.Flow) {
	k := f.Key()
	list := slices.DeleteFunc(s.owned[k], func(o ownedFlow) bool { return o.owner == owner })
	s.owned[k] = append(list, ownedFlow{owner: owner, flow: f})
	s.touch(k)
}

// removeOwned drops owner's flow with key k.
func (s *flowState) removeOwned(owner ownerKey, k openflow.FlowKey) {
	list := slices.DeleteFunc(s.owned[k], func(o ownedFlow) bool { return o.owner == owner })
	if len(list) == 0 {
		delete(s.owned, k)
	} else {
		s.owned[k] = list
	}
	s.touch(k)
}

func compareConj(a, b openflow.Conjunction) int {
	if c := cmp.Compare(a.ID, b.ID); c != 0 {
		return c
	}
	return cmp.Compare(a.Clause, b.Clause)
}

// addConj adds a conjunction action to the shared match flow k.
func (s *flowState) addConj(k openflow.FlowKey, c openflow.Conjunction) {
	list := s.conj[k]
	i, found := slices.BinarySearchFunc(list, c, compareConj)
	if found {
		list[i] = c
	} else {
		s.conj[k] = slices.Insert(list, i, c)
	}
	s.touch(k)
}

// removeConj removes a conjunction action from the shared match flow k.
func (s *flowState) removeConj(k openflow.FlowKey, c openflow.Conjunction) {
	list := s.conj[k]
	if i, found := slices.BinarySearchFunc(list, c, compareConj); found {
		list = slices.Delete(list, i, i+1)
	}
	if len(list) == 0 {
		delete(s.conj, k)
	} else {
		s.conj[k] = list
	}
	s.touch(k)
}

// addDrop references the isolation drop plain (logged while any owner logs).
func (s *flowState) addDrop(owner ownerKey, plain, logged openflow.Flow, logging bool) {
	k := plain.Key()
	d := s.drops[k]
	if d == nil {
		d = &dropFlow{plain: plain, logged: logged, owners: map[ownerKey]bool{}}
		s.drops[k] = d
	}
	if old, ok := d.owners[owner]; ok && old {
		d.logging--
	}
	d.owners[owner] = logging
	if logging {
		d.logging++
	}
	s.touch(k)
}

// removeDrop drops owner's reference on the isolation drop with key k.
func (s *flowState) removeDrop(owner ownerKey, k openflow.FlowKey) {
	d := s.drops[k]
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
		delete(s.drops, k)
	}
	s.touch(k)
}

// desired returns the flow OVS should hold for k.
func (s *flowState) desired(k openflow.FlowKey) (openflow.Flow, bool) {
	if list := s.owned[k]; len(list) > 0 {
		return list[len(list)-1].flow, true
	}
	if conjs := s.conj[k]; len(conjs) > 0 {
		acts := make([]openflow.Action, len(conjs))
		for i, c := range conjs {
			acts[i] = c
		}
		return openflow.Flow{Table: k.Table, Priority: k.Priority, Cookie: s.conjCookie, Match: k.Match,
			Instructions: openflow.Apply(acts...)}, true
	}
	if d := s.drops[k]; d != nil {
		if d.logging > 0 {
			return d.logged, true
		}
		return d.plain, true
	}
	return openflow.Flow{}, false
}

// change is one pending flow change: Flow is the new flow (zero to delete).
type change struct {
	key    openflow.FlowKey
	flow   openflow.Flow
	delete bool
}

// diff returns the flow mods that take OVS from the installed flows to the
// desired ones for every dirty key (deletes first, then modifications, then
// additions) and the changes to record once they are applied.
func (s *flowState) diff() ([]openflow.FlowMod, []change) {
	var dels, mods, adds []openflow.FlowMod
	changes := make([]change, 0, len(s.dirty))
	for k := range s.dirty {
		want, ok := s.desired(k)
		have, installed := s.installed[k]
		switch {
		case !ok && installed:
			dels = append(dels, openflow.DeleteFlowStrict(k))
			changes = append(changes, change{key: k, delete: true})
		case ok && !installed:
			adds = append(adds, openflow.AddFlow(want))
			changes = append(changes, change{key: k, flow: want})
		case ok && want != have:
			mods = append(mods, openflow.ModifyFlowStrict(want))
			changes = append(changes, change{key: k, flow: want})
		}
	}
	return append(append(dels, mods...), adds...), changes
}

// applied records that the changes of a diff are in OVS.
func (s *flowState) applied(changes []change) {
	for _, c := range changes {
		if c.delete {
			delete(s.installed, c.key)
		} else {
			s.installed[c.key] = c.flow
		}
	}
	clear(s.dirty)
}

// all returns every desired flow, for a replay.
func (s *flowState) all() []openflow.Flow {
	out := make([]openflow.Flow, 0, len(s.owned)+len(s.conj)+len(s.drops))
	for k := range s.owned {
		f, _ := s.desired(k)
		out = append(out, f)
	}
	for k := range s.conj {
		if _, owned := s.owned[k]; !owned {
			f, _ := s.desired(k)
			out = append(out, f)
		}
	}
	for k := range s.drops {
		_, owned := s.owned[k]
		_, shared := s.conj[k]
		if !owned && !shared {
			f, _ := s.desired(k)
			out = append(out, f)
		}
	}
	return out
}

// replayed records that exactly the desired flows are installed.
func (s *flowState) replayed(flows []openflow.Flow) {
	clear(s.installed)
	for _, f := range flows {
		s.installed[f.Key()] = f
	}
	clear(s.dirty)
}
