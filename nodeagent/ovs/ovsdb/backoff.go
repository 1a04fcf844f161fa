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
	"math/rand/v2"
	"time"
)

// backoff is the delay between reconnection attempts: a step that doubles
// from min up to max, each delay drawn uniformly from the upper half of the
// step (never below min), so clients that lost the server together do not
// come back in lockstep.
type backoff struct {
	min, max time.Duration
	step     time.Duration
	rand     func() float64 // [0, 1); rand.Float64 unless a test sets it
}

func newBackoff(min, max time.Duration) *backoff {
	return &backoff{min: min, max: max, step: min, rand: rand.Float64}
}

// next returns the delay before the next attempt, in [min, max].
func (b *backoff) next() time.Duration {
	half := b.step / 2
	d := max(half+time.Duration(b.rand()*float64(b.step-half)), b.min)
	b.step = min(2*b.step, b.max)
	return min(d, b.max)
}

// reset starts over at min (after a connection that lasted).
func (b *backoff) reset() { b.step = b.min }
