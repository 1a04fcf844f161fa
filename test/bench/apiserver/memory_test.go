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
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// peakRSSBytes reads VmHWM, the peak resident set size of this process, from
// /proc/self/status. The server, its embedded etcd and the benchmark client share
// the process, so this is their sum.
func peakRSSBytes() (uint64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, fmt.Errorf("reading the peak RSS: %w", err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		value, ok := strings.CutPrefix(s.Text(), "VmHWM:")
		if !ok {
			continue
		}
		kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("parsing VmHWM %q: %w", value, err)
		}
		return kb * 1024, nil
	}
	if err := s.Err(); err != nil {
		return 0, fmt.Errorf("reading /proc/self/status: %w", err)
	}
	return 0, fmt.Errorf("no VmHWM in /proc/self/status")
}

// reportMemory reports the peak RSS of the process so far, the Go heap in use now,
// and the live heap (in use after a forced garbage collection), in MB.
func reportMemory(b *testing.B) {
	b.Helper()
	peak, err := peakRSSBytes()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(mb(peak), "peak-RSS-MB")
	inuse, live := heapMB()
	b.ReportMetric(inuse, "heap-inuse-MB")
	b.ReportMetric(live, "heap-live-MB")
}

// heapMB returns the Go heap in use (server, etcd and client together) now and
// after a forced garbage collection, in MB.
func heapMB() (inuse, live float64) {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	inuse = mb(m.HeapInuse)
	runtime.GC()
	runtime.ReadMemStats(&m)
	return inuse, mb(m.HeapInuse)
}

func mb(bytes uint64) float64 { return float64(bytes) / (1 << 20) }
