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

package validation

import (
	"fmt"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/strata-net/strata/apis/crd"
)

func rules(n int, r crd.Rule) []crd.Rule {
	out := make([]crd.Rule, n)
	for i := range out {
		out[i] = *r.DeepCopy()
		out[i].Name = fmt.Sprintf("r%d", i)
	}
	return out
}

func peers(n int) []crd.NetworkPolicyPeer {
	out := make([]crd.NetworkPolicyPeer, n)
	for i := range out {
		out[i] = crd.NetworkPolicyPeer{IPBlock: &crd.IPBlock{CIDR: fmt.Sprintf("10.%d.0.0/16", i)}}
	}
	return out
}

func ports(n int) []crd.NetworkPolicyPort {
	out := make([]crd.NetworkPolicyPort, n)
	for i := range out {
		out[i] = crd.NetworkPolicyPort{Protocol: proto(crd.ProtocolTCP), Port: port(1000 + i)}
	}
	return out
}

func excepts(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("10.0.%d.0/24", i)
	}
	return out
}

func TestListLimits(t *testing.T) {
	tooManyErr := func(path string, n int) []wantErr {
		return []wantErr{{field.ErrorTypeTooMany, path, fmt.Sprintf("%d: must have at most %d items", n, MaxListItems)}}
	}
	cases := []struct {
		name   string
		mutate func(*crd.ClusterNetworkPolicy)
		want   []wantErr
	}{
		{"25 of everything is fine", func(p *crd.ClusterNetworkPolicy) {
			eg0(p).To, eg0(p).Ports = peers(25), ports(25)
			to0(p).IPBlock.Except = excepts(25)
			p.Spec.Ingress = rules(25, *in0(p))
		}, nil},
		{"26 ingress rules", func(p *crd.ClusterNetworkPolicy) { p.Spec.Ingress = rules(26, *in0(p)) }, tooManyErr("spec.ingress", 26)},
		{"26 egress rules", func(p *crd.ClusterNetworkPolicy) { p.Spec.Egress = rules(26, *eg0(p)) }, tooManyErr("spec.egress", 26)},
		{"26 peers", func(p *crd.ClusterNetworkPolicy) { eg0(p).To = peers(26) }, tooManyErr("spec.egress[0].to", 26)},
		{"26 ports", func(p *crd.ClusterNetworkPolicy) { eg0(p).Ports = ports(26) }, tooManyErr("spec.egress[0].ports", 26)},
		{"26 excepts", func(p *crd.ClusterNetworkPolicy) { to0(p).IPBlock.Except = excepts(26) },
			[]wantErr{{field.ErrorTypeTooMany, "spec.egress[0].to[0].ipBlock.except", "every except splits the CIDR"}}},
		{"26 spec appliedTo", func(p *crd.ClusterNetworkPolicy) {
			for len(p.Spec.AppliedTo) < 26 {
				p.Spec.AppliedTo = append(p.Spec.AppliedTo, crd.AppliedTo{PodSelector: sel("app", fmt.Sprint(len(p.Spec.AppliedTo)))})
			}
		}, tooManyErr("spec.appliedTo", 26)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assertErrors(t, ValidateClusterNetworkPolicy(validACNP(tc.mutate)), tc.want)
		})
	}
}

func TestGroupIPBlocksLimit(t *testing.T) {
	g := &crd.ClusterGroup{}
	g.Name = "many"
	for i := 0; i < 26; i++ {
		g.Spec.IPBlocks = append(g.Spec.IPBlocks, crd.IPBlock{CIDR: fmt.Sprintf("10.%d.0.0/16", i)})
	}
	errs := ValidateClusterGroup(g)
	if len(errs) != 1 || errs[0].Type != field.ErrorTypeTooMany || errs[0].Field != "spec.ipBlocks" {
		t.Fatalf("26 ipBlocks: got %v, want one TooMany at spec.ipBlocks", errs)
	}
}

func TestEstimateFlows(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*crd.ClusterNetworkPolicy)
		want   int
	}{
		// ingress: 1 peer + 1 appliedTo + 1 port term (any) + 1 action; egress: the same.
		{"the seed-like policy", nil, 8},
		{"a port range is its masks", func(p *crd.ClusterNetworkPolicy) {
			eg0(p).Ports[0].Port, eg0(p).Ports[0].EndPort = port(1000), i32(1999)
		}, 4 + 1 + 1 + 7 + 1}, // 1000-1007, -1023, -1535, -1791, -1919, -1983, -1999
		{"excepts split the CIDR", func(p *crd.ClusterNetworkPolicy) {
			to0(p).IPBlock = &crd.IPBlock{CIDR: "10.0.0.0/8", Except: []string{"10.1.0.0/16", "10.2.3.0/24"}}
		}, 4 + (8 + 16) + 1 + 1 + 1},
		{"rule appliedTo replaces the spec's", func(p *crd.ClusterNetworkPolicy) {
			p.Spec.AppliedTo = nil
			in0(p).AppliedTo = []crd.AppliedTo{{PodSelector: sel("a", "1")}, {PodSelector: sel("a", "2")}}
			eg0(p).AppliedTo = []crd.AppliedTo{{PodSelector: sel("a", "1")}}
		}, 5 + 4},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := EstimateClusterNetworkPolicyFlows(&validACNP(tc.mutate).Spec); got != tc.want {
				t.Fatalf("estimate = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestRangeMasks(t *testing.T) {
	for _, tc := range []struct{ start, end, want int32 }{
		{80, 80, 1}, {0, 65535, 1}, {1024, 2047, 1}, {1, 65535, 16}, {1000, 1999, 7}, {5, 4, 1},
	} {
		if got := rangeMasks(tc.start, tc.end); got != int(tc.want) {
			t.Errorf("rangeMasks(%d, %d) = %d, want %d", tc.start, tc.end, got, tc.want)
		}
	}
}

func TestFlowLimits(t *testing.T) {
	cases := []struct {
		name        string
		limits      FlowLimits
		estimate    int
		wantWarning string
		wantErr     string
	}{
		{"below the warning", FlowLimits{Warning: 10, Limit: 20}, 10, "", ""},
		{"above the warning", FlowLimits{Warning: 10, Limit: 20}, 11, "estimated 11 flows", ""},
		{"at the limit", FlowLimits{Warning: 10, Limit: 20}, 20, "above the warning threshold of 10", ""},
		{"above the limit", FlowLimits{Warning: 10, Limit: 20}, 21, "", "spec: Forbidden: the policy needs an estimated 21 flows"},
		{"defaults", FlowLimits{}, DefaultFlowLimit + 1, "", "more than the limit of 50000"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			warnings, errs := tc.limits.Check(tc.estimate)
			if got := strings.Join(warnings, "\n"); (got == "") != (tc.wantWarning == "") || !strings.Contains(got, tc.wantWarning) {
				t.Errorf("warnings = %q, want %q", got, tc.wantWarning)
			}
			if got := errs.ToAggregate(); (got == nil) != (tc.wantErr == "") || (got != nil && !strings.Contains(got.Error(), tc.wantErr)) {
				t.Errorf("errors = %v, want %q", got, tc.wantErr)
			}
		})
	}
	for _, bad := range []FlowLimits{{Warning: -1, Limit: 5}, {Warning: 6, Limit: 5}, {Warning: 1, Limit: 0}} {
		if bad.Validate() == nil {
			t.Errorf("FlowLimits%+v.Validate() = nil, want an error", bad)
		}
	}
}

// TestExceptsUnderEverything: a policy whose lists are each within bounds but
// whose peers carry many excepts under ::/0 (25 peers of 25 /128 excepts) costs
// far more flows than the limit and is refused, while 25 /64 excepts under ::/0
// in one peer pass.
func TestExceptsUnderEverything(t *testing.T) {
	big := validACNP(func(p *crd.ClusterNetworkPolicy) {
		eg0(p).To = nil
		for i := 0; i < 25; i++ {
			b := &crd.IPBlock{CIDR: "::/0"}
			for j := 0; j < 25; j++ {
				b.Except = append(b.Except, fmt.Sprintf("fd00:%x:%x::1/128", i, j))
			}
			eg0(p).To = append(eg0(p).To, crd.NetworkPolicyPeer{IPBlock: b})
		}
	})
	if errs := ValidateClusterNetworkPolicy(big); len(errs) != 0 {
		t.Fatalf("the lists are within bounds: %v", errs)
	}
	if _, errs := (FlowLimits{}).Check(EstimateClusterNetworkPolicyFlows(&big.Spec)); len(errs) != 1 {
		t.Fatalf("625 /128 excepts under ::/0: estimate %d, want a refusal", EstimateClusterNetworkPolicyFlows(&big.Spec))
	}
}
