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
	"context"
	"flag"
	"os"
	"runtime"
	"runtime/pprof"
	"testing"
	"time"

	kubeinformers "k8s.io/client-go/informers"
	kubefake "k8s.io/client-go/kubernetes/fake"

	crdfake "github.com/strata-net/strata/generated/clientset/versioned/fake"
	crdinformers "github.com/strata-net/strata/generated/informers/externalversions"
	"github.com/strata-net/strata/test/bench/scenarios"
)

// BenchmarkScale measures, for each scenario of Antrea's controller scale tests, the
// time from starting the informers over fake clientsets to every object computed,
// and the peak Go heap while doing so. Run:
//
//	go test ./apiserver/policy -run '^$' -bench BenchmarkScale -benchtime 1x -timeout 60m
//
// The basis is that of Antrea's own figures (pkg/controller/networkpolicy/
// networkpolicy_controller_perf_test.go, testComputeNetworkPolicy): the clock starts
// before the informers start, so it includes their LIST and sync, and stops when
// the last object is computed; the memory is the maximum of runtime.MemStats.Alloc
// over the run, the fake clientsets' objects included, nothing subtracted.
//
//	s/compute       the time; compares with Antrea's TIME
//	peak-alloc-MB   max MemStats.Alloc; compares with Antrea's MEMORY (they sample
//	                every 500 ms, we every 20 ms: never lower than theirs would be)
//	peak-heap-MB    max MemStats.HeapInuse (≥ Alloc: counts partly used spans whole)
//	s/at-peak       when Alloc peaked
//	start-heap-MB   HeapInuse at the start: the fixture (fake clientsets) alone
//	s/informers     when the informers had delivered their initial lists
//	s/after-sync    from then to the last object computed: the computation alone
//	live-MB         the reachable heap once computed (after a collection): the
//	                fixture, the informers' caches, the computation and what it
//	                published; BenchmarkScaleFixture's live-MB is the same without
//	                the computation, so the difference is what the computation holds
//	cpu-s           the process's user+system CPU time over the run (steadier than
//	                the time on a shared machine)
//
// GOGC is left at its default, as in the server. Each scenario starts from a cold
// heap (debug.FreeOSMemory), so it pays for the fresh memory it needs whichever
// benchmark ran before it.
func BenchmarkScale(b *testing.B) {
	for _, bench := range scaleScenarios {
		b.Run(bench.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				runScenario(b, bench.name, bench.mk)
			}
		})
	}
}

// scaleScenarios are the scenarios of BenchmarkScale and BenchmarkScaleFixture.
var scaleScenarios = []struct {
	name string
	mk   func() scenarios.Scenario
}{
	{"S1-small-namespaces", func() scenarios.Scenario { return scenarios.S1(25000) }}, {"S2-large-namespaces", scenarios.S2},
	{"S3-one-namespace", scenarios.S3}, {"S4-policy-per-pod", scenarios.S4}, {"S5-cluster-scoped-peers", scenarios.S5},
	{"S6-cluster-policies-across-tiers", func() scenarios.Scenario { return scenarios.S6(25000) }},
	{"S7-cluster-groups", func() scenarios.Scenario { return scenarios.S7(5000) }},
}

// runScenario computes one scenario from scratch and reports seconds, peak heap and
// what was published. The generated objects are dropped once the fake clientsets hold
// their copies, so the heap figures count the clientsets, not the generator too.
func runScenario(b *testing.B, name string, mk func() scenarios.Scenario) {
	b.StopTimer()
	sc := mk()
	kube, crd := kubefake.NewSimpleClientset(sc.Kube...), crdfake.NewSimpleClientset(sc.CRD...)
	sc = scenarios.Scenario{}
	kubeInf, crdInf := kubeinformers.NewSharedInformerFactory(kube, 0), crdinformers.NewSharedInformerFactory(crd, 0)
	sink := newFakeSink()
	c, err := NewController(Config{CRDInformers: crdInf, KubeInformers: kubeInf, Sink: sink})
	if err != nil {
		b.Fatal(err)
	}
	base := coldHeap()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	peaks := sampleHeap(ctx)
	cpuStart := cpuTime()
	start := time.Now()
	b.StartTimer()
	kubeInf.Start(ctx.Done())
	crdInf.Start(ctx.Done())
	go c.Run(ctx)
	synced := waitInformers(b, c)
	waitIdle(b, c)
	b.StopTimer()
	elapsed, cpu := time.Since(start), cpuTime()-cpuStart
	peaks.record()
	writeHeapProfile(b, name)
	b.ReportMetric(elapsed.Seconds(), "s/compute")
	b.ReportMetric(synced.Sub(start).Seconds(), "s/informers")
	b.ReportMetric(elapsed.Seconds()-synced.Sub(start).Seconds(), "s/after-sync")
	b.ReportMetric(float64(liveHeap())/(1<<20), "live-MB")
	b.ReportMetric(cpu.Seconds(), "cpu-s")
	b.ReportMetric(float64(peaks.alloc.Load())/(1<<20), "peak-alloc-MB")
	b.ReportMetric(float64(peaks.inUse.Load())/(1<<20), "peak-heap-MB")
	b.ReportMetric(time.Duration(peaks.allocAt.Load()).Seconds(), "s/at-peak")
	b.ReportMetric(float64(base)/(1<<20), "start-heap-MB")
	b.ReportMetric(float64(len(sink.policies)), "policies")
	b.ReportMetric(float64(len(sink.address)+len(sink.applied)), "groups")
}

// heapProfile, when set, names a file to write the heap profile to once a scenario
// is computed (while everything is still live):
//
//	go test ./apiserver/policy -run '^$' -bench Scale/S1 -benchtime 1x -scale.heapprofile /tmp/s1.heap
var heapProfile = flag.String("scale.heapprofile", "", "write the heap profile of each computed scenario to this file prefix")

func writeHeapProfile(b *testing.B, name string) {
	if *heapProfile == "" {
		return
	}
	f, err := os.Create(*heapProfile + "." + name)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	runtime.GC() // the profile shows the heap as of the last collection: make it now
	if err := pprof.WriteHeapProfile(f); err != nil {
		b.Fatal(err)
	}
}

// waitInformers waits until the informers delivered their initial lists and returns
// when: the rest of the time is the computation's own.
func waitInformers(b *testing.B, c *Controller) time.Time {
	deadline := time.After(2 * time.Minute)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for !c.InformersSynced() {
		select {
		case <-deadline:
			b.Fatal("informers did not sync within 2m")
		case <-tick.C:
		}
	}
	return time.Now()
}
