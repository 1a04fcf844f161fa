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

package apiserver

import (
	"context"
	"sort"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	kubeinformers "k8s.io/client-go/informers"
	kubefake "k8s.io/client-go/kubernetes/fake"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/apiserver/policy"
	crdfake "github.com/strata-net/strata/generated/clientset/versioned/fake"
	crdinformers "github.com/strata-net/strata/generated/informers/externalversions"
	cpregistry "github.com/strata-net/strata/registry/controlplane"
	"github.com/strata-net/strata/registry/controlplane/store"
	"github.com/strata-net/strata/test/bench/scenarios"
)

// BenchmarkExplainS1 measures one networkpolicyevaluation (both sides, the
// rules completed as the agents complete them) at S1 scale (25,000
// namespaces, 100k Pods, 75k policies) over the computed stores: p50 and p99
// over b.N pairs of Pods, half in the same namespace (their policies apply),
// and the first evaluation (first-ms), which builds explain's index of the
// stores (maintained incrementally afterwards: BenchmarkEvaluateAfterChange),
// the other half across namespaces. S1's policies isolate every Pod for egress without
// allowing any: every connection is dropped at its source; the ingress side
// is walked all the same (allowed by np-app-N within an app, else isolated).
// Run:
//
//	go test ./apiserver -run '^$' -bench ExplainS1 -benchtime 1000x -timeout 60m
func BenchmarkExplainS1(b *testing.B) {
	f := explainS1Fixture(b)
	storage, pods := f.storage, f.pods
	ctx := context.Background()
	n := len(pods.Items)
	latencies := make([]time.Duration, 0, b.N)
	verdicts := map[string]int{}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		src := &pods.Items[(i*7919)%n]
		dst := &pods.Items[(i*7919+1)%n] // often the same namespace
		if i%2 == 1 {
			dst = &pods.Items[(i*104729+n/2)%n]
		}
		req := &controlplane.NetworkPolicyEvaluation{Request: &controlplane.NetworkPolicyEvaluationRequest{
			Source:      controlplane.Entity{Pod: &controlplane.PodReference{Namespace: src.Namespace, Name: src.Name}},
			Destination: controlplane.Entity{Pod: &controlplane.PodReference{Namespace: dst.Namespace, Name: dst.Name}},
			Port:        80,
		}}
		start := time.Now()
		resp, err := storage.Evaluations.Evaluate(ctx, req)
		latencies = append(latencies, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		verdicts[resp.Verdict+"/"+resp.Ingress.DecidedBy]++
	}
	b.StopTimer()
	if b.N >= 10 && (verdicts["Drop/Rule"] == 0 || verdicts["Drop/K8sIsolation"] == 0) {
		b.Fatalf("verdict/ingress decider counts %v: want both allowing rules and isolation on the ingress side", verdicts)
	}
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(f.first.Microseconds())/1000, "first-ms")
}

// explainFixture is the S1 computation and its stores, built once per
// process: the testing package runs a benchmark function once with b.N = 1
// before the measured run.
type explainFixture struct {
	storage cpregistry.StorageConfig
	pods    *corev1.PodList
	// first is the first evaluation, which builds explain's index.
	first time.Duration
}

var (
	explainOnce sync.Once
	explainFix  *explainFixture
	explainErr  error
)

func explainS1Fixture(b *testing.B) *explainFixture {
	explainOnce.Do(func() {
		sc := scenarios.S1(25000)
		kube, crd := kubefake.NewSimpleClientset(sc.Kube...), crdfake.NewSimpleClientset(sc.CRD...)
		stores, err := cpregistry.NewStores(store.Options{})
		if err != nil {
			explainErr = err
			return
		}
		// The stores and the computation live as long as the process.
		c := startExplainComputation(context.Background(), b, kube, crd, stores)
		f := &explainFixture{}
		if explainErr = addExplain(&f.storage, c, stores); explainErr != nil {
			return
		}
		if f.pods, explainErr = kube.CoreV1().Pods("").List(context.Background(), metav1.ListOptions{}); explainErr != nil {
			return
		}
		p, q := &f.pods.Items[0], &f.pods.Items[1]
		start := time.Now()
		_, explainErr = f.storage.Evaluations.Evaluate(context.Background(), &controlplane.NetworkPolicyEvaluation{
			Request: &controlplane.NetworkPolicyEvaluationRequest{
				Source:      controlplane.Entity{Pod: &controlplane.PodReference{Namespace: p.Namespace, Name: p.Name}},
				Destination: controlplane.Entity{Pod: &controlplane.PodReference{Namespace: q.Namespace, Name: q.Name}}}})
		f.first = time.Since(start)
		explainFix = f
	})
	if explainErr != nil {
		b.Fatal(explainErr)
	}
	if explainFix == nil {
		b.Fatal("the S1 fixture could not be built")
	}
	return explainFix
}

// startExplainComputation runs the computation into the stores until it has
// synced, and returns it (explain reads its Pods).
func startExplainComputation(ctx context.Context, b *testing.B, kube *kubefake.Clientset, crd *crdfake.Clientset,
	stores *cpregistry.Stores) *policy.Controller {
	kubeInf, crdInf := kubeinformers.NewSharedInformerFactory(kube, 0), crdinformers.NewSharedInformerFactory(crd, 0)
	aggregator := policy.NewStatusAggregator(statusClient{client: crd})
	c, err := policy.NewController(policy.Config{CRDInformers: crdInf, KubeInformers: kubeInf,
		Sink: storeSink{stores: stores, aggregator: aggregator}})
	if err != nil {
		b.Fatal(err)
	}
	kubeInf.Start(ctx.Done())
	crdInf.Start(ctx.Done())
	go c.Run(ctx)
	err = wait.PollUntilContextTimeout(ctx, 10*time.Millisecond, 30*time.Minute, true,
		func(context.Context) (bool, error) { return c.HasSynced(), nil })
	if err != nil {
		b.Fatalf("waiting 30m for the S1 computation: %v", err)
	}
	return c
}
