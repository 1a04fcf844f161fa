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

package pipeline

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/nodeagent/ovs/openflow"
	"github.com/strata-net/strata/nodeagent/types"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var (
	in  = v1beta2.DirectionIn
	out = v1beta2.DirectionOut

	allow  = v1beta2.RuleActionAllow
	drop   = v1beta2.RuleActionDrop
	reject = v1beta2.RuleActionReject
	pass   = v1beta2.RuleActionPass
)

// goldenPods: pod2 and pod3 name port 8080 and 9090 "http"; pod3 is dual-stack.
func goldenPods() fakeInterfaces {
	return fakeInterfaces{
		podRef("pod1"): {OFPort: 1, MAC: mac("02:00:00:00:00:11"), IPs: ips("10.77.0.11")},
		podRef("pod2"): {OFPort: 2, MAC: mac("02:00:00:00:00:12"), IPs: ips("10.77.0.12")},
		podRef("pod3"): {OFPort: 3, MAC: mac("02:00:00:00:00:13"), IPs: ips("10.77.0.13", "fd77::13")},
		podRef("pod4"): {OFPort: 4, MAC: mac("02:00:00:00:00:14"), IPs: ips("10.77.0.14")},
	}
}

var httpPorts = map[string][]v1beta2.NamedPort{
	"pod2": {{Name: "http", Port: 8080, Protocol: v1beta2.ProtocolTCP}},
	"pod3": {{Name: "http", Port: 9090, Protocol: v1beta2.ProtocolTCP}},
}

// rule builds a rule with targets, peers and services.
func rule(r *types.CompletedRule, targets []types.Member, peers []types.Address, svcs ...v1beta2.Service) *types.CompletedRule {
	r.Targets, r.Peers, r.Services = targets, peers, svcs
	return r
}

func logged(r *types.CompletedRule) *types.CompletedRule {
	r.EnableLogging = true
	return r
}

func audited(r *types.CompletedRule) *types.CompletedRule {
	r.Audit = true
	return r
}

func goldenCases() []struct {
	name  string
	rules []*types.CompletedRule
} {
	pod2 := []types.Member{member("pod2")}
	pod1 := []types.Member{member("pod1")}
	from1 := addrs("10.77.0.11/32")
	icmp := v1beta2.Service{Protocol: ptr(v1beta2.ProtocolICMP), ICMPType: ptr[int32](8), ICMPCode: ptr[int32](0)}
	portRange := tcp(8000)
	portRange.EndPort = ptr[int32](8100)
	portRange.SrcPort, portRange.SrcEndPort = ptr[int32](1024), ptr[int32](2047)
	udp := v1beta2.Service{Protocol: ptr(v1beta2.ProtocolUDP)}
	return []struct {
		name  string
		rules []*types.CompletedRule
	}{
		{"acnp-ingress-allow", []*types.CompletedRule{rule(acnp("a", 250, 5, 0, in, allow), pod2, from1, tcp(8080))}},
		{"acnp-ingress-drop", []*types.CompletedRule{rule(acnp("a", 250, 5, 1, in, drop), pod2, from1, tcp(9090))}},
		{"acnp-ingress-reject", []*types.CompletedRule{rule(acnp("a", 250, 5, 2, in, reject), pod2, from1, tcp(7070), udp)}},
		{"acnp-ingress-pass", []*types.CompletedRule{rule(acnp("a", 100, 1, 0, in, pass), pod2, nil)}},
		{"acnp-egress-allow", []*types.CompletedRule{rule(acnp("a", 250, 5, 0, out, allow), pod1, addrs("10.77.0.12/32"), tcp(2020))}},
		{"acnp-egress-drop", []*types.CompletedRule{rule(acnp("a", 250, 5, 0, out, drop), pod1, addrs("10.77.0.12/32"), tcp(2020))}},
		{"acnp-egress-reject", []*types.CompletedRule{rule(acnp("a", 250, 5, 0, out, reject), pod1, nil, tcp(2021))}},
		{"acnp-egress-pass", []*types.CompletedRule{rule(acnp("a", 200, 3, 1, out, pass), pod1, addrs("10.77.0.0/24"))}},
		{"k8s-ingress-allow-isolation", []*types.CompletedRule{
			rule(k8snp("k1", in), pod2, nil, tcp(5050), tcp(5051)),
			rule(k8snp("k2", in), []types.Member{member("pod2"), member("pod4")}, from1, tcp(6060)),
		}},
		{"k8s-deny-all", []*types.CompletedRule{rule(k8snp("k", in), pod2, []types.Address{})}},
		{"k8s-egress-isolation", []*types.CompletedRule{rule(k8snp("k", out), []types.Member{member("pod1"), member("pod3")}, addrs("10.77.0.12/32"))}},
		{"baseline", []*types.CompletedRule{
			rule(acnp("b0", 253, 1, 0, in, drop), pod1, nil, tcp(3030)),
			rule(acnp("b1", 253, 1, 1, in, allow), pod1, from1),
			rule(acnp("b2", 253, 2, 0, out, reject), pod1, addrs("10.0.0.0/8")),
		}},
		{"ipblock-cidrs", []*types.CompletedRule{rule(acnp("a", 250, 10, 0, in, allow), []types.Member{member("pod3")},
			addrs("10.0.0.0/9", "10.128.0.0/10", "10.192.0.0/11", "fd00::/64", "192.168.1.7"))}},
		{"port-range", []*types.CompletedRule{rule(acnp("a", 250, 10, 0, in, drop), pod2, nil, portRange)}},
		{"icmp-dual-stack", []*types.CompletedRule{rule(acnp("a", 250, 10, 0, in, allow), []types.Member{member("pod3")}, nil, icmp)}},
		{"named-ports", []*types.CompletedRule{rule(acnp("a", 250, 10, 0, in, allow),
			[]types.Member{member("pod2", httpPorts["pod2"]...), member("pod3", httpPorts["pod3"]...), member("pod4")},
			from1, named(v1beta2.ProtocolTCP, "http"))}},
		{"named-ports-egress", []*types.CompletedRule{rule(acnp("a", 250, 10, 0, out, allow), pod1,
			[]types.Address{{CIDR: "10.77.0.12/32", Ports: httpPorts["pod2"]}, {CIDR: "10.77.0.13/32", Ports: httpPorts["pod3"]},
				{CIDR: "10.77.0.14/32"}}, named(v1beta2.ProtocolTCP, "http"))}},
		{"logging", []*types.CompletedRule{
			logged(rule(acnp("a", 250, 5, 0, in, allow), pod2, from1, tcp(6060))),
			logged(rule(acnp("b", 250, 5, 1, in, drop), pod2, from1, tcp(6061))),
			logged(rule(acnp("c", 250, 5, 2, in, reject), pod2, from1, tcp(6062))),
			logged(rule(acnp("d", 250, 5, 3, out, pass), pod2, nil, tcp(6063))),
			logged(rule(k8snp("k", in), pod2, nil, tcp(6064))),
			rule(k8snp("k2", in), []types.Member{member("pod2"), member("pod4")}, nil, tcp(6065)),
		}},
		{"audit", []*types.CompletedRule{
			audited(rule(acnp("a", 250, 5, 0, in, drop), pod2, from1, tcp(8080))),
			audited(rule(acnp("b", 100, 1, 0, out, allow), pod1, addrs("10.77.0.12/32"))),
			audited(rule(acnp("c", 253, 1, 0, in, reject), pod2, nil)),
			audited(logged(rule(acnp("d", 250, 5, 1, out, pass), pod1, nil, tcp(53)))),
		}},
		{"shared-match-flows", []*types.CompletedRule{
			rule(acnp("a", 250, 5, 0, in, allow), pod2, from1, tcp(80)),
			rule(acnp("b", 250, 5, 0, in, allow), []types.Member{member("pod2"), member("pod4")}, from1, tcp(443)),
		}},
	}
}

// TestGoldenFlows compares the flows of each rule type with
// testdata/golden/<case>.txt, written in ovs-ofctl syntax (go test -update
// rewrites them).
func TestGoldenFlows(t *testing.T) {
	for _, tc := range goldenCases() {
		t.Run(tc.name, func(t *testing.T) {
			flows := computeFlows(t, goldenPods(), tc.rules...)
			compareGolden(t, tc.name, ofctlFormat{}.flows(flows))
		})
	}
}

// TestGoldenBase covers the static flows and the flows of two Pods.
func TestGoldenBase(t *testing.T) {
	p, err := New(Config{Switch: noSwitch{}})
	require.NoError(t, err)
	p.pods.setPod(Pod{Ref: podRef("pod1"), OFPort: 1, MAC: mac("02:00:00:00:00:11"), IPs: ips("10.77.0.11")})
	p.pods.setPod(Pod{Ref: podRef("pod3"), OFPort: 3, MAC: mac("02:00:00:00:00:13"), IPs: ips("10.77.0.13", "fd77::13")})
	all := p.flows.all()
	compareGolden(t, "base", ofctlFormat{}.flows(flowsOfCategory(all, categoryBase)))
	compareGolden(t, "pods", ofctlFormat{}.flows(flowsOfCategory(all, categoryPod)))
}

func compareGolden(t *testing.T, name string, lines []string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".txt")
	got := strings.Join(lines, "\n") + "\n"
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create it")
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs from the golden file (-want +got):\n%s", path, diff)
	}
}

// goldenFlowSet is every flow of every golden case (for the ovs-ofctl checks).
func goldenFlowSet(t *testing.T) []openflow.Flow {
	var out []openflow.Flow
	for _, tc := range goldenCases() {
		out = append(out, computeFlows(t, goldenPods(), tc.rules...)...)
	}
	p, err := New(Config{Switch: noSwitch{}, Gateway: goldenGateway(true)})
	require.NoError(t, err)
	p.pods.setPod(Pod{Ref: podRef("pod3"), OFPort: 3, MAC: mac("02:00:00:00:00:13"), IPs: ips("10.77.0.13", "fd77::13")})
	out = append(out, p.flows.all()...)
	return append(out, flowsOfCategory(goldenServices(t).flows.all(), categoryService)...)
}
