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

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPortRangeMasks(t *testing.T) {
	tests := []struct {
		name   string
		lo, hi uint16
		want   []PortMask
	}{
		{name: "single", lo: 80, hi: 80, want: []PortMask{{80, 0xffff}}},
		{name: "aligned pair", lo: 8080, hi: 8081, want: []PortMask{{8080, 0xfffe}}},
		{name: "1000-1999", lo: 1000, hi: 1999, want: []PortMask{{1000, 0xfff8}, {1008, 0xfff0}, {1024, 0xfe00}, {1536, 0xff00}, {1792, 0xff80}, {1920, 0xffc0}, {1984, 0xfff0}}},
		{name: "everything", lo: 0, hi: 65535, want: []PortMask{{0, 0}}},
		{name: "top", lo: 65535, hi: 65535, want: []PortMask{{65535, 0xffff}}},
		{name: "upper half", lo: 32768, hi: 65535, want: []PortMask{{32768, 0x8000}}},
		{name: "empty", lo: 10, hi: 9, want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := PortRangeMasks(tc.lo, tc.hi)
			assert.Equal(t, tc.want, got)
			assertCovers(t, got, tc.lo, tc.hi)
		})
	}
}

// assertCovers checks that exactly the ports in [lo,hi] match some pair.
func assertCovers(t *testing.T, masks []PortMask, lo, hi uint16) {
	t.Helper()
	for p := 0; p <= 0xffff; p++ {
		matched := 0
		for _, m := range masks {
			if uint16(p)&m.Mask == m.Value {
				matched++
			}
		}
		in := p >= int(lo) && p <= int(hi)
		if (in && matched != 1) || (!in && matched != 0) {
			t.Fatalf("port %d matched %d masks (in range: %v)", p, matched, in)
		}
	}
}

func TestPortRangeMasksExhaustiveSample(t *testing.T) {
	for _, r := range [][2]uint16{{1, 65534}, {7, 9}, {1023, 1025}, {5000, 5100}, {0, 1}, {65000, 65535}} {
		assertCovers(t, PortRangeMasks(r[0], r[1]), r[0], r[1])
	}
}
