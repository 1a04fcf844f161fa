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

package openflow

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/strata-net/strata/nodeagent/ovs/ovstest"
)

// BenchmarkInstall100kFlows installs the same 100k realistic flows (see
// realisticFlows) into the same private OVS twice per iteration: through our
// client in bundles of STRATA_BUNDLE_CHUNK flows (default: one bundle), and
// with `ovs-ofctl -O OpenFlow15 --bundle add-flows BR file`. It reports
// flows/s for both and their ratio, and checks after each install that OVS
// holds exactly the generated flows.
//
//	go test -run '^$' -bench Install100k -benchtime 1x ./nodeagent/ovs/openflow
func BenchmarkInstall100kFlows(b *testing.B) {
	ovstest.Require(b)
	n := envInt("STRATA_BENCH_FLOWS", 100_000)
	chunk := envInt("STRATA_BUNDLE_CHUNK", n)
	inst := ovstest.StartOVS(b)
	br := ovstest.UniqueName("br")
	mgmt, err := inst.AddBridge(br)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	conn, err := Dial(ctx, Config{Addr: "unix:" + mgmt})
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	flows, lines := realisticFlows(n)
	file := filepath.Join(b.TempDir(), "flows.txt")
	if err := os.WriteFile(file, []byte(joinLines(lines)), 0o644); err != nil {
		b.Fatal(err)
	}
	mods := make([]FlowMod, len(flows))
	for i, f := range flows {
		mods[i] = AddFlow(f)
	}
	var ours, ofctl time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		clearFlows(ctx, b, conn)
		start := time.Now()
		if err := conn.BundleFlowModsChunked(ctx, mods, chunk); err != nil {
			b.Fatal(err)
		}
		ours += time.Since(start)
		b.StopTimer()
		checkInstalled(ctx, b, conn, flows)
		clearFlows(ctx, b, conn)
		b.StartTimer()
		start = time.Now()
		if out, err := inst.OFCtl("-O", "OpenFlow15", "--bundle", "add-flows", br, file); err != nil {
			b.Fatalf("ovs-ofctl add-flows: %v: %s", err, out)
		}
		ofctl += time.Since(start)
		b.StopTimer()
		checkInstalled(ctx, b, conn, flows)
		b.StartTimer()
	}
	oursRate := float64(n*b.N) / ours.Seconds()
	ofctlRate := float64(n*b.N) / ofctl.Seconds()
	b.ReportMetric(oursRate, "flows/s(ours)")
	b.ReportMetric(ofctlRate, "flows/s(ovs-ofctl)")
	b.ReportMetric(oursRate/ofctlRate, "ratio")
	b.Logf("%d flows, chunk %d: ours %v (%.0f flows/s), ovs-ofctl %v (%.0f flows/s), ratio %.2f",
		n, chunk, ours/time.Duration(b.N), oursRate, ofctl/time.Duration(b.N), ofctlRate, oursRate/ofctlRate)
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func clearFlows(ctx context.Context, b *testing.B, c *Conn) {
	if err := c.Exec(ctx, DeleteFlows(TableAll, Match{}, 0, 0)); err != nil {
		b.Fatal(err)
	}
}

// checkInstalled compares OVS's flows with the generated ones (as values).
func checkInstalled(ctx context.Context, b *testing.B, c *Conn, want []Flow) {
	stats, err := c.DumpFlows(ctx, FlowDescRequest{Table: TableAll})
	if err != nil {
		b.Fatal(err)
	}
	if len(stats) != len(want) {
		b.Fatalf("OVS has %d flows, want %d", len(stats), len(want))
	}
	set := make(map[FlowKey]Flow, len(want))
	for _, f := range want {
		set[f.Key()] = f
	}
	for _, s := range stats {
		if w := set[s.Flow.Key()]; w != s.Flow {
			b.Fatalf("OVS has\n %v (match %x, instructions %x)\nwant\n %v (match %x, instructions %x)",
				s.Flow, s.Match.OXM(), s.Instructions.Bytes(), w, w.Match.OXM(), w.Instructions.Bytes())
		}
	}
}
