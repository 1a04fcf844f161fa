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

package ovstest

import (
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCheckTools(t *testing.T) {
	tests := []struct {
		name    string
		path    string
		wantErr string
	}{
		{name: "no binaries on PATH", path: t.TempDir(), wantErr: `binary "ovsdb-tool"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("PATH", tc.path)
			assert.ErrorContains(t, checkTools(), tc.wantErr)
		})
	}
}

func TestOwnerDead(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{name: "foreign name", in: "cni-1234", want: false},
		{name: "own process", in: dirPrefix + strconv.Itoa(os.Getpid()) + "-abc", want: false},
		{name: "live process (pid 1)", in: dirPrefix + "1-abc", want: false},
		{name: "dead process", in: dirPrefix + "2147483646-abc", want: true},
		{name: "unparsable pid", in: dirPrefix + "x-abc", want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, ownerDead(tc.in))
		})
	}
}
