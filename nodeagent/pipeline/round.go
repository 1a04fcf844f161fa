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
	"context"
	"fmt"
	"slices"
	"strconv"
)

// Cookie layout: round (bits 48..63) | category (bits 40..47) | object id
// (bits 0..31), as Antrea's cookie allocator.
const (
	roundShift     = 48
	categoryShift  = 40
	RoundMask      = uint64(0xffff) << roundShift
	categoryMask   = uint64(0xff) << categoryShift
	categoryBase   = 0
	categoryPod    = 1
	categoryPolicy = 2
	// categoryGateway flows are replayed last, with the Pods' (replayRank).
	categoryGateway = 3
	// categoryService flows are the Service proxy's (proxy.go).
	categoryService = 4
	// categoryAffinity flows are learned in SessionAffinity by OVS, never
	// in the desired state (proxy_affinity.go).
	categoryAffinity = 5
)

// cookie returns the cookie of a flow of the given category and object.
func cookie(round uint16, category uint8, object uint32) uint64 {
	return uint64(round)<<roundShift | uint64(category)<<categoryShift | uint64(object)
}

// RoundCookie is the cookie value matching every flow of a round under
// RoundMask.
func RoundCookie(round uint16) uint64 { return uint64(round) << roundShift }

// roundKey is the bridge external_ids key persisting the last complete round;
// pendingKey the round being installed (recorded before its first flow).
const (
	roundKey   = "roundNum"
	pendingKey = "roundPending"
)

// RoundStore reads and writes bridge external_ids (*ovsdb.Client implements it).
type RoundStore interface {
	BridgeExternalIDs(ctx context.Context, bridge string) (map[string]string, error)
	SetBridgeExternalID(ctx context.Context, bridge, key, value string) error
}

// Round is the round of a starting agent: Prev is the last persisted complete
// round (0 when none), Next the one to install with. Stale is a round an earlier
// run started but never completed (its flows may be on the bridge); it is
// deleted with Prev.
type Round struct {
	Prev, Next uint16
	Stale      uint16
}

// Old are the rounds to delete once Next is complete.
func (r Round) Old() []uint16 {
	var out []uint16
	for _, old := range []uint16{r.Prev, r.Stale} {
		if old != 0 && old != r.Next && !slices.Contains(out, old) {
			out = append(out, old)
		}
	}
	return out
}

// NextRound reads the persisted rounds of the bridge, returns the round a
// (re)starting agent installs its flows with, and records it as pending before
// any of its flows exists. Next is after both the complete and the pending round,
// so a run that died before recording its round complete never has its flows (the
// ones enforcing) replaced by a round of the same number. Round 0 is never used.
func NextRound(ctx context.Context, store RoundStore, bridge string) (Round, error) {
	ids, err := store.BridgeExternalIDs(ctx, bridge)
	if err != nil {
		return Round{}, fmt.Errorf("reading the flow round of bridge %s: %w", bridge, err)
	}
	prev, err := roundOf(ids, bridge, roundKey)
	if err != nil {
		return Round{}, err
	}
	pending, err := roundOf(ids, bridge, pendingKey)
	if err != nil {
		return Round{}, err
	}
	r := Round{Prev: prev}
	if pending != prev {
		r.Stale = pending
	}
	r.Next = after(prev, pending)
	if err := store.SetBridgeExternalID(ctx, bridge, pendingKey, strconv.Itoa(int(r.Next))); err != nil {
		return Round{}, fmt.Errorf("recording the pending flow round of bridge %s: %w", bridge, err)
	}
	return r, nil
}

// after is the round after a and b (wrapping, never 0): the one after the later
// of the two, counting a wrap from 65535 to 1 as later.
func after(a, b uint16) uint16 {
	later := a
	if b != 0 && (a == 0 || int16(b-a) > 0) {
		later = b
	}
	next := later + 1
	if next == 0 {
		next = 1
	}
	return next
}

func roundOf(ids map[string]string, bridge, key string) (uint16, error) {
	s, ok := ids[key]
	if !ok {
		return 0, nil
	}
	v, err := strconv.ParseUint(s, 10, 16)
	if err != nil {
		return 0, fmt.Errorf("bridge %s has an invalid %s %q: %w", bridge, key, s, err)
	}
	return uint16(v), nil
}

// SaveRound persists round as the bridge's last complete round; call it
// after the older rounds' flows are deleted.
func SaveRound(ctx context.Context, store RoundStore, bridge string, round uint16) error {
	if err := store.SetBridgeExternalID(ctx, bridge, roundKey, strconv.Itoa(int(round))); err != nil {
		return fmt.Errorf("saving the flow round of bridge %s: %w", bridge, err)
	}
	return nil
}
