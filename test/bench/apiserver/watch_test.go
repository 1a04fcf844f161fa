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
	"slices"
	"sync/atomic"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"

	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
)

// watchTimeout bounds the wait for the events of one benchmark run.
const watchTimeout = 10 * time.Minute

// BenchmarkWatch times watch delivery: the time from sending a create to the ADDED
// event arriving on a watcher of all policies (b.N creates on -strata.workers
// goroutines), and the initial list of the populated set through a watch from
// resourceVersion 0.
func BenchmarkWatch(b *testing.B) {
	f := benchFixture(b)
	b.Run(fmt.Sprintf("create-to-event/workers-%d", *workers), func(b *testing.B) { benchmarkDelivery(b, f) })
	b.Run(fmt.Sprintf("initial-%d-rv0", *policies), func(b *testing.B) { benchmarkInitialEvents(b, f) })
}

func benchmarkDelivery(b *testing.B, f *fixture) {
	ctx, cancel := context.WithTimeout(context.Background(), watchTimeout)
	defer cancel()
	names := extraNames("watch", b.N)
	w, err := f.watchFromNow(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer w.Stop()
	index := indexOf(names)
	sent := make([]atomic.Int64, b.N)
	created := make(chan error, 1)
	b.ResetTimer()
	var creates loadResult
	go func() {
		var err error
		creates, err = f.createExtras(ctx, "watch", names, *workers, func(i int) { sent[i].Store(time.Now().UnixNano()) })
		if err != nil {
			cancel() // stop waiting for events that will not come
		}
		created <- err
	}()
	arrived, waitErr := awaitAdded(ctx, w, index)
	b.StopTimer()
	if err := <-created; err != nil {
		b.Fatal(err)
	}
	if waitErr != nil {
		b.Fatal(waitErr)
	}
	reportDelivery(b, sent, arrived)
	b.ReportMetric(creates.opsPerSecond(), "creates/s")
	b.ReportMetric(ms(creates.percentile(0.99)), "create-p99-ms")
	reportMemory(b)
	if err := f.deleteExtras(context.Background(), names); err != nil {
		b.Fatal(err)
	}
}

// watchFromNow watches all policies from the current resourceVersion, so that
// only new changes arrive.
func (f *fixture) watchFromNow(ctx context.Context) (watch.Interface, error) {
	api := f.client.CrdV1beta1().ClusterNetworkPolicies()
	list, err := api.List(ctx, metav1.ListOptions{Limit: 1})
	if err != nil {
		return nil, fmt.Errorf("reading the current resourceVersion: %w", err)
	}
	w, err := api.Watch(ctx, metav1.ListOptions{ResourceVersion: list.ResourceVersion})
	if err != nil {
		return nil, fmt.Errorf("watching from resourceVersion %s: %w", list.ResourceVersion, err)
	}
	return w, nil
}

// indexOf maps each name to its index.
func indexOf(names []string) map[string]int {
	index := make(map[string]int, len(names))
	for i, name := range names {
		index[name] = i
	}
	return index
}

// awaitAdded reads events until an ADDED event arrived for every name of index,
// and returns when each arrived (UnixNano, by index). Events of other objects are
// ignored.
func awaitAdded(ctx context.Context, w watch.Interface, index map[string]int) ([]int64, error) {
	arrived := make([]int64, len(index))
	for missing := len(index); missing > 0; {
		select {
		case ev, ok := <-w.ResultChan():
			if !ok {
				return nil, fmt.Errorf("the watch closed with %d of %d events missing", missing, len(index))
			}
			now := time.Now().UnixNano()
			if ev.Type == watch.Error {
				return nil, fmt.Errorf("the watch failed with %d of %d events missing: %w", missing, len(index), apierrors.FromObject(ev.Object))
			}
			p, isPolicy := ev.Object.(*crdv1beta1.ClusterNetworkPolicy)
			if !isPolicy || ev.Type != watch.Added {
				continue
			}
			if i, ok := index[p.Name]; ok && arrived[i] == 0 {
				arrived[i], missing = now, missing-1
			}
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for %d of %d ADDED events: %w", missing, len(index), ctx.Err())
		}
	}
	return arrived, nil
}

// reportDelivery reports events/s from the first create sent to the last event
// received, and the percentiles of the create-to-event latency.
func reportDelivery(b *testing.B, sent []atomic.Int64, arrived []int64) {
	latencies := make([]time.Duration, len(arrived))
	first, last := sent[0].Load(), arrived[0]
	for i := range arrived {
		s := sent[i].Load()
		latencies[i] = time.Duration(arrived[i] - s)
		first, last = min(first, s), max(last, arrived[i])
	}
	slices.Sort(latencies)
	wall := time.Duration(last - first)
	b.ReportMetric(float64(len(arrived))/wall.Seconds(), "events/s")
	b.ReportMetric(ms(percentile(latencies, 0.50)), "p50-ms")
	b.ReportMetric(ms(percentile(latencies, 0.99)), "p99-ms")
	b.ReportMetric(ms(latencies[len(latencies)-1]), "max-ms")
}

func benchmarkInitialEvents(b *testing.B, f *fixture) {
	ctx, cancel := context.WithTimeout(context.Background(), watchTimeout)
	defer cancel()
	var firstEvent time.Duration
	b.ResetTimer()
	for range b.N {
		var err error
		if firstEvent, err = f.initialEvents(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	perWatch := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(*policies)/perWatch.Seconds(), "events/s")
	b.ReportMetric(ms(perWatch), "ms/initial-list")
	b.ReportMetric(ms(firstEvent), "first-event-ms")
	reportMemory(b)
}

// initialEvents watches the populated set from resourceVersion 0 and reads the
// synthetic ADDED event of every policy; it returns when the first one arrived.
func (f *fixture) initialEvents(ctx context.Context) (time.Duration, error) {
	start := time.Now()
	w, err := f.client.CrdV1beta1().ClusterNetworkPolicies().Watch(ctx, metav1.ListOptions{
		ResourceVersion: "0", LabelSelector: setLabel + "=base",
	})
	if err != nil {
		return 0, fmt.Errorf("watching from resourceVersion 0: %w", err)
	}
	defer w.Stop()
	var first time.Duration
	for added := 0; added < *policies; {
		select {
		case ev, ok := <-w.ResultChan():
			if !ok {
				return 0, fmt.Errorf("the watch closed after %d of %d initial events", added, *policies)
			}
			if ev.Type == watch.Error {
				return 0, fmt.Errorf("the watch failed after %d initial events: %w", added, apierrors.FromObject(ev.Object))
			}
			if ev.Type != watch.Added {
				return 0, fmt.Errorf("initial event %d is %s, want ADDED", added, ev.Type)
			}
			if added++; added == 1 {
				first = time.Since(start)
			}
		case <-ctx.Done():
			return 0, fmt.Errorf("waiting for %d of %d initial events: %w", *policies-added, *policies, ctx.Err())
		}
	}
	return first, nil
}
