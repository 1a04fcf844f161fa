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
)

// cookie returns the cookie of a flow of the given category and object.
func cookie(round uint16, category uint8, object uint32) uint64 {
	return uint64(round)<<roundShift | uint64(category)<<categoryShift | uint64(object)
}

// RoundCookie is the cookie value matching every flow of a round under
// RoundMask.
func RoundCookie(round uint16) uint64 { return uint64(round) << roundShift }

// roundKey is the bridge external_ids key persisting the last complete round.
const roundKey = "roundNum"

// RoundStore reads and writes bridge external_ids (*ovsdb.Client implements it).
type RoundStore interface {
	BridgeExternalIDs(ctx context.Context, bridge string) (map[string]string, error)
	SetBridgeExternalID(ctx context.Context, bridge, key, value string) error
}

// Round is the round of a starting agent: Prev is the last persisted round
// (0 when none), Next the one to install with.
type Round struct {
	Prev, Next uint16
}

// NextRound reads the persisted round of the bridge and returns the round a
// (re)starting agent installs its flows with. Round 0 is never used, so a
// missing key is Prev 0 and Next 1.
func NextRound(ctx context.Context, store RoundStore, bridge string) (Round, error) {
	ids, err := store.BridgeExternalIDs(ctx, bridge)
	if err != nil {
		return Round{}, fmt.Errorf("reading the flow round of bridge %s: %w", bridge, err)
	}
	var prev uint16
	if s, ok := ids[roundKey]; ok {
		v, err := strconv.ParseUint(s, 10, 16)
		if err != nil {
			return Round{}, fmt.Errorf("bridge %s has an invalid %s %q: %w", bridge, roundKey, s, err)
		}
		prev = uint16(v)
	}
	next := prev + 1
	if next == 0 {
		next = 1
	}
	return Round{Prev: prev, Next: next}, nil
}

// SaveRound persists round as the bridge's last complete round; call it
// after the previous round's flows are deleted.
func SaveRound(ctx context.Context, store RoundStore, bridge string, round uint16) error {
	if err := store.SetBridgeExternalID(ctx, bridge, roundKey, strconv.Itoa(int(round))); err != nil {
		return fmt.Errorf("saving the flow round of bridge %s: %w", bridge, err)
	}
	return nil
}
