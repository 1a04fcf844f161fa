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
	"bytes"
	"context"
	"fmt"
	"slices"

	"github.com/strata-net/strata/nodeagent/ovs/openflow"
)

// groupAddOrModify is Open vSwitch's OFPGC_ADD_OR_MOD extension: add the
// group, or replace it when it exists (`ovs-ofctl mod-group --may-create`).
const groupAddOrModify openflow.GroupCommand = 0x8000

// groupState is the pipeline's desired set of dynamic groups (the Service
// proxy's select groups), what was last installed, and the ids that may
// differ. The static groups of baseGroups are not in it.
type groupState struct {
	desired   map[uint32]openflow.GroupMod
	installed map[uint32][]byte // the encoded body, command zeroed
	dirty     map[uint32]bool
}

func newGroupState() *groupState {
	return &groupState{desired: map[uint32]openflow.GroupMod{}, installed: map[uint32][]byte{}, dirty: map[uint32]bool{}}
}

// set makes g desired (undoable through p's log).
func (s *groupState) set(p *Pipeline, g openflow.GroupMod) {
	g.Command = 0
	setUndoable(p, s.desired, g.GroupID, g)
	s.dirty[g.GroupID] = true
}

// remove makes the group with id undesired.
func (s *groupState) remove(p *Pipeline, id uint32) {
	deleteUndoable(p, s.desired, id)
	s.dirty[id] = true
}

// groupChange is one group mod of a diff, recorded once it is applied.
type groupChange struct {
	id   uint32
	body []byte // nil: deleted
}

// diff returns the group mods that take OVS from the installed groups to
// the desired ones: additions and modifications (before the flows that use
// them) and deletions (after the flows that used them are gone).
func (s *groupState) diff() (upserts, deletes []openflow.GroupMod, changes []groupChange) {
	ids := make([]uint32, 0, len(s.dirty))
	for id := range s.dirty {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		want, ok := s.desired[id]
		have, installed := s.installed[id]
		switch {
		case !ok && installed:
			deletes = append(deletes, openflow.GroupMod{Command: openflow.GroupDelete, GroupID: id})
			changes = append(changes, groupChange{id: id})
		case ok:
			body := want.AppendBody(nil)
			if installed && bytes.Equal(body, have) {
				continue
			}
			want.Command = groupAddOrModify
			upserts = append(upserts, want)
			changes = append(changes, groupChange{id: id, body: body})
		}
	}
	return upserts, deletes, changes
}

// applied records that the changes of a diff are in OVS.
func (s *groupState) applied(changes []groupChange) {
	for _, c := range changes {
		if c.body == nil {
			delete(s.installed, c.id)
		} else {
			s.installed[c.id] = c.body
		}
	}
	clear(s.dirty)
}

// all returns every desired group as an add-or-modify, for a replay.
func (s *groupState) all() []openflow.GroupMod {
	out := make([]openflow.GroupMod, 0, len(s.desired))
	for _, g := range s.desired {
		g.Command = groupAddOrModify
		out = append(out, g)
	}
	slices.SortFunc(out, func(a, b openflow.GroupMod) int { return int(a.GroupID) - int(b.GroupID) })
	return out
}

// replayed records that exactly the desired groups are installed.
func (s *groupState) replayed() {
	clear(s.installed)
	for id, g := range s.desired {
		s.installed[id] = g.AppendBody(nil)
	}
	clear(s.dirty)
}

// bundle installs group upserts, flow mods and group deletions, in that
// order, in one atomic bundle.
func bundle(ctx context.Context, conn *openflow.Conn, upserts []openflow.GroupMod, mods []openflow.FlowMod,
	deletes []openflow.GroupMod) error {
	if len(upserts)+len(deletes) == 0 {
		return conn.BundleFlowMods(ctx, mods)
	}
	b, err := conn.OpenBundle(ctx, openflow.BundleOptions{})
	if err != nil {
		return err
	}
	msgs := make([]openflow.Message, 0, len(upserts)+len(mods)+len(deletes))
	for _, g := range upserts {
		msgs = append(msgs, g)
	}
	for _, m := range mods {
		msgs = append(msgs, m)
	}
	for _, g := range deletes {
		msgs = append(msgs, g)
	}
	if err := b.Add(ctx, msgs...); err != nil {
		_ = b.Discard(ctx)
		return fmt.Errorf("adding %d group and %d flow changes to a bundle: %w", len(upserts)+len(deletes), len(mods), err)
	}
	return b.Commit(ctx)
}
