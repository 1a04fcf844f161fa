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
	"strings"
	"testing"

	cpv1beta2 "github.com/strata-net/strata/apis/controlplane/v1beta2"
)

// TestPrintEvaluationDependsOnDNS: a verdict that depends on the agent's DNS
// cache is printed as not certain, with the side's note and the step's
// DependsOnDNS outcome; a certain one prints neither.
func TestPrintEvaluationDependsOnDNS(t *testing.T) {
	step := cpv1beta2.EvaluationStep{NetworkPolicy: cpv1beta2.NetworkPolicyReference{Type: cpv1beta2.AntreaClusterNetworkPolicy, Name: "fqdn"},
		RuleName: "drop-example", Action: "Drop", Stage: "Tiered", Outcome: "DependsOnDNS"}
	tests := []struct {
		name    string
		depends bool
	}{
		{name: "depends on DNS", depends: true},
		{name: "certain", depends: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &cpv1beta2.NetworkPolicyEvaluationResponse{Verdict: "Allow", DependsOnDNS: tc.depends,
				Egress: cpv1beta2.EvaluationSide{Verdict: "Allow", DecidedBy: "Default", DependsOnDNS: tc.depends,
					Steps: []cpv1beta2.EvaluationStep{step}}}
			var out bytes.Buffer
			if err := printEvaluation(&out, r); err != nil {
				t.Fatal(err)
			}
			s := out.String()
			if got := strings.Contains(s, "Not certain:"); got != tc.depends {
				t.Errorf("prints %q: 'Not certain' shown %v, want %v", s, got, tc.depends)
			}
			if got := strings.Contains(s, "depends on the agent's DNS cache"); got != tc.depends {
				t.Errorf("prints %q: the side's DNS note shown %v, want %v", s, got, tc.depends)
			}
			if !strings.Contains(s, "DependsOnDNS") {
				t.Errorf("prints %q: want the step's outcome DependsOnDNS", s)
			}
		})
	}
}
