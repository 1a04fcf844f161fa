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
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	kubeinformers "k8s.io/client-go/informers"
	kubefake "k8s.io/client-go/kubernetes/fake"

	"github.com/strata-net/strata/apiserver/policy/scale"
	crdfake "github.com/strata-net/strata/generated/clientset/versioned/fake"
	crdinformers "github.com/strata-net/strata/generated/informers/externalversions"
)

// BenchmarkScale measures, for each scenario of Antrea's controller scale tests, the
// time from starting the informers over fake clientsets to every object computed,
// and the peak Go heap while doing so. Run:
//
//	go test ./apiserver/policy -run '^$' -bench BenchmarkScale -benchtime 1x -timeout 60m
func BenchmarkScale(b *testing.B) {
	for _, bench := range []struct {
		name string
		mk   func() scale.Scenario
	}{
		{"S1-small-namespaces", func() scale.Scenario { return scale.S1(25000) }}, {"S2-large-namespaces", scale.S2},
		{"S3-one-namespace", scale.S3}, {"S4-policy-per-pod", scale.S4}, {"S5-cluster-scoped-peers", scale.S5},
		{"S6-cluster-policies-across-tiers", func() scale.Scenario { return scale.S6(25000) }},
		{"S7-cluster-groups", func() scale.Scenario { return scale.S7(5000) }},
	} {
		b.Run(bench.name, func(b *testing.B) {
			sc := bench.mk()
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				runScenario(b, sc)
			}
		})
	}
}

// runScenario computes one scenario from scratch and reports seconds, peak heap and
// what was published.
func runScenario(b *testing.B, sc scale.Scenario) {
	b.StopTimer()
	kube, crd := kubefake.NewSimpleClientset(sc.Kube...), crdfake.NewSimpleClientset(sc.CRD...)
	kubeInf, crdInf := kubeinformers.NewSharedInformerFactory(kube, 0), crdinformers.NewSharedInformerFactory(crd, 0)
	sink := newFakeSink()
	c, err := NewController(Config{CRDInformers: crdInf, KubeInformers: kubeInf, Sink: sink})
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	base := heapInUse()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	peak := sampleHeap(ctx)
	start := time.Now()
	b.StartTimer()
	kubeInf.Start(ctx.Done())
	crdInf.Start(ctx.Done())
	go c.Run(ctx)
	waitIdle(b, c)
	b.StopTimer()
	elapsed := time.Since(start)
	b.ReportMetric(elapsed.Seconds(), "s/compute")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(base)/(1<<20), "start-heap-MB")
	b.ReportMetric(float64(len(sink.policies)), "policies")
	b.ReportMetric(float64(len(sink.address)+len(sink.applied)), "groups")
}

func heapInUse() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// sampleHeap records the largest heap in use until ctx ends.
func sampleHeap(ctx context.Context) *atomic.Uint64 {
	peak := &atomic.Uint64{}
	peak.Store(heapInUse())
	go func() {
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if h := heapInUse(); h > peak.Load() {
					peak.Store(h)
				}
			}
		}
	}()
	return peak
}
