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
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/nodeagent/ovs/openflow"
	"github.com/strata-net/strata/nodeagent/ovs/ovstest"
	"github.com/strata-net/strata/nodeagent/types"
)

// benchScale is the benchmark's shape: rules over pods with peer addresses.
type benchScale struct {
	pods, rules, peers int
	// rulesPerPolicy rules share a policy (priority) and its 5 target pods.
	rulesPerPolicy int
}

func defaultScale() benchScale {
	s := benchScale{pods: 1000, rules: 10_000, peers: 100_000, rulesPerPolicy: 10}
	if v, err := strconv.Atoi(os.Getenv("STRATA_BENCH_RULES")); err == nil && v > 0 {
		s.peers = s.peers * v / s.rules
		s.rules = v
	}
	return s
}

// benchPods are fake Pods (ofports without veths): 10.0.x.y.
func benchPods(s benchScale) (fakeInterfaces, []Pod) {
	ifaces := fakeInterfaces{}
	var pods []Pod
	for i := range s.pods {
		ip := netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)})
		pod := Pod{Ref: podRef(fmt.Sprintf("p%d", i)), OFPort: int32(i + 1),
			MAC: mac(fmt.Sprintf("02:00:00:00:%02x:%02x", i>>8, i&0xff)), IPs: ips(ip.String())}
		pods = append(pods, pod)
		ifaces[pod.Ref] = Interface{OFPort: pod.OFPort, MAC: pod.MAC, IPs: pod.IPs}
	}
	return ifaces, pods
}

// benchRules: application-tier policies of rulesPerPolicy rules, each
// applied to 5 pods, each rule with its own peers (172.16.0.0/12 /32s) and
// port; 70% Allow, 20% Drop, 10% Reject; every fifth rule egress.
func benchRules(s benchScale) []*types.CompletedRule {
	peersPerRule := s.peers / s.rules
	actions := []v1beta2.RuleAction{allow, allow, allow, allow, allow, allow, allow, drop, drop, reject}
	var rules []*types.CompletedRule
	for i := range s.rules {
		policy := i / s.rulesPerPolicy
		dir := in
		if i%5 == 4 {
			dir = out
		}
		r := acnp(fmt.Sprintf("r%d", i), 250, float64(1+policy), int32(i%s.rulesPerPolicy), dir, actions[i%len(actions)])
		for t := range 5 {
			r.Targets = append(r.Targets, member(fmt.Sprintf("p%d", (policy*5+t)%s.pods)))
		}
		for p := range peersPerRule {
			k := i*peersPerRule + p
			r.Peers = append(r.Peers, types.Address{CIDR: netip.AddrFrom4([4]byte{172, 16 + byte(k>>16), byte(k >> 8), byte(k)}).String() + "/32"})
		}
		r.Services = []v1beta2.Service{tcp(int32(1000 + i%5000))}
		rules = append(rules, r)
	}
	return rules
}

// BenchmarkCompile compiles 10k rules (1k pods, 100k peers) into the
// desired flow set and diffs it, without a switch: the agent's CPU cost.
func BenchmarkCompile(b *testing.B) {
	s := defaultScale()
	ifaces, _ := benchPods(s)
	rules := benchRules(s)
	b.ReportAllocs()
	var flows int
	for b.Loop() {
		p, err := New(Config{Switch: noSwitch{}, Interfaces: ifaces})
		if err != nil {
			b.Fatal(err)
		}
		c := newCompiler(ifaces, nil)
		compiled := make([]*compiledRule, len(rules))
		for i, r := range rules {
			if compiled[i], err = c.compile(r); err != nil {
				b.Fatal(err)
			}
		}
		if err := p.policies.replace(compiled); err != nil {
			b.Fatal(err)
		}
		mods, _ := p.flows.diff()
		flows = len(mods)
	}
	b.ReportMetric(float64(flows)/float64(s.rules), "flows/rule")
}

// BenchmarkInstall10kRules compiles and installs 10k rules over 1k pods and
// 100k peer addresses with one Reconcile (one bundle) into a private OVS,
// then installs the same flows, in the same order, with `ovs-ofctl --bundle
// add-flows` into another fresh OVS for comparison. Each install goes to an
// OVS that holds only the static and Pod flows: right after deleting a
// large flow set, OVS commits bundles several times slower for a while,
// which would skew back-to-back measurements on one instance. Both installs
// are checked against OVS's flow table.
//
//	go test -run '^$' -bench Install10k -benchtime 1x ./nodeagent/pipeline
func BenchmarkInstall10kRules(b *testing.B) {
	ovstest.Require(b)
	s := defaultScale()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Minute)
	defer cancel()
	ifaces, pods := benchPods(s)
	rules := benchRules(s)
	file := filepath.Join(b.TempDir(), "flows.txt")
	writeFlowFile(b, file, sentOrder(b, ifaces, rules))
	var ours, ofctl time.Duration
	var nflows int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		_, _, conn := freshBridge(ctx, b)
		p := benchPipeline(ctx, b, conn, ifaces, pods)
		b.StartTimer()
		start := time.Now()
		if err := p.Policies().Reconcile(ctx, rules); err != nil {
			b.Fatal(err)
		}
		ours += time.Since(start)
		b.StopTimer()
		want := p.flows.all()
		nflows = len(flowsOfCategory(want, categoryPolicy))
		checkOVS(ctx, b, conn, want)

		inst, br, conn2 := freshBridge(ctx, b)
		benchPipeline(ctx, b, conn2, ifaces, pods)
		start = time.Now()
		if out, err := inst.OFCtl("-O", "OpenFlow15", "--bundle", "add-flows", br, file); err != nil {
			b.Fatalf("ovs-ofctl add-flows: %v: %s", err, out)
		}
		ofctl += time.Since(start)
		checkOVS(ctx, b, conn2, want)
		b.StartTimer()
	}
	b.ReportMetric(float64(nflows)/float64(s.rules), "flows/rule")
	b.ReportMetric(ours.Seconds()/float64(b.N), "s/install(ours)")
	b.ReportMetric(ofctl.Seconds()/float64(b.N), "s/install(ovs-ofctl)")
	b.ReportMetric(ours.Seconds()/ofctl.Seconds(), "ratio")
	b.Logf("%d rules, %d pods, %d peers: %d policy flows (%.1f/rule); Reconcile %v, ovs-ofctl --bundle add-flows %v, ratio %.2f",
		s.rules, s.pods, s.peers, nflows, float64(nflows)/float64(s.rules), ours/time.Duration(b.N),
		ofctl/time.Duration(b.N), ours.Seconds()/ofctl.Seconds())
}

// freshBridge starts a private OVS with one bridge and connects to it.
func freshBridge(ctx context.Context, b *testing.B) (*ovstest.Instance, string, *openflow.Conn) {
	inst := ovstest.StartOVS(b)
	br := ovstest.UniqueName("br")
	mgmt, err := inst.AddBridge(br)
	if err != nil {
		b.Fatal(err)
	}
	conn, err := openflow.Dial(ctx, openflow.Config{Addr: "unix:" + mgmt})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = conn.Close() })
	return inst, br, conn
}

// benchPipeline is a fresh agent (round 1) whose replay leaves OVS with the
// static and Pod flows only.
func benchPipeline(ctx context.Context, b *testing.B, conn *openflow.Conn, ifaces fakeInterfaces, pods []Pod) *Pipeline {
	p, err := New(Config{Switch: FixedSwitch(conn), Interfaces: ifaces})
	if err != nil {
		b.Fatal(err)
	}
	for _, pod := range pods {
		p.pods.setPod(pod)
	}
	if err := p.Replay(ctx, conn); err != nil {
		b.Fatal(err)
	}
	return p
}

// sentOrder is the policy flows in the order Reconcile sent them (the same
// compilation without a switch), so that ovs-ofctl gets the same bundle:
// OVS commits bundles faster or slower depending on the order.
func sentOrder(b *testing.B, ifaces fakeInterfaces, rules []*types.CompletedRule) []openflow.Flow {
	p, err := New(Config{Switch: noSwitch{}, Interfaces: ifaces})
	if err != nil {
		b.Fatal(err)
	}
	c := newCompiler(ifaces, nil)
	compiled := make([]*compiledRule, len(rules))
	for i, r := range rules {
		if compiled[i], err = c.compile(r); err != nil {
			b.Fatal(err)
		}
	}
	p.flows.replayed() // the static flows are in OVS already
	if err := p.policies.replace(compiled); err != nil {
		b.Fatal(err)
	}
	mods, _ := p.flows.diff()
	out := make([]openflow.Flow, len(mods))
	for i, m := range mods {
		out[i] = m.Flow
	}
	return out
}

func writeFlowFile(b *testing.B, path string, flows []openflow.Flow) {
	var sb strings.Builder
	for _, f := range flows {
		sb.WriteString(ofctlFormat{numeric: true, cookie: true}.flow(f))
		sb.WriteByte('\n')
	}
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
}

// checkOVS compares OVS's flows with want, as values.
func checkOVS(ctx context.Context, b *testing.B, conn *openflow.Conn, want []openflow.Flow) {
	stats, err := conn.DumpFlows(ctx, openflow.FlowDescRequest{Table: openflow.TableAll})
	if err != nil {
		b.Fatal(err)
	}
	if len(stats) != len(want) {
		b.Fatalf("OVS has %d flows, want %d", len(stats), len(want))
	}
	set := make(map[openflow.FlowKey]openflow.Flow, len(want))
	for _, f := range want {
		set[f.Key()] = f
	}
	for _, s := range stats {
		if w := set[s.Flow.Key()]; w != s.Flow {
			b.Fatalf("OVS has\n %v\nwant\n %v", ofctlFormat{cookie: true}.flow(s.Flow), ofctlFormat{cookie: true}.flow(w))
		}
	}
}

// BenchmarkRuleCounters10kRules reads the counters of 10k installed rules (1k
// pods, 100k peers) from a private OVS: the agent's cost of one stats
// collection (one FLOW_DESC dump per metric table, mapped back to rules).
//
//	go test -run '^$' -bench RuleCounters10k -benchtime 5x ./nodeagent/pipeline
func BenchmarkRuleCounters10kRules(b *testing.B) {
	ovstest.Require(b)
	s := defaultScale()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	ifaces, pods := benchPods(s)
	rules := benchRules(s)
	_, _, conn := freshBridge(ctx, b)
	p := benchPipeline(ctx, b, conn, ifaces, pods)
	if err := p.Policies().Reconcile(ctx, rules); err != nil {
		b.Fatal(err)
	}
	var n int
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		counters, err := p.Policies().RuleCounters(ctx)
		if err != nil {
			b.Fatal(err)
		}
		n = len(counters)
	}
	b.StopTimer()
	if n != s.rules {
		b.Fatalf("counters of %d rules, want %d", n, s.rules)
	}
	b.ReportMetric(float64(n), "rules")
}
