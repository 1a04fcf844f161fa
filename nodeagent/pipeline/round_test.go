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
	"slices"
	"strconv"
	"testing"
)

// mapRounds is a RoundStore over one bridge's external_ids.
type mapRounds map[string]string

func (m mapRounds) BridgeExternalIDs(context.Context, string) (map[string]string, error) {
	return m, nil
}

func (m mapRounds) SetBridgeExternalID(_ context.Context, _, key, value string) error {
	m[key] = value
	return nil
}

// TestNextRound checks the rounds of a starting agent: Next never reuses the
// number of a round whose flows may be on the bridge (complete or pending), and a
// pending round that never completed is deleted with the previous one.
func TestNextRound(t *testing.T) {
	tests := []struct {
		name string
		ids  mapRounds
		want Round
		old  []uint16
	}{
		{"a new bridge", mapRounds{}, Round{Next: 1}, nil},
		{"after a complete round", mapRounds{roundKey: "3", pendingKey: "3"}, Round{Prev: 3, Next: 4}, []uint16{3}},
		{"round 4 never completed (killed before it was saved)", mapRounds{roundKey: "3", pendingKey: "4"},
			Round{Prev: 3, Next: 5, Stale: 4}, []uint16{3, 4}},
		{"a bridge of an older agent (no pending key)", mapRounds{roundKey: "7"}, Round{Prev: 7, Next: 8}, []uint16{7}},
		{"the first round never completed", mapRounds{pendingKey: "1"}, Round{Next: 2, Stale: 1}, []uint16{1}},
		{"wrapping", mapRounds{roundKey: "65535", pendingKey: "65535"}, Round{Prev: 65535, Next: 1}, []uint16{65535}},
		{"pending wrapped past the complete one", mapRounds{roundKey: "65535", pendingKey: "1"},
			Round{Prev: 65535, Next: 2, Stale: 1}, []uint16{65535, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NextRound(context.Background(), tt.ids, "br")
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want || !slices.Equal(got.Old(), tt.old) {
				t.Fatalf("NextRound = %+v (old %v), want %+v (old %v)", got, got.Old(), tt.want, tt.old)
			}
			if rec := tt.ids[pendingKey]; rec != itoa(got.Next) {
				t.Fatalf("pending round recorded %q, want %d, before any flow of it", rec, got.Next)
			}
		})
	}
}

func itoa(v uint16) string { return strconv.Itoa(int(v)) }
