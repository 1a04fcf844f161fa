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
	"sync"
	"sync/atomic"
)

// parallelMin is the number of items below which forEach stays on the calling
// goroutine: an incremental change touches a few groups, and starting goroutines
// for them would cost more than it saves.
const parallelMin = 256

// parallelChunk is how many consecutive items a worker takes at a time.
const parallelChunk = 64

// forEach calls fn(i) for every i in [0, n), spread over GOMAXPROCS goroutines
// when n is large, and returns when every call has returned. fn must only write
// what belongs to i.
func forEach(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), (n+parallelChunk-1)/parallelChunk)
	if n < parallelMin || workers < 2 {
		for i := range n {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				start := int(next.Add(parallelChunk)) - parallelChunk
				if start >= n {
					return
				}
				for i := start; i < min(start+parallelChunk, n); i++ {
					fn(i)
				}
			}
		})
	}
	wg.Wait()
}
