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
	"testing"
	"time"

	kubeinformers "k8s.io/client-go/informers"
	kubefake "k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/tools/cache"

	crdfake "github.com/strata-net/strata/generated/clientset/versioned/fake"
	crdinformers "github.com/strata-net/strata/generated/informers/externalversions"
	"github.com/strata-net/strata/test/bench/scenarios"
)

// BenchmarkScaleFixture measures, on BenchmarkScale's basis, what the fixture costs
// before anything is computed: the same informers as the controller's (the compact
// Pod informer included) over the same fake clientsets, without handlers, from
// their start to their sync. Its peak-alloc-MB is the floor of BenchmarkScale's:
// the fake clientsets' objects and the copies their LIST makes (client-go's
// tracker copies every object twice per LIST, the reflector once more). Run:
//
//	go test ./apiserver/policy -run '^$' -bench BenchmarkScaleFixture -benchtime 1x -timeout 60m
func BenchmarkScaleFixture(b *testing.B) {
	for _, bench := range scaleScenarios {
		b.Run(bench.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				runFixture(b, bench.mk)
			}
		})
	}
}

func runFixture(b *testing.B, mk func() scenarios.Scenario) {
	b.StopTimer()
	sc := mk()
	kube, crd := kubefake.NewSimpleClientset(sc.Kube...), crdfake.NewSimpleClientset(sc.CRD...)
	sc = scenarios.Scenario{}
	kubeInf, crdInf := kubeinformers.NewSharedInformerFactory(kube, 0), crdinformers.NewSharedInformerFactory(crd, 0)
	pods, err := podInformer(kubeInf)
	if err != nil {
		b.Fatal(err)
	}
	v1, cv1 := kubeInf.Core().V1(), crdInf.Crd().V1beta1()
	informers := []cache.SharedIndexInformer{pods, v1.Namespaces().Informer(), v1.Services().Informer(),
		kubeInf.Networking().V1().NetworkPolicies().Informer(), cv1.ClusterNetworkPolicies().Informer(),
		cv1.Tiers().Informer(), cv1.ClusterGroups().Informer()}
	base := coldHeap()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	peaks := sampleHeap(ctx)
	start := time.Now()
	b.StartTimer()
	kubeInf.Start(ctx.Done())
	crdInf.Start(ctx.Done())
	waitSynced(b, informers)
	b.StopTimer()
	elapsed := time.Since(start)
	peaks.record()
	b.ReportMetric(elapsed.Seconds(), "s/informers")
	b.ReportMetric(float64(peaks.alloc.Load())/(1<<20), "peak-alloc-MB")
	b.ReportMetric(float64(peaks.inUse.Load())/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(base)/(1<<20), "start-heap-MB")
	b.ReportMetric(float64(liveHeap())/(1<<20), "live-MB")
}

func waitSynced(b *testing.B, informers []cache.SharedIndexInformer) {
	deadline := time.After(2 * time.Minute)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for _, inf := range informers {
		for !inf.HasSynced() {
			select {
			case <-deadline:
				b.Fatal("informers did not sync within 2m")
			case <-tick.C:
			}
		}
	}
}
