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

package openflow

import "fmt"

// GroupCommand is the OFPGC_* command.
type GroupCommand uint16

// Group commands.
const (
	GroupAdd    GroupCommand = 0
	GroupModify GroupCommand = 1
	GroupDelete GroupCommand = 2
)

// GroupType is the OFPGT_* group type.
type GroupType uint8

// Group types.
const (
	GroupTypeAll      GroupType = 0
	GroupTypeSelect   GroupType = 1
	GroupTypeIndirect GroupType = 2
	GroupTypeFF       GroupType = 3
)

// GroupAll is OFPG_ALL (delete every group).
const GroupAll uint32 = 0xfffffffc

// bucketAll is OFPG15_BUCKET_ALL.
const bucketAll uint32 = 0xffffffff

// Bucket is one OpenFlow 1.5 group bucket. Weight is sent (as the
// OFPGBPT_WEIGHT property) only for select groups.
type Bucket struct {
	ID      uint32
	Weight  uint16
	Actions []Action
}

// GroupMod is OFPT_GROUP_MOD (OpenFlow 1.5 layout).
type GroupMod struct {
	Command GroupCommand
	Type    GroupType
	GroupID uint32
	Buckets []Bucket
	// Selection is a select group's selection method (group_selection.go);
	// nil: OVS's default (dp_hash).
	Selection *GroupSelection
}

// DeleteAllGroups returns the GROUP_MOD that removes every group.
func DeleteAllGroups() GroupMod { return GroupMod{Command: GroupDelete, GroupID: GroupAll} }

// MsgType implements Message.
func (GroupMod) MsgType() MsgType { return TypeGroupMod }

// AppendBody implements Message.
func (g GroupMod) AppendBody(b []byte) []byte {
	b = appendU16(b, uint16(g.Command))
	b = append(b, byte(g.Type), 0)
	b = appendU32(b, g.GroupID)
	lenAt := len(b)
	b = append(b, 0, 0, 0, 0)
	b = appendU32(b, bucketAll)
	start := len(b)
	for _, bk := range g.Buckets {
		b = g.appendBucket(b, bk)
	}
	be.PutUint16(b[lenAt:], uint16(len(b)-start))
	if g.Selection != nil {
		b = g.Selection.appendProp(b)
	}
	return b
}

func (g GroupMod) appendBucket(b []byte, bk Bucket) []byte {
	start := len(b)
	b = append(b, 0, 0, 0, 0)
	b = appendU32(b, bk.ID)
	b = AppendActions(b, bk.Actions...)
	be.PutUint16(b[start+2:], uint16(len(b)-start-8))
	if g.Type == GroupTypeSelect {
		b = append(b, 0, 0, 0, 8)
		b = appendU16(b, bk.Weight)
		b = append(b, 0, 0)
	}
	be.PutUint16(b[start:], uint16(len(b)-start))
	return b
}

func decodeGroupMod(body []byte) (GroupMod, error) {
	if len(body) < 16 {
		return GroupMod{}, fmt.Errorf("group_mod: %w", ErrShort)
	}
	g := GroupMod{Command: GroupCommand(be.Uint16(body)), Type: GroupType(body[2]), GroupID: be.Uint32(body[4:])}
	n := int(be.Uint16(body[8:]))
	if 16+n > len(body) {
		return GroupMod{}, fmt.Errorf("group_mod buckets: %w", ErrShort)
	}
	bs := body[16 : 16+n]
	for len(bs) > 0 {
		bk, l, err := decodeBucket(bs, g.Type)
		if err != nil {
			return GroupMod{}, err
		}
		g.Buckets = append(g.Buckets, bk)
		bs = bs[l:]
	}
	err := walkProps(body[16+n:], func(typ uint16, v []byte) error {
		s, ok, err := decodeGroupSelection(typ, v)
		if ok {
			g.Selection = &s
		}
		return err
	})
	return g, err
}

// decodeBucket decodes one bucket; the weight property is kept for select
// groups only, mirroring the encoder.
func decodeBucket(b []byte, typ GroupType) (Bucket, int, error) {
	if len(b) < 8 {
		return Bucket{}, 0, fmt.Errorf("bucket: %w", ErrShort)
	}
	l, al := int(be.Uint16(b)), int(be.Uint16(b[2:]))
	if l < 8+al || l > len(b) || l%8 != 0 {
		return Bucket{}, 0, fmt.Errorf("bucket length %d/%d: %w", l, al, ErrShort)
	}
	bk := Bucket{ID: be.Uint32(b[4:])}
	acts, err := DecodeActions(b[8 : 8+al])
	if err != nil {
		return Bucket{}, 0, fmt.Errorf("bucket %d: %w", bk.ID, err)
	}
	bk.Actions = acts
	err = walkProps(b[8+al:l], func(pt uint16, v []byte) error {
		if pt == 0 && len(v) >= 2 && typ == GroupTypeSelect {
			bk.Weight = be.Uint16(v)
		}
		return nil
	})
	return bk, l, err
}
