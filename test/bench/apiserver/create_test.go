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
	"testing"
)

// BenchmarkCreate reports the creation of the populated set (10k policies by
// default, on -strata.workers client goroutines), then times b.N more creates with
// one and with -strata.workers goroutines. The extra policies are deleted after
// each run, untimed.
//
// The populate case starts and populates the shared server in its first run
// (b.N = 1, longer than any -benchtime in seconds) unless another benchmark did:
// its metrics describe that one population whatever b.N is.
func BenchmarkCreate(b *testing.B) {
	b.Run(fmt.Sprintf("populate-%d/workers-%d", *policies, *workers), func(b *testing.B) {
		f := benchFixture(b)
		f.populated.report(b)
		b.ReportMetric(f.populated.wall.Seconds(), "total-s")
		b.ReportMetric(f.populatedRSS, "peak-RSS-MB")
		b.ReportMetric(f.populatedHeap, "heap-inuse-MB")
		b.ReportMetric(f.populatedLive, "heap-live-MB")
	})
	f := benchFixture(b)
	for _, w := range []int{1, *workers} {
		b.Run(fmt.Sprintf("workers-%d", w), func(b *testing.B) { benchmarkCreate(b, f, w) })
	}
}

func benchmarkCreate(b *testing.B, f *fixture, workers int) {
	ctx := context.Background()
	names := extraNames("create", b.N)
	b.ResetTimer()
	res, err := f.createExtras(ctx, "create", names, workers, nil)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	res.report(b)
	reportMemory(b)
	if err := f.deleteExtras(ctx, names); err != nil {
		b.Fatal(err)
	}
}
