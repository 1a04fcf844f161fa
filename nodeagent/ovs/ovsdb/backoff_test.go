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

package ovsdb

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestBackoff(t *testing.T) {
	const lo, hi = 100 * time.Millisecond, 5 * time.Second
	tests := []struct {
		name string
		rand float64
		want []time.Duration
	}{
		{
			name: "lowest jitter: the upper half of each step, never below min",
			rand: 0,
			want: []time.Duration{lo, lo, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond,
				1600 * time.Millisecond, 2*time.Second + 500*time.Millisecond, hi / 2, hi / 2},
		},
		{
			name: "highest jitter: the full step, capped at max",
			rand: 1,
			want: []time.Duration{lo, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond,
				1600 * time.Millisecond, 3200 * time.Millisecond, hi, hi},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newBackoff(lo, hi)
			b.rand = func() float64 { return tc.rand }
			var got []time.Duration
			for range tc.want {
				got = append(got, b.next())
			}
			assert.Equal(t, tc.want, got)
			b.reset()
			assert.Equal(t, tc.want[0], b.next(), "reset starts over")
		})
	}
}

func TestBackoffBounds(t *testing.T) {
	b := newBackoff(100*time.Millisecond, 5*time.Second)
	for i := 0; i < 1000; i++ {
		d := b.next()
		if d < 100*time.Millisecond || d > 5*time.Second {
			t.Fatalf("delay %d: %v outside [100ms, 5s]", i, d)
		}
	}
}
