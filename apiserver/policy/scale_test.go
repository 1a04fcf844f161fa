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
	"testing"

	"github.com/strata-net/strata/test/bench/scenarios"
)

// TestScenariosSmall runs every scale scenario at a small size and checks what is
// published, so the benchmark measures a correct computation.
func TestScenariosSmall(t *testing.T) {
	cases := []struct {
		sc               scenarios.Scenario
		policies, groups int
		members          int // AppliedToGroup plus AddressGroup members; 0: not checked
	}{
		// 10 namespaces × 3 policies; per namespace 3 AppliedToGroups + 2 AddressGroups.
		// Per namespace 4 + 2 + 2 AppliedToGroup and 2 + 2 AddressGroup members.
		{sc: scenarios.S1(10), policies: 30, groups: 50, members: 120},
		// The same at 100 namespaces: more dirty groups than parallelMin, so their
		// members are computed by several goroutines.
		{sc: scenarios.S1(100), policies: 300, groups: 500, members: 1200},
		// 10 namespaces × 3 ClusterNetworkPolicies; the same groups.
		{sc: scenarios.S6(10), policies: 30, groups: 50, members: 120},
		// 100 ClusterGroups as AppliedToGroups and as AddressGroups, one env=dev
		// AddressGroup and 100 distinct (app, company) AddressGroups.
		{sc: scenarios.S7(100), policies: 100, groups: 301},
	}
	for _, tc := range cases {
		t.Run(tc.sc.Name, func(t *testing.T) {
			c, _, sink := startController(t, tc.sc.Kube, tc.sc.CRD)
			waitIdle(t, c)
			if len(sink.policies) != tc.policies || len(sink.address)+len(sink.applied) != tc.groups {
				t.Fatalf("published %d policies and %d groups, want %d and %d",
					len(sink.policies), len(sink.address)+len(sink.applied), tc.policies, tc.groups)
			}
			if got := publishedMembers(sink); tc.members != 0 && got != tc.members {
				t.Fatalf("published %d members, want %d", got, tc.members)
			}
			for name, span := range sink.spans {
				if span.Len() == 0 {
					t.Fatalf("policy %s has an empty span", name)
				}
			}
		})
	}
}

func publishedMembers(sink *fakeSink) int {
	sink.mu.Lock()
	defer sink.mu.Unlock()
	n := 0
	for _, g := range sink.address {
		n += len(g.Members)
	}
	for _, g := range sink.applied {
		for _, members := range g.MembersByNode {
			n += len(members)
		}
	}
	return n
}
