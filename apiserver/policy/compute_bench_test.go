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
	"runtime"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
	"github.com/strata-net/strata/test/bench/scenarios"
)

// BenchmarkCompute measures the computation alone: the scenarios of BenchmarkScale
// fed straight into a Compiler (no clientsets, no informers), then one Process that
// computes every object. ns/op, B/op and allocs/op are the computation's own;
// retained-MB is the heap it holds afterwards (its index, groups and policies, and
// what the sink keeps of the published objects). Run:
//
//	go test ./apiserver/policy -run '^$' -bench BenchmarkCompute -benchtime 3x -timeout 30m
func BenchmarkCompute(b *testing.B) {
	for _, bench := range scaleScenarios {
		b.Run(bench.name, func(b *testing.B) {
			sc := bench.mk()
			b.ReportAllocs()
			var retained uint64
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				c, sink := feedCompiler(b, sc)
				before := liveHeap()
				b.StartTimer()
				c.Process()
				b.StopTimer()
				if got := len(sink.policies); got == 0 {
					b.Fatal("nothing was computed")
				}
				retained = liveHeap() - before
				runtime.KeepAlive(c) // what it holds counts until measured
			}
			b.ReportMetric(float64(retained)/(1<<20), "retained-MB")
		})
	}
}

// feedCompiler hands a scenario's objects to a new Compiler as its informers would:
// the sources hold the policies, Namespaces and Pods go into the index, and every
// policy and ClusterGroup is marked to compute.
func feedCompiler(b *testing.B, sc scenarios.Scenario) (*Compiler, *fakeSink) {
	src, sink := newFakeSources(), newFakeSink()
	c := NewCompiler(sink, src)
	for _, obj := range append(sc.CRD, sc.Kube...) {
		switch o := obj.(type) {
		case *corev1.Namespace:
			c.UpsertNamespace(o.Name, o.Labels)
		case *corev1.Pod:
			p := podFromAPI(o)
			c.UpsertPod(p)
		case *networkingv1.NetworkPolicy:
			src.k8snps[o.Namespace+"/"+o.Name] = o
			c.K8sNetworkPolicyChanged(o.Namespace, o.Name)
		case *crdv1beta1.ClusterNetworkPolicy:
			src.acnps[o.Name] = o
			c.ClusterNetworkPolicyChanged(o.Name)
		case *crdv1beta1.ClusterGroup:
			src.groups[o.Name] = o
			c.ClusterGroupChanged(o.Name)
		case *crdv1beta1.Tier:
			src.tiers[o.Name] = o
		default:
			b.Fatalf("unexpected %T in the scenario", obj)
		}
	}
	return c, sink
}
