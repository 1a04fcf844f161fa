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

package verdict

import (
	"net/netip"
	"slices"
	"testing"

	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/nodeagent/types"
)

var (
	podA = types.PodRef{Namespace: "ns", Name: "a"}
	podB = types.PodRef{Namespace: "ns", Name: "b"}
	ipA  = netip.MustParseAddr("10.0.0.1")
	ipB  = netip.MustParseAddr("10.0.0.2")
)

// rule builds a rule applied to pod with peers (nil: any).
type rb struct {
	id     string
	dir    v1beta2.Direction
	tier   int32 // 0: K8s NetworkPolicy
	prio   float64
	index  int32
	action v1beta2.RuleAction
	pod    types.PodRef
	peers  []string
	port   int32
	audit  bool
	fqdns  []string
}

func (b rb) build() *types.CompletedRule {
	r := &types.CompletedRule{ID: types.RuleID(b.id), Direction: b.dir, RuleIndex: b.index,
		Targets: []types.Member{{Pod: b.pod}}, Audit: b.audit, FQDNs: b.fqdns}
	if b.tier != 0 {
		tier, prio, action := b.tier, b.prio, b.action
		r.TierPriority, r.PolicyPriority, r.Action = &tier, &prio, &action
	}
	if b.peers != nil {
		r.Peers = []types.Address{}
		for _, p := range b.peers {
			r.Peers = append(r.Peers, types.Address{CIDR: p})
		}
	}
	if b.port != 0 {
		port := intstr.FromInt32(b.port)
		r.Services = []v1beta2.Service{{Port: &port}}
	}
	return r
}

func TestEvaluate(t *testing.T) {
	out, in := v1beta2.DirectionOut, v1beta2.DirectionIn
	allow, drop, reject, pass := v1beta2.RuleActionAllow, v1beta2.RuleActionDrop, v1beta2.RuleActionReject, v1beta2.RuleActionPass
	tests := []struct {
		name        string
		dir         v1beta2.Direction
		rules       []rb
		port        int32
		wantVerdict Verdict
		wantDecider Decider
		wantRule    string
		wantSteps   []Outcome
		wantDNS     []string // the rules whose DNS-dependent match would change the verdict
	}{
		{name: "no rule: default allow", dir: out, wantVerdict: Allow, wantDecider: DecidedByDefault},
		{name: "audit drop decides nothing", dir: out, rules: []rb{
			{id: "audit-drop", dir: out, tier: 50, action: drop, pod: podA, audit: true},
		}, wantVerdict: Allow, wantDecider: DecidedByDefault, wantSteps: []Outcome{OutcomeAuditDrop}},
		{name: "audit allow does not open an enforced drop", dir: in, rules: []rb{
			{id: "drop", dir: in, tier: 250, action: drop, pod: podB},
			{id: "audit-allow", dir: in, tier: 50, action: allow, pod: podB, audit: true},
		}, wantVerdict: Drop, wantDecider: DecidedByRule, wantRule: "drop",
			wantSteps: []Outcome{OutcomeAuditAllow, OutcomeDrop}},
		{name: "audit pass and baseline audit: first audit rule hit, later ones not reached", dir: in, rules: []rb{
			{id: "audit-baseline", dir: in, tier: 253, action: drop, pod: podB, audit: true},
			{id: "audit-pass", dir: in, tier: 50, action: pass, pod: podB, audit: true},
			{id: "allow", dir: in, tier: 250, action: allow, pod: podB},
		}, wantVerdict: Allow, wantDecider: DecidedByRule, wantRule: "allow",
			wantSteps: []Outcome{OutcomeAuditPass, OutcomeNotReached, OutcomeAllow}},
		{name: "audit rule that does not match, then K8s isolation", dir: in, port: 81, rules: []rb{
			{id: "audit-reject", dir: in, tier: 100, action: reject, pod: podB, port: 80, audit: true},
			{id: "k8s", dir: in, pod: podB, peers: []string{}},
		}, wantVerdict: Drop, wantDecider: DecidedByIsolation,
			wantSteps: []Outcome{OutcomeNoMatch, OutcomeNoMatch}},
		{name: "FQDN drop before the deciding allow: depends on DNS", dir: out, port: 443, rules: []rb{
			{id: "fqdn-drop", dir: out, tier: 50, action: drop, pod: podA, peers: []string{}, fqdns: []string{"*.example.com"}, port: 443},
			{id: "allow", dir: out, tier: 250, action: allow, pod: podA},
		}, wantVerdict: Allow, wantDecider: DecidedByRule, wantRule: "allow",
			wantSteps: []Outcome{OutcomeDependsOnDNS, OutcomeAllow}, wantDNS: []string{"fqdn-drop"}},
		{name: "FQDN drop on another port: no match", dir: out, port: 80, rules: []rb{
			{id: "fqdn-drop", dir: out, tier: 50, action: drop, pod: podA, peers: []string{}, fqdns: []string{"*.example.com"}, port: 443},
			{id: "allow", dir: out, tier: 250, action: allow, pod: podA},
		}, wantVerdict: Allow, wantDecider: DecidedByRule, wantRule: "allow",
			wantSteps: []Outcome{OutcomeNoMatch, OutcomeAllow}},
		{name: "FQDN allow before an allow: same verdict either way", dir: out, rules: []rb{
			{id: "fqdn-allow", dir: out, tier: 50, action: allow, pod: podA, peers: []string{}, fqdns: []string{"example.com"}},
			{id: "allow", dir: out, tier: 250, action: allow, pod: podA},
		}, wantVerdict: Allow, wantDecider: DecidedByRule, wantRule: "allow",
			wantSteps: []Outcome{OutcomeDependsOnDNS, OutcomeAllow}},
		{name: "FQDN allow before a drop: depends on DNS", dir: out, rules: []rb{
			{id: "fqdn-allow", dir: out, tier: 50, action: allow, pod: podA, peers: []string{}, fqdns: []string{"example.com"}},
			{id: "baseline-drop", dir: out, tier: 253, action: drop, pod: podA},
		}, wantVerdict: Drop, wantDecider: DecidedByRule, wantRule: "baseline-drop",
			wantSteps: []Outcome{OutcomeDependsOnDNS, OutcomeDrop}, wantDNS: []string{"fqdn-allow"}},
		{name: "FQDN drop after the deciding rule: not reached", dir: out, rules: []rb{
			{id: "allow", dir: out, tier: 50, action: allow, pod: podA},
			{id: "fqdn-drop", dir: out, tier: 100, action: drop, pod: podA, peers: []string{}, fqdns: []string{"example.com"}},
		}, wantVerdict: Allow, wantDecider: DecidedByRule, wantRule: "allow",
			wantSteps: []Outcome{OutcomeAllow, OutcomeNotReached}},
		{name: "FQDN rule whose address peer holds the destination: matches", dir: out, rules: []rb{
			{id: "fqdn-or-block-drop", dir: out, tier: 50, action: drop, pod: podA, peers: []string{"10.0.0.0/24"}, fqdns: []string{"example.com"}},
		}, wantVerdict: Drop, wantDecider: DecidedByRule, wantRule: "fqdn-or-block-drop",
			wantSteps: []Outcome{OutcomeDrop}},
		{name: "FQDN drop in baseline under K8s isolation: not reached", dir: out, rules: []rb{
			{id: "k8s", dir: out, pod: podA, peers: []string{}},
			{id: "fqdn-baseline-allow", dir: out, tier: 253, action: allow, pod: podA, peers: []string{}, fqdns: []string{"example.com"}},
		}, wantVerdict: Drop, wantDecider: DecidedByIsolation,
			wantSteps: []Outcome{OutcomeNoMatch, OutcomeNotReached}},
		{name: "lower tier priority wins", dir: out, rules: []rb{
			{id: "app-allow", dir: out, tier: 250, action: allow, pod: podA},
			{id: "sec-drop", dir: out, tier: 50, action: drop, pod: podA},
		}, wantVerdict: Drop, wantDecider: DecidedByRule, wantRule: "sec-drop",
			wantSteps: []Outcome{OutcomeDrop, OutcomeNotReached}},
		{name: "policy priority then rule index", dir: in, rules: []rb{
			{id: "p2", dir: in, tier: 100, prio: 2, action: drop, pod: podB},
			{id: "p1-r1", dir: in, tier: 100, prio: 1, index: 1, action: reject, pod: podB},
			{id: "p1-r0", dir: in, tier: 100, prio: 1, index: 0, action: allow, pod: podB, peers: []string{"10.9.0.0/16"}},
		}, wantVerdict: Reject, wantDecider: DecidedByRule, wantRule: "p1-r1",
			wantSteps: []Outcome{OutcomeNoMatch, OutcomeReject, OutcomeNotReached}},
		{name: "rule of another Pod does not apply", dir: out, rules: []rb{
			{id: "other", dir: out, tier: 50, action: drop, pod: podB},
		}, wantVerdict: Allow, wantDecider: DecidedByDefault},
		{name: "port outside the rule's port", dir: out, port: 81, rules: []rb{
			{id: "drop80", dir: out, tier: 50, action: drop, pod: podA, port: 80},
		}, wantVerdict: Allow, wantDecider: DecidedByDefault, wantSteps: []Outcome{OutcomeNoMatch}},
		{name: "port matching the rule's port", dir: out, port: 80, rules: []rb{
			{id: "drop80", dir: out, tier: 50, action: drop, pod: podA, port: 80},
		}, wantVerdict: Drop, wantDecider: DecidedByRule, wantRule: "drop80", wantSteps: []Outcome{OutcomeDrop}},
		{name: "Pass skips the tiers to K8s isolation", dir: in, rules: []rb{
			{id: "pass", dir: in, tier: 50, action: pass, pod: podB},
			{id: "allow-later-tier", dir: in, tier: 250, action: allow, pod: podB},
			{id: "k8s-other-peer", dir: in, pod: podB, peers: []string{"10.1.1.1/32"}},
		}, wantVerdict: Drop, wantDecider: DecidedByIsolation,
			wantSteps: []Outcome{OutcomePass, OutcomeSkipped, OutcomeNoMatch}},
		{name: "Pass then K8s allow", dir: in, rules: []rb{
			{id: "pass", dir: in, tier: 50, action: pass, pod: podB},
			{id: "k8s", dir: in, pod: podB, peers: []string{"10.0.0.0/24"}},
		}, wantVerdict: Allow, wantDecider: DecidedByRule, wantRule: "k8s",
			wantSteps: []Outcome{OutcomePass, OutcomeAllow}},
		{name: "Pass then baseline drop", dir: out, rules: []rb{
			{id: "pass", dir: out, tier: 50, action: pass, pod: podA},
			{id: "baseline", dir: out, tier: 253, action: drop, pod: podA},
		}, wantVerdict: Drop, wantDecider: DecidedByRule, wantRule: "baseline",
			wantSteps: []Outcome{OutcomePass, OutcomeDrop}},
		{name: "K8s NetworkPolicy isolation drops", dir: in, rules: []rb{
			{id: "k8s", dir: in, pod: podB, peers: []string{}},
		}, wantVerdict: Drop, wantDecider: DecidedByIsolation, wantSteps: []Outcome{OutcomeNoMatch}},
		{name: "K8s isolation shadows the baseline", dir: in, rules: []rb{
			{id: "k8s", dir: in, pod: podB, peers: []string{"10.5.0.0/16"}},
			{id: "baseline-allow", dir: in, tier: 253, action: allow, pod: podB},
		}, wantVerdict: Drop, wantDecider: DecidedByIsolation,
			wantSteps: []Outcome{OutcomeNoMatch, OutcomeNotReached}},
		{name: "every allowing K8s rule is listed", dir: in, rules: []rb{
			{id: "k8s-1", dir: in, pod: podB},
			{id: "k8s-2", dir: in, pod: podB, peers: []string{"10.0.0.1/32"}},
			{id: "baseline-drop", dir: in, tier: 253, action: drop, pod: podB},
		}, wantVerdict: Allow, wantDecider: DecidedByRule, wantRule: "k8s-1",
			wantSteps: []Outcome{OutcomeAllow, OutcomeAllow, OutcomeNotReached}},
		{name: "tiered drop beats K8s allow", dir: in, rules: []rb{
			{id: "k8s", dir: in, pod: podB},
			{id: "acnp-drop", dir: in, tier: 250, action: drop, pod: podB},
		}, wantVerdict: Drop, wantDecider: DecidedByRule, wantRule: "acnp-drop",
			wantSteps: []Outcome{OutcomeDrop, OutcomeNotReached}},
		{name: "baseline tier drop without isolation", dir: out, rules: []rb{
			{id: "baseline-b", dir: out, tier: 253, prio: 2, action: allow, pod: podA},
			{id: "baseline-a", dir: out, tier: 253, prio: 1, action: drop, pod: podA},
		}, wantVerdict: Drop, wantDecider: DecidedByRule, wantRule: "baseline-a",
			wantSteps: []Outcome{OutcomeDrop, OutcomeNotReached}},
		{name: "upstream CNP Admin after application tier", dir: out, rules: []rb{
			{id: "cnp-admin-deny", dir: out, tier: 251, action: drop, pod: podA},
			{id: "app-allow", dir: out, tier: 250, action: allow, pod: podA},
		}, wantVerdict: Allow, wantDecider: DecidedByRule, wantRule: "app-allow",
			wantSteps: []Outcome{OutcomeAllow, OutcomeNotReached}},
		{name: "upstream CNP Baseline after Antrea baseline", dir: out, rules: []rb{
			{id: "cnp-baseline-allow", dir: out, tier: 254, action: allow, pod: podA},
			{id: "antrea-baseline-drop", dir: out, tier: 253, action: drop, pod: podA, peers: []string{"10.0.0.2/32"}},
		}, wantVerdict: Drop, wantDecider: DecidedByRule, wantRule: "antrea-baseline-drop",
			wantSteps: []Outcome{OutcomeDrop, OutcomeNotReached}},
		{name: "ingress rule ignored for egress", dir: out, rules: []rb{
			{id: "in", dir: in, tier: 50, action: drop, pod: podA},
		}, wantVerdict: Allow, wantDecider: DecidedByDefault},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var rules []*types.CompletedRule
			for _, b := range tc.rules {
				rules = append(rules, b.build())
			}
			pkt := Packet{Src: ipA, Dst: ipB, SrcPod: &podA, DstPod: &podB, Protocol: v1beta2.ProtocolTCP, Port: tc.port}
			res := Evaluate(tc.dir, rules, pkt)
			if res.Verdict != tc.wantVerdict || res.Decider != tc.wantDecider {
				t.Fatalf("verdict %s by %s, want %s by %s", res.Verdict, res.Decider, tc.wantVerdict, tc.wantDecider)
			}
			gotRule := ""
			if res.Rule != nil {
				gotRule = string(res.Rule.ID)
			}
			if gotRule != tc.wantRule {
				t.Errorf("deciding rule %q, want %q", gotRule, tc.wantRule)
			}
			var got []Outcome
			for _, s := range res.Steps {
				got = append(got, s.Outcome)
			}
			if len(got) != len(tc.wantSteps) {
				t.Fatalf("steps %v, want %v", got, tc.wantSteps)
			}
			for i := range got {
				if got[i] != tc.wantSteps[i] {
					t.Fatalf("steps %v, want %v", got, tc.wantSteps)
				}
			}
			var dns []string
			for _, r := range res.DNSDependent() {
				dns = append(dns, string(r.ID))
			}
			if !slices.Equal(dns, tc.wantDNS) {
				t.Errorf("DNS-dependent rules %v, want %v", dns, tc.wantDNS)
			}
		})
	}
}

func TestServiceMatch(t *testing.T) {
	udp := v1beta2.ProtocolUDP
	p80, named := intstr.FromInt32(80), intstr.FromString("http")
	end := int32(90)
	tests := []struct {
		name  string
		svc   v1beta2.Service
		proto v1beta2.Protocol
		port  int32
		ports []v1beta2.NamedPort
		want  bool
	}{
		{name: "TCP by default", svc: v1beta2.Service{Port: &p80}, proto: v1beta2.ProtocolTCP, port: 80, want: true},
		{name: "other protocol", svc: v1beta2.Service{Protocol: &udp, Port: &p80}, proto: v1beta2.ProtocolTCP, port: 80},
		{name: "range", svc: v1beta2.Service{Port: &p80, EndPort: &end}, proto: v1beta2.ProtocolTCP, port: 85, want: true},
		{name: "past the range", svc: v1beta2.Service{Port: &p80, EndPort: &end}, proto: v1beta2.ProtocolTCP, port: 91},
		{name: "named port resolved", svc: v1beta2.Service{Port: &named}, proto: v1beta2.ProtocolTCP, port: 8080,
			ports: []v1beta2.NamedPort{{Name: "http", Port: 8080, Protocol: v1beta2.ProtocolTCP}}, want: true},
		{name: "named port unresolved", svc: v1beta2.Service{Port: &named}, proto: v1beta2.ProtocolTCP, port: 8080},
		{name: "any port when not given", svc: v1beta2.Service{Port: &p80}, proto: v1beta2.ProtocolTCP, want: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := serviceMatch(&tc.svc, tc.proto, tc.port, tc.ports); got != tc.want {
				t.Errorf("serviceMatch = %v, want %v", got, tc.want)
			}
		})
	}
}
