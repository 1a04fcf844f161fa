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

	"k8s.io/apimachinery/pkg/util/sets"
)

func TestLeaderElectionFlags(t *testing.T) {
	for _, tc := range []struct {
		name       string
		args       []string
		standalone bool
		elect      bool   // an elector is configured
		err        string // Validate's error names this; "" for none
	}{
		{name: "on by default", elect: true},
		{name: "off", args: []string{"--leader-elect=false"}},
		{name: "none with --standalone", standalone: true},
		{name: "renew deadline not below the lease duration", elect: true,
			args: []string{"--leader-elect-lease-duration=10s", "--leader-elect-renew-deadline=10s"}, err: "LeaseDuration 10s > RenewDeadline 10s"},
		{name: "lease duration in parts of a second", elect: true,
			args: []string{"--leader-elect-lease-duration=15500ms"}, err: "whole seconds"},
		{name: "no lease name", elect: true, args: []string{"--leader-elect-lease-name="}, err: "Namespace, Name: required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := NewOptions()
			o.Standalone, o.DataDir = tc.standalone, t.TempDir()
			fss := o.Flags()
			fs := fss.FlagSet("strata")
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			cfg := o.leaderElection()
			if (cfg != nil) != tc.elect {
				t.Fatalf("elector configured: %v, want %v", cfg != nil, tc.elect)
			}
			errs := o.validateLeaderElection()
			if tc.err == "" && len(errs) > 0 || tc.err != "" && (len(errs) == 0 || !strings.Contains(errs[0].Error(), tc.err)) {
				t.Fatalf("validation: %v, want an error naming %q", errs, tc.err)
			}
		})
	}
}

func TestReplicaIdentitiesDiffer(t *testing.T) {
	ids := sets.New[string]()
	for i := 0; i < 3; i++ {
		ids.Insert(replicaIdentity())
	}
	if ids.Len() != 3 {
		t.Fatalf("three replicas on one host got %d identities: %v", ids.Len(), sets.List(ids))
	}
}
