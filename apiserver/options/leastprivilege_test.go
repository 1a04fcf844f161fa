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

package options

import (
	"strings"
	"testing"
)

// TestLeastPrivilegeFlags: the agent ServiceAccounts and the flow bounds are
// validated, each error naming its flag.
func TestLeastPrivilegeFlags(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"defaults", nil, ""},
		{"other agent ServiceAccounts", []string{"--agent-service-accounts=strata/agent,kube-system/strata-agent"}, ""},
		{"ServiceAccount without namespace", []string{"--agent-service-accounts=strata-agent"}, "--agent-service-accounts"},
		{"flow bounds", []string{"--policy-flow-warning=100", "--policy-flow-limit=1000"}, ""},
		{"warning above the limit", []string{"--policy-flow-warning=2000", "--policy-flow-limit=1000"}, "--policy-flow-warning, --policy-flow-limit"},
		{"zero limit", []string{"--policy-flow-limit=0"}, "--policy-flow-limit"},
		{"embedded etcd on loopback", []string{"--embedded-etcd-listen=127.0.0.1:2379"}, ""},
		{"embedded etcd on every address", []string{"--embedded-etcd-listen=0.0.0.0:2379"}, "--embedded-etcd-listen"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := NewOptions()
			fss := o.Flags()
			fs := fss.FlagSet("strata")
			if err := fs.Parse(tc.args); err != nil {
				t.Fatalf("parsing %v: %v", tc.args, err)
			}
			o.DataDir = t.TempDir()
			err := o.Validate()
			if tc.wantErr == "" {
				if err != nil && (strings.Contains(err.Error(), "--agent-service-accounts") || strings.Contains(err.Error(), "--policy-flow") ||
					strings.Contains(err.Error(), "--embedded-etcd-listen")) {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Validate = %v, want an error naming %s", err, tc.wantErr)
			}
		})
	}
}
