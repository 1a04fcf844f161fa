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

package stratactl

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/strata-net/strata/generated/clientset/versioned"
)

// TestExplainBadInput: bad arguments and flags are refused, naming them,
// before anything is sent.
func TestExplainBadInput(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{name: "one argument", args: []string{"explain", "ns/a"}, want: "want 2 arguments"},
		{name: "source without a name", args: []string{"explain", "ns/", "ns/b"}, want: `SRC "ns/"`},
		{name: "destination not a Pod nor an IP", args: []string{"explain", "ns/a", "10.0.0"}, want: `DST "10.0.0"`},
		{name: "unknown protocol", args: []string{"explain", "ns/a", "ns/b", "--protocol", "ICMP"}, want: `--protocol "ICMP"`},
		{name: "port too large", args: []string{"explain", "ns/a", "ns/b", "--port", "70000"}, want: "--port 70000"},
		{name: "unknown output", args: []string{"explain", "ns/a", "ns/b", "-o", "wide"}, want: `--output "wide"`},
		{name: "trace without a port", args: []string{"trace", "ns/a", "ns/b"}, want: "--port 0: required"},
		{name: "trace with a bad agent address", args: []string{"trace", "ns/a", "ns/b", "--port", "80", "--agent-address", "w1"},
			want: `--agent-address "w1"`},
		{name: "trace with a bad agent port", args: []string{"trace", "ns/a", "ns/b", "--port", "80", "--agent-port", "0"},
			want: "--agent-port 0"},
		{name: "trace source not a Pod", args: []string{"trace", "a", "ns/b", "--port", "80"}, want: `SRC "a"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			called := false
			cmd := NewCommand(func() (versioned.Interface, string, error) {
				called = true
				return nil, "", errors.New("no server in this test")
			}, nil)
			cmd.SetArgs(tc.args)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			err := cmd.Execute()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one naming %s", err, tc.want)
			}
			if called {
				t.Fatal("the server was asked despite the bad input")
			}
		})
	}
}
