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
	"runtime/debug"
	"sync/atomic"
	"syscall"
	"time"
)

// heapSampleInterval is how often the heap is sampled while a scenario computes.
// Antrea's perf test samples every 500 ms; sampling more often can only find a
// larger maximum, so our figures are never flattered by the finer interval.
const heapSampleInterval = 20 * time.Millisecond

// heapPeaks are the largest heap figures seen while a scenario computes, baseline
// (the fake clientsets' objects) included.
type heapPeaks struct {
	// alloc is runtime.MemStats.Alloc (= HeapAlloc): the bytes of allocated heap
	// objects, live or not yet collected. It is the statistic of Antrea's
	// networkpolicy_controller_perf_test.go (statMaxMemAlloc), not subtracted
	// from anything.
	alloc atomic.Uint64
	// inUse is runtime.MemStats.HeapInuse: the bytes of the heap's in-use spans,
	// which also counts the free slots of partly used spans (≥ alloc).
	inUse atomic.Uint64
	// allocAt is when alloc peaked, in nanoseconds since start.
	allocAt atomic.Int64
	start   time.Time
}

// coldHeap collects and hands the heap's free memory back to the OS, so that a
// scenario pays for the fresh pages it needs whichever ran before it in the same
// process (on a warm heap the S1 fixture synced in 1.0 s, on a cold one in 4.5 s),
// and returns HeapInuse: the fixture's own size before its informers start.
func coldHeap() uint64 {
	debug.FreeOSMemory()
	_, inUse := readHeap()
	return inUse
}

// liveHeap is the heap that is still reachable: HeapAlloc right after a collection.
func liveHeap() uint64 {
	runtime.GC()
	alloc, _ := readHeap()
	return alloc
}

func readHeap() (alloc, inUse uint64) {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.Alloc, m.HeapInuse
}

// record keeps the larger of the peaks and the current heap.
func (p *heapPeaks) record() {
	alloc, inUse := readHeap()
	if storeMax(&p.alloc, alloc) {
		p.allocAt.Store(int64(time.Since(p.start)))
	}
	storeMax(&p.inUse, inUse)
}

// storeMax stores n in v when it is larger, and tells whether it was.
func storeMax(v *atomic.Uint64, n uint64) bool {
	for old := v.Load(); n > old; old = v.Load() {
		if v.CompareAndSwap(old, n) {
			return true
		}
	}
	return false
}

// sampleHeap records the peaks every heapSampleInterval until ctx ends.
func sampleHeap(ctx context.Context) *heapPeaks {
	peaks := &heapPeaks{start: time.Now()}
	peaks.record()
	go func() {
		t := time.NewTicker(heapSampleInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				peaks.record()
			}
		}
	}()
	return peaks
}

// cpuTime is the user and system CPU time the process used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
