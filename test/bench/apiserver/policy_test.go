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

package apiserver

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/strata-net/strata/apis/crd"
	"github.com/strata-net/strata/apis/crd/validation"
	"github.com/strata-net/strata/apis/scheme"
)

// TestPolicyIsValid checks that generated policies pass the server's validation, as
// the server runs it (defaults, conversion to the internal version, then
// validation), so that the benchmarks never measure refusals. The seeds cover every
// rotation of Tier, action and ingress/egress mix.
func TestPolicyIsValid(t *testing.T) {
	for seed := range 600 {
		p := Policy(fmt.Sprintf("bench-%05d", seed), seed)
		scheme.Scheme.Default(p)
		var internal crd.ClusterNetworkPolicy
		if err := scheme.Scheme.Convert(p, &internal, nil); err != nil {
			t.Fatalf("seed %d: converting to the internal version: %v", seed, err)
		}
		if errs := validation.ValidateClusterNetworkPolicy(&internal); len(errs) > 0 {
			t.Fatalf("seed %d: invalid policy: %v", seed, errs.ToAggregate())
		}
		if !crd.IsSystemTier(internal.Spec.Tier) {
			t.Fatalf("seed %d: tier %q is not a system Tier", seed, internal.Spec.Tier)
		}
	}
}

// TestPolicyShape checks the size the benchmarks claim: 5 rules of 3 peers each.
func TestPolicyShape(t *testing.T) {
	p := Policy("bench-00000", 0)
	rules := append(p.Spec.Ingress, p.Spec.Egress...)
	if len(rules) != RulesPerPolicy {
		t.Fatalf("got %d rules, want %d", len(rules), RulesPerPolicy)
	}
	for i, r := range rules {
		if n := len(r.From) + len(r.To); n != PeersPerRule {
			t.Errorf("rule %d: got %d peers, want %d", i, n, PeersPerRule)
		}
	}
	data, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("one generated policy is %d bytes of JSON (client side, before server defaults)", len(data))
}
