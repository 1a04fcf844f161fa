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

package policy

import (
	"strings"
	"testing"
	"time"
)

// TestResyncBackoff: the default re-watch back-off doubles from 500ms up to 30s,
// and each wait is lengthened by up to half of itself, by the random draw.
func TestResyncBackoff(t *testing.T) {
	cfg := Config{}
	cfg.Defaults()
	b := cfg.ResyncBackoff
	if b.Initial != 500*time.Millisecond || b.Max != 30*time.Second || b.Jitter != DefaultResyncJitter {
		t.Fatalf("default ResyncBackoff %+v, want 500ms to 30s with jitter %v", b, DefaultResyncJitter)
	}
	var delays []time.Duration
	for d, i := b.Initial, 0; i < 9; i, d = i+1, b.next(d) {
		delays = append(delays, d)
	}
	want := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second,
		16 * time.Second, 30 * time.Second, 30 * time.Second, 30 * time.Second}
	for i := range want {
		if delays[i] != want[i] {
			t.Fatalf("delays %v, want %v", delays, want)
		}
	}
	for _, tc := range []struct {
		name   string
		delay  time.Duration
		random float64
		want   time.Duration
	}{
		{"no extra at draw 0", 4 * time.Second, 0, 4 * time.Second},
		{"a quarter more at draw 0.5", 4 * time.Second, 0.5, 5 * time.Second},
		{"almost half more at draw 0.99", 4 * time.Second, 0.99, 5980 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := b.wait(tc.delay, tc.random); got != tc.want {
				t.Fatalf("wait(%v, %v) = %v, want %v", tc.delay, tc.random, got, tc.want)
			}
		})
	}
	if got := (Backoff{Initial: time.Second, Max: time.Second}).wait(time.Second, 0.9); got != time.Second {
		t.Fatalf("without jitter the wait is %v, want 1s", got)
	}
}

func TestBackoffJitterValidated(t *testing.T) {
	for _, tc := range []struct {
		name   string
		jitter float64
		ok     bool
	}{
		{"none", 0, true}, {"half", 0.5, true}, {"double", 1, true}, {"negative", -0.1, false}, {"above one", 1.5, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Backoff{Initial: time.Second, Max: time.Minute, Jitter: tc.jitter}.validate("ResyncBackoff")
			if (err == nil) != tc.ok || (err != nil && !strings.Contains(err.Error(), "ResyncBackoff.Jitter")) {
				t.Fatalf("validate: %v, want ok %v", err, tc.ok)
			}
		})
	}
}
