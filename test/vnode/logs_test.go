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

package vnode

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

func TestTailOffset(t *testing.T) {
	tests := []struct {
		name    string
		content string
		n       int
		want    string
	}{
		{name: "last line", content: "a\nb\nc\n", n: 1, want: "c\n"},
		{name: "last two", content: "a\nb\nc\n", n: 2, want: "b\nc\n"},
		{name: "more than there are", content: "a\nb\n", n: 5, want: "a\nb\n"},
		{name: "no final newline", content: "a\nb\nc", n: 1, want: "c"},
		{name: "empty", content: "", n: 3, want: ""},
		{name: "long file", content: strings.Repeat("0123456789\n", 10000), n: 2, want: "0123456789\n0123456789\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "0.log")
			if err := os.WriteFile(path, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			off, err := tailOffset(f, tc.n)
			if err != nil {
				t.Fatalf("tailOffset: %v", err)
			}
			if got := tc.content[off:]; got != tc.want {
				t.Errorf("tail %d = %q, want %q", tc.n, got, tc.want)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	b := backoff{initial: 10 * time.Second, max: 40 * time.Second}
	var got []time.Duration
	for range 6 {
		got = append(got, b.next(time.Second))
	}
	want := []time.Duration{0, 10 * time.Second, 20 * time.Second, 40 * time.Second, 40 * time.Second, 40 * time.Second}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("back-offs %v, want %v", got, want)
		}
	}
	if d := b.next(2 * b.max); d != 0 {
		t.Errorf("after a long run the back-off is %s, want it reset to 0", d)
	}
}

func TestShouldRestart(t *testing.T) {
	tests := []struct {
		policy corev1.RestartPolicy
		isInit bool
		code   int
		want   bool
	}{
		{corev1.RestartPolicyAlways, false, 0, true},
		{corev1.RestartPolicyAlways, false, 1, true},
		{corev1.RestartPolicyOnFailure, false, 0, false},
		{corev1.RestartPolicyOnFailure, false, 1, true},
		{corev1.RestartPolicyNever, false, 1, false},
		{corev1.RestartPolicyAlways, true, 0, false},
		{corev1.RestartPolicyAlways, true, 1, true},
		{corev1.RestartPolicyNever, true, 1, false},
	}
	for _, tc := range tests {
		if got := shouldRestart(tc.policy, tc.isInit, tc.code); got != tc.want {
			t.Errorf("shouldRestart(%s, init=%v, exit %d) = %v, want %v", tc.policy, tc.isInit, tc.code, got, tc.want)
		}
	}
}
