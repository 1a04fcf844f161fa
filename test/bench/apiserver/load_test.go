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
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// loadResult is the outcome of n operations run by concurrent workers.
type loadResult struct {
	ops       int
	wall      time.Duration
	latencies []time.Duration // sorted
}

// runLoad runs op(ctx, i) for i in [0, n) on workers goroutines and records the
// latency of each call. It stops at the first error.
func runLoad(ctx context.Context, n, workers int, op func(ctx context.Context, i int) error) (loadResult, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	latencies := make([]time.Duration, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n && ctx.Err() == nil; i = int(next.Add(1) - 1) {
				t0 := time.Now()
				if err := op(ctx, i); err != nil {
					cancel(fmt.Errorf("operation %d: %w", i, err))
					return
				}
				latencies[i] = time.Since(t0)
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return loadResult{}, err
	}
	slices.Sort(latencies)
	return loadResult{ops: n, wall: time.Since(start), latencies: latencies}, nil
}

// opsPerSecond is the throughput over the wall time of the whole run.
func (r loadResult) opsPerSecond() float64 { return float64(r.ops) / r.wall.Seconds() }

// percentile returns the q-quantile (0 < q <= 1) of the latencies.
func (r loadResult) percentile(q float64) time.Duration { return percentile(r.latencies, q) }

// percentile returns the q-quantile of sorted durations (nearest rank).
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}

// report reports throughput and latency percentiles of r, and replaces ns/op by the
// wall time per operation (the inverse of the throughput).
func (r loadResult) report(b *testing.B) {
	b.ReportMetric(r.opsPerSecond(), "ops/s")
	b.ReportMetric(ms(r.percentile(0.50)), "p50-ms")
	b.ReportMetric(ms(r.percentile(0.99)), "p99-ms")
	b.ReportMetric(ms(r.latencies[len(r.latencies)-1]), "max-ms")
	b.ReportMetric(float64(r.wall.Nanoseconds())/float64(r.ops), "ns/op")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
