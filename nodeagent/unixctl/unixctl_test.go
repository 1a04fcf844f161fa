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

package unixctl

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/strata-net/strata/nodeagent/ovs/ovstest"
)

// TestCallVSwitchd talks to a real, private ovs-vswitchd.
func TestCallVSwitchd(t *testing.T) {
	ovstest.Require(t)
	inst := ovstest.StartOVS(t)
	if _, err := inst.AddBridge(ovstest.UniqueName("br")); err != nil { // one datapath to revalidate
		t.Fatal(err)
	}
	socket, err := Socket(inst.RunDir(), "ovs-vswitchd")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		method  string
		want    string // in the answer
		wantErr string // in the error
	}{
		{name: "version", method: "version", want: "ovs-vswitchd"},
		{name: "wait for the datapath flows to be revalidated", method: "revalidator/wait"},
		{name: "purge the datapath's cached flows (what the agent does)", method: "revalidator/purge"},
		{name: "an unknown command", method: "no/such/command", wantErr: "is not a valid command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			got, err := Call(ctx, socket, tt.method)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Call(%s) = %q, %v; want an error with %q", tt.method, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || !strings.Contains(got, tt.want) {
				t.Fatalf("Call(%s) = %q, %v; want %q in it", tt.method, got, err, tt.want)
			}
		})
	}
}

func TestSocketMissing(t *testing.T) {
	if _, err := Socket(t.TempDir(), "ovs-vswitchd"); err == nil || !strings.Contains(err.Error(), "ovs-vswitchd") {
		t.Fatalf("Socket in an empty directory: %v, want an error naming the daemon", err)
	}
}
