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
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/nodeagent/types"
	"github.com/strata-net/strata/nodeagent/verdict"
)

// traceSets and tracePorts size the differential test: random policy sets,
// each traced for every ordered pair of Pods on every port.
const traceSets = 12

var tracePorts = []uint16{80, 81}

// TestOVSTraceAgreesWithVerdict installs random policy sets (tiers, Pass,
// K8s NetworkPolicy, baseline; Allow, Drop, Reject) in a real OVS, traces
// the first packet of every connection between the Pods through the
// installed pipeline (ofproto/trace), maps the flows it hit back to rules,
// and requires that nodeagent/verdict's walk of the same rules (what
// explain runs) gives the same verdict on each side and the same deciding
// rule.
func TestOVSTraceAgreesWithVerdict(t *testing.T) {
	n := startNode(t, 3)
	pods := []string{"pod1", "pod2", "pod3"}
	seen := map[string]int{}
	n.traced = seen
	for set := range traceSets {
		t.Run(fmt.Sprintf("set %d", set), func(t *testing.T) {
			n.t = t
			rng := rand.New(rand.NewPCG(uint64(set), 20))
			rules := withAudited(randomRules(rng, n, pods, set))
			n.reconcile(rules...)
			defer n.forget(rules...)
			for _, src := range pods {
				for _, dst := range pods {
					if src == dst {
						continue
					}
					for _, port := range tracePorts {
						n.compareTrace(t, rules, src, dst, port)
					}
				}
			}
		})
	}
	// The sets must exercise every kind of decision, or agreement proves little.
	for _, kind := range []string{"Allow/Rule", "Allow/Default", "Drop/Rule", "Reject/Rule", "Drop/K8sIsolation", "Pass", "Audited"} {
		if seen[kind] == 0 {
			t.Errorf("no traced side decided as %s in %d sets: %v", kind, traceSets, seen)
		}
	}
	t.Logf("decisions traced: %v", seen)
}

// compareTrace traces one connection and compares it with the verdict walk.
func (n *testNode) compareTrace(t *testing.T, rules []*types.CompletedRule, src, dst string, port uint16) {
	t.Helper()
	srcIP, dstIP := netip.MustParseAddr(n.ip(src)), netip.MustParseAddr(n.ip(dst))
	var out string
	got, err := n.agent.pl.Trace(func(args ...string) (string, error) {
		var err error
		out, err = n.ovs.AppCtl(args...)
		return out, err
	}, n.br, srcIP, dstIP, v1beta2.ProtocolTCP, port)
	require.NoError(t, err, out)
	srcRef, dstRef := podRef(src), podRef(dst)
	pkt := verdict.Packet{Src: srcIP, Dst: dstIP, SrcPod: &srcRef, DstPod: &dstRef, Protocol: v1beta2.ProtocolTCP, Port: int32(port)}
	what := fmt.Sprintf("%s -> %s:%d", src, dst, port)
	egress := verdict.Evaluate(v1beta2.DirectionOut, rules, pkt)
	n.tally(egress)
	if msg := disagreement(egress, got.Egress); msg != "" {
		t.Fatalf("%s egress: %s\ntrace:\n%s", what, msg, out)
	}
	if egress.Verdict != verdict.Allow {
		return // the packet never reaches the ingress tables
	}
	ingress := verdict.Evaluate(v1beta2.DirectionIn, rules, pkt)
	n.tally(ingress)
	if msg := disagreement(ingress, got.Ingress); msg != "" {
		t.Fatalf("%s ingress: %s\ntrace:\n%s", what, msg, out)
	}
}

// tally counts the kinds of decision compared.
func (n *testNode) tally(r verdict.Result) {
	n.traced[string(r.Verdict)+"/"+string(r.Decider)]++
	if r.Audited != nil {
		n.traced["Audited"]++
	}
	if r.Passed {
		n.traced["Pass"]++
	}
}

// disagreement describes how the datapath's side differs from the walk's.
func disagreement(want verdict.Result, got TraceSide) string {
	wantRule := types.RuleID("")
	if want.Rule != nil {
		wantRule = want.Rule.ID
	}
	wantAudited := types.RuleID("")
	if want.Audited != nil {
		wantAudited = want.Audited.ID
	}
	switch {
	case got.Audited != wantAudited:
		return fmt.Sprintf("datapath audit rule %q, verdict walk %q", got.Audited, wantAudited)
	case got.Verdict != want.Verdict:
		return fmt.Sprintf("datapath %s (rule %q, isolation %v), verdict walk %s by %s %q", got.Verdict, got.Rule,
			got.Isolation, want.Verdict, want.Decider, wantRule)
	case want.Decider == verdict.DecidedByIsolation && !got.Isolation:
		return fmt.Sprintf("walk: K8s isolation; datapath: rule %q", got.Rule)
	case want.Decider == verdict.DecidedByDefault && got.Rule != "" && !isPass(want, got.Rule):
		return fmt.Sprintf("walk: default; datapath: rule %q", got.Rule)
	case want.Decider == verdict.DecidedByRule && verdict.StageOf(want.Rule) == verdict.StageK8s:
		if !slices.ContainsFunc(want.Allowing, func(r *types.CompletedRule) bool { return r.ID == got.Rule }) {
			return fmt.Sprintf("walk: allowed by K8s rules; datapath: rule %q", got.Rule)
		}
	case want.Decider == verdict.DecidedByRule && got.Rule != wantRule:
		return fmt.Sprintf("walk: rule %q; datapath: rule %q", wantRule, got.Rule)
	}
	return ""
}

// withAudited adds an audited copy of every other Antrea-native rule (its
// own ID, in the audit tables): they must not change a single verdict, and
// the trace must hit the audit rule the walk says is hit.
func withAudited(rules []*types.CompletedRule) []*types.CompletedRule {
	out := slices.Clone(rules)
	for i, r := range rules {
		if i%2 == 0 && !r.IsK8s() {
			a := *r
			a.ID, a.Audit = r.ID+"-audit", true
			out = append(out, &a)
		}
	}
	return out
}

// isPass tells whether id is a Pass rule the walk went through.
func isPass(res verdict.Result, id types.RuleID) bool {
	return slices.ContainsFunc(res.Steps, func(s verdict.Step) bool {
		return s.Rule.ID == id && s.Outcome == verdict.OutcomePass
	})
}

// randomRules draws 3..8 rules: tiered (50, 100, 250; any action), K8s
// (allow) and baseline (253; no Pass) rules, each priority distinct (rules
// at equal priorities share an OF priority and OVS picks either).
func randomRules(rng *rand.Rand, n *testNode, pods []string, set int) []*types.CompletedRule {
	count := 3 + rng.IntN(6)
	var out []*types.CompletedRule
	used := map[types.Priority]bool{}
	for i := range count {
		dir := []v1beta2.Direction{v1beta2.DirectionIn, v1beta2.DirectionOut}[rng.IntN(2)]
		id := fmt.Sprintf("s%d-r%d", set, i)
		var r *types.CompletedRule
		switch kind := rng.IntN(5); {
		case kind == 0:
			r = k8snp(id, dir)
		case kind == 1:
			r = acnp(id, 253, float64(rng.IntN(3)), int32(i), dir,
				[]v1beta2.RuleAction{v1beta2.RuleActionAllow, v1beta2.RuleActionDrop, v1beta2.RuleActionReject}[rng.IntN(3)])
		default:
			r = acnp(id, []int32{50, 100, 250}[rng.IntN(3)], float64(rng.IntN(3)), int32(i), dir,
				[]v1beta2.RuleAction{v1beta2.RuleActionAllow, v1beta2.RuleActionDrop, v1beta2.RuleActionReject,
					v1beta2.RuleActionPass}[rng.IntN(4)])
		}
		if r.TierPriority != nil {
			if used[r.Priority()] {
				continue
			}
			used[r.Priority()] = true
		}
		r.Targets = targets(pickPods(rng, pods, 1)...)
		if rng.IntN(3) > 0 { // else any peer
			r.Peers = n.peer(pickPods(rng, pods, 1)...)
		}
		if rng.IntN(2) == 0 {
			r.Services = []v1beta2.Service{tcp(int32(tracePorts[rng.IntN(len(tracePorts))]))}
		}
		out = append(out, r)
	}
	return out
}

// pickPods returns a random non-empty subset of pods (at least min).
func pickPods(rng *rand.Rand, pods []string, min int) []string {
	for {
		var out []string
		for _, p := range pods {
			if rng.IntN(2) == 0 {
				out = append(out, p)
			}
		}
		if len(out) >= min {
			return out
		}
	}
}
