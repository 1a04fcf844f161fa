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
	"fmt"
	"sort"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apimachinery/pkg/watch"
	kubeinformers "k8s.io/client-go/informers"
	kubefake "k8s.io/client-go/kubernetes/fake"

	"github.com/strata-net/strata/apiserver/policy"
	crdfake "github.com/strata-net/strata/generated/clientset/versioned/fake"
	crdinformers "github.com/strata-net/strata/generated/informers/externalversions"
	cpregistry "github.com/strata-net/strata/registry/controlplane"
	"github.com/strata-net/strata/registry/controlplane/store"
	"github.com/strata-net/strata/test/bench/scenarios"
)

// BenchmarkIncrementalS1 measures, at S1 scale (25,000 namespaces, 100k Pods, 75k
// policies) with 1,000 Node watchers on the AppliedToGroups, the time from one Pod
// label change to the patch reaching the watcher of the Pod's Node: p50 and p99
// over b.N changes. Run:
//
//	go test ./apiserver -run '^$' -bench IncrementalS1 -benchtime 200x -timeout 60m
func BenchmarkIncrementalS1(b *testing.B) {
	sc := scenarios.S1(25000)
	kube, crd := kubefake.NewSimpleClientset(sc.Kube...), crdfake.NewSimpleClientset(sc.CRD...)
	stores, err := cpregistry.NewStores(store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer stores.Stop()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	startComputation(ctx, b, kube, crd, stores)
	watchers := watchAllNodes(ctx, b, stores)
	pods, err := kube.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
	if err != nil {
		b.Fatal(err)
	}
	var latencies []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := &pods.Items[(i*7919)%len(pods.Items)]
		w := watchers[p.Spec.NodeName]
		before := w.count()
		start := time.Now()
		flipApp(ctx, b, kube, p)
		waitEvents(b, w, before)
		latencies = append(latencies, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "p99-ms")
}

func startComputation(ctx context.Context, b *testing.B, kube *kubefake.Clientset, crd *crdfake.Clientset, stores *cpregistry.Stores) {
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
}

// nodeWatcher counts the AppliedToGroup events one Node's watch receives.
type nodeWatcher struct {
	events chan struct{}
	n      int
}

func (w *nodeWatcher) count() int { return w.n }

func watchAllNodes(ctx context.Context, b *testing.B, stores *cpregistry.Stores) map[string]*nodeWatcher {
	out := map[string]*nodeWatcher{}
	for i := 0; i < scenarios.Nodes; i++ {
		node := fmt.Sprintf("node-%d", i)
		wi, err := stores.AppliedToGroups.Watch(ctx, store.WatchOptions{Selector: store.Selector{NodeName: node}})
		if err != nil {
			b.Fatal(err)
		}
		w := &nodeWatcher{events: make(chan struct{}, 1<<16)}
		out[node] = w
		go func() {
			initial := true
			for ev := range wi.ResultChan() {
				if ev.Type == watch.Bookmark {
					initial = false
					continue
				}
				if !initial {
					w.events <- struct{}{}
				}
			}
		}()
	}
	return out
}

// flipApp moves a Pod between the app-1 and app-2 groups of its namespace.
func flipApp(ctx context.Context, b *testing.B, kube *kubefake.Clientset, p *corev1.Pod) {
	if _, ok := p.Labels["app-1"]; ok {
		p.Labels = map[string]string{"app-2": "scale-2"}
	} else {
		p.Labels = map[string]string{"app-1": "scale-1"}
	}
	if _, err := kube.CoreV1().Pods(p.Namespace).Update(ctx, p, metav1.UpdateOptions{}); err != nil {
		b.Fatal(err)
	}
}

// waitEvents waits for the next event on the watcher after before events.
func waitEvents(b *testing.B, w *nodeWatcher, before int) {
	select {
	case <-w.events:
		w.n = before + 1
	case <-time.After(30 * time.Second):
		b.Fatal("no AppliedToGroup event on the Pod's Node within 30s")
	}
}
