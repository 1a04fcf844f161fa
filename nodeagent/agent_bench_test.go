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

package nodeagent

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/nodeagent/ovs/openflow"
	"github.com/strata-net/strata/nodeagent/ovs/ovstest"
	"github.com/strata-net/strata/nodeagent/pipeline"
	"github.com/strata-net/strata/nodeagent/policy"
	agenttypes "github.com/strata-net/strata/nodeagent/types"
)

// timedReconciler is the pipeline's PolicyFlows, timing each Reconcile and
// telling the benchmark when one returned.
type timedReconciler struct {
	*pipeline.PolicyFlows
	returned chan reconcileCall // buffered; calls are dropped when full
}

type reconcileCall struct {
	start time.Time
	took  time.Duration
	rules int
	err   error
}

func (r *timedReconciler) Reconcile(ctx context.Context, rules []*agenttypes.CompletedRule) error {
	start := time.Now()
	err := r.PolicyFlows.Reconcile(ctx, rules)
	select {
	case r.returned <- reconcileCall{start: start, took: time.Since(start), rules: len(rules), err: err}:
	default:
	}
	return err
}

// benchNode is a private OVS bridge holding a fresh pipeline's static flows
// and the flows of the scale's Pods, without a policy controller yet.
type benchNode struct {
	inst   *ovstest.Instance
	bridge string
	pl     *pipeline.Pipeline
	rec    *timedReconciler
}

func newBenchNode(ctx context.Context, b *testing.B, pods []pipeline.Pod) *benchNode {
	b.Helper()
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
	pl, err := pipeline.New(pipeline.Config{Switch: pipeline.FixedSwitch(conn)})
	if err != nil {
		b.Fatal(err)
	}
	if err := pl.Replay(ctx, conn); err != nil {
		b.Fatal(err)
	}
	for _, pod := range pods {
		if err := pl.Pods().AddPod(ctx, pod); err != nil {
			b.Fatal(err)
		}
	}
	return &benchNode{inst: inst, bridge: br, pl: pl,
		rec: &timedReconciler{PolicyFlows: pl.Policies(), returned: make(chan reconcileCall, 16)}}
}

// startController runs a policy controller over the fake controlplane into
// the node's pipeline until the benchmark ends.
func (n *benchNode) startController(b *testing.B, cp *fakeControlplane) *policy.Controller {
	b.Helper()
	ctrl, err := policy.New(policy.Config{NodeName: testNode, Client: cp.client, Reconciler: n.rec})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ctrl.Run(ctx) }()
	b.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				b.Errorf("policy controller: %v", err)
			}
		case <-time.After(30 * time.Second):
			b.Error("the policy controller did not stop within 30s")
		}
	})
	return ctrl
}

// waitSynced waits for the controller's first full sync (its one Reconcile
// batch returned) and returns that Reconcile call.
func (n *benchNode) waitSynced(ctx context.Context, b *testing.B, ctrl *policy.Controller) reconcileCall {
	b.Helper()
	var first reconcileCall
	err := wait.PollUntilContextTimeout(ctx, 2*time.Millisecond, 30*time.Minute, true, func(context.Context) (bool, error) {
		for {
			select {
			case c := <-n.rec.returned:
				if first.rules == 0 {
					first = c
				}
				if c.err != nil {
					return false, c.err
				}
				continue
			default:
			}
			return ctrl.Synced(), nil
		}
	})
	if err != nil {
		b.Fatalf("waiting 30m for the first policy sync to be installed: %v", err)
	}
	return first
}

// flows returns the bridge's flows as ovs-ofctl prints them without statistics.
func (n *benchNode) flows(b *testing.B) []string {
	b.Helper()
	out, err := n.inst.OFCtl("-O", "OpenFlow15", "--no-stats", "dump-flows", n.bridge)
	if err != nil {
		b.Fatalf("dump-flows: %v", err)
	}
	var flows []string
	for _, line := range strings.Split(out, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "OFPST_") && !strings.HasPrefix(line, "NXST_") {
			flows = append(flows, line)
		}
	}
	return flows
}

// subtract returns the lines of all that are not in base.
func subtract(all, base []string) []string {
	in := make(map[string]bool, len(base))
	for _, l := range base {
		in[l] = true
	}
	var out []string
	for _, l := range all {
		if !in[l] {
			out = append(out, l)
		}
	}
	return out
}

// BenchmarkAgentFullSync measures a node agent's first full sync: the fake
// controlplane serves 10k rules over 1k Pods and 100k peer addresses
// (STRATA_BENCH_RULES scales it), a policy controller watches the three
// kinds, completes the rules and hands them in one batch to the pipeline,
// which installs them into a private OVS (holding the static and Pod flows)
// in one bundle. Timed: from the controller's start to its Synced (every flow
// in OVS). For comparison, the same policy flows (dumped back from OVS) are
// then installed with `ovs-ofctl --bundle add-flows` into a second fresh OVS
// holding the same static and Pod flows, in the same run; each OVS gets one
// big install only, as right after a large delete OVS commits more slowly.
//
//	go test -run '^$' -bench AgentFullSync -benchtime 1x ./nodeagent
func BenchmarkAgentFullSync(b *testing.B) {
	ovstest.Require(b)
	s := defaultScale()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Minute)
	defer cancel()
	pods := scalePods(s)
	cp := newFakeControlplane(b)
	cp.setScale(s)
	file := filepath.Join(b.TempDir(), "flows.txt")
	var ours, reconcile, toReconcile, ofctl time.Duration
	var policyFlows, iterations int
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		n := newBenchNode(ctx, b, pods)
		base := n.flows(b)
		b.StartTimer()
		start := time.Now()
		ctrl := n.startController(b, cp)
		first := n.waitSynced(ctx, b, ctrl)
		ours += time.Since(start)
		b.StopTimer()
		reconcile += first.took
		toReconcile += first.start.Sub(start)
		if first.rules != s.rules {
			b.Fatalf("the first Reconcile had %d rules, want all %d", first.rules, s.rules)
		}
		all := n.flows(b)
		added := subtract(all, base)
		policyFlows = len(added)
		if err := os.WriteFile(file, []byte(strings.Join(added, "\n")+"\n"), 0o644); err != nil {
			b.Fatal(err)
		}
		other := newBenchNode(ctx, b, pods)
		t0 := time.Now()
		if out, err := other.inst.OFCtl("-O", "OpenFlow15", "--bundle", "add-flows", other.bridge, file); err != nil {
			b.Fatalf("ovs-ofctl --bundle add-flows: %v: %s", err, out)
		}
		ofctl += time.Since(t0)
		if got := len(other.flows(b)); got != len(all) {
			b.Fatalf("ovs-ofctl installed %d flows in all, the agent %d", got, len(all))
		}
		iterations++
		b.StartTimer()
	}
	per := func(d time.Duration) float64 { return d.Seconds() / float64(iterations) }
	b.ReportMetric(float64(policyFlows)/float64(s.rules), "flows/rule")
	b.ReportMetric(per(ours), "s/sync")
	b.ReportMetric(per(reconcile), "s/reconcile")
	b.ReportMetric(per(ofctl), "s/ovs-ofctl")
	b.ReportMetric(ours.Seconds()/ofctl.Seconds(), "ratio")
	b.Logf("%d rules, %d pods, %d peers: %d policy flows (%.1f/rule); sync %.2fs (watch+cache+complete %.2fs, Reconcile %.2fs); ovs-ofctl --bundle add-flows %.2fs; ratio %.2f",
		s.rules, s.pods, s.peers, policyFlows, float64(policyFlows)/float64(s.rules), per(ours), per(toReconcile),
		per(reconcile), per(ofctl), ours.Seconds()/ofctl.Seconds())
}

// BenchmarkAgentAddressGroupPatch measures one AddressGroup patch (one member
// added) from the controlplane's MODIFIED event to the rule's flows updated in
// OVS (the Reconcile bundle committed), after a full sync of the same scale as
// BenchmarkAgentFullSync. Each iteration patches another rule's group with a
// new peer; p50 and p99 are reported over the iterations.
//
//	go test -run '^$' -bench AgentAddressGroupPatch -benchtime 200x ./nodeagent
func BenchmarkAgentAddressGroupPatch(b *testing.B) {
	ovstest.Require(b)
	s := defaultScale()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Minute)
	defer cancel()
	cp := newFakeControlplane(b)
	cp.setScale(s)
	n := newBenchNode(ctx, b, scalePods(s))
	ctrl := n.startController(b, cp)
	n.waitSynced(ctx, b, ctrl)
	// The first patches after the big install wait for OVS and the controller
	// to settle (status reports, revalidation): measured apart, not timed.
	var warmup []time.Duration
	for i := range patchWarmup {
		d, _ := n.patch(ctx, b, cp, s, 60000+i)
		warmup = append(warmup, d)
	}
	var latencies []time.Duration
	var last net.IP
	b.ReportAllocs()
	for b.Loop() {
		var d time.Duration
		d, last = n.patch(ctx, b, cp, s, len(latencies))
		latencies = append(latencies, d)
		if os.Getenv("STRATA_BENCH_TRACE") != "" {
			b.Logf("patch %d: %v", len(latencies)-1, d)
		}
	}
	b.StopTimer()
	if out, err := n.inst.OFCtl("-O", "OpenFlow15", "dump-flows", n.bridge, "ip,nw_src="+last.String()); err != nil || !strings.Contains(out, last.String()) {
		if out2, err2 := n.inst.OFCtl("-O", "OpenFlow15", "dump-flows", n.bridge, "ip,nw_dst="+last.String()); err2 != nil || !strings.Contains(out2, last.String()) {
			b.Fatalf("OVS has no flow for the last added peer %s: %v %v", last, err, err2)
		}
	}
	slices.Sort(latencies)
	pct := func(p float64) float64 {
		return float64(latencies[min(len(latencies)-1, int(p*float64(len(latencies))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.5), "ms-p50")
	b.ReportMetric(pct(0.99), "ms-p99")
	b.ReportMetric(float64(slices.Max(warmup).Microseconds())/1000, "ms-warmup-max")
	b.Logf("%d patches over %d rules: p50 %.2fms, p99 %.2fms, max %.2fms; the %d patches right after the full sync: %v",
		len(latencies), s.rules, pct(0.5), pct(0.99), pct(1), len(warmup), warmup)
}

// patchWarmup is the number of untimed patches right after the full sync.
const patchWarmup = 5

// patch adds the i-th new peer (192.168.0.0/16 from the bottom) to another
// rule's AddressGroup and waits for the Reconcile of that one rule: the
// latency from the controlplane's event to the flows committed in OVS.
func (n *benchNode) patch(ctx context.Context, b *testing.B, cp *fakeControlplane, s scale, i int) (time.Duration, net.IP) {
	b.Helper()
	rule := (i * 7919) % s.rules
	ip := net.IP{192, 168, byte(i >> 8), byte(i)}
	patch := &v1beta2.AddressGroupPatch{AddedGroupMembers: []v1beta2.GroupMember{{
		Pod: &v1beta2.PodReference{Namespace: "remote", Name: fmt.Sprintf("new-%d", i)}, IPs: []v1beta2.IPAddress{v1beta2.IPAddress(ip)}}}}
	patch.Name = fmt.Sprintf("ag-%d", rule)
	start := time.Now()
	cp.send("addressgroups", watch.Modified, patch)
	c, err := n.nextReconcile(ctx)
	if err != nil {
		b.Fatal(err)
	}
	took := time.Since(start)
	if c.rules != 1 || c.err != nil {
		b.Fatalf("patch %d: Reconcile of %d rules: %v, want the one rule of %s", i, c.rules, c.err, patch.Name)
	}
	return took, ip
}

// nextReconcile waits up to a minute for the next Reconcile call to return.
func (n *benchNode) nextReconcile(ctx context.Context) (reconcileCall, error) {
	timer := time.NewTimer(time.Minute)
	defer timer.Stop()
	select {
	case c := <-n.rec.returned:
		return c, nil
	case <-timer.C:
		return reconcileCall{}, errors.New("no Reconcile within a minute of the patch")
	case <-ctx.Done():
		return reconcileCall{}, ctx.Err()
	}
}
