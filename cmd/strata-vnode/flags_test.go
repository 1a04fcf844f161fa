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

package main

import (
	"context"
	"io"
	"strings"
	"testing"
)

func TestCommandValidatesFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{name: "node flags", args: []string{"--node-ip", "node-1", "--kubelet-port", "-1", "--state-dir", "relative"},
			want: []string{"--node-name: required", "--kubeconfig: required", `--node-ip: "node-1"`, "--kubelet-port: -1", `--state-dir: "relative" is not an absolute path`}},
		{name: "respond", args: []string{"respond", "--tcp", "70000"}, want: []string{"--name: required", "--tcp: 70000 is not a port"}},
		{name: "cleanup", args: []string{"cleanup"}, want: []string{"--state-dir: required"}},
		{name: "stray argument", args: []string{"respond", "--name", "a", "extra"}, want: []string{`unexpected arguments ["extra"]`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("NODE_NAME", "")
			cmd := newCommand()
			cmd.SetArgs(tc.args)
			cmd.SetOut(io.Discard)
			cmd.SetErr(io.Discard)
			err := cmd.ExecuteContext(context.Background())
			if err == nil {
				t.Fatalf("%v: no error", tc.args)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}
