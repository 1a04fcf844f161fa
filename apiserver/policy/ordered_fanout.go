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
	"sync/atomic"
)

// parallelMin is the number of items below which orderedFanOut stays on the calling
// goroutine: an incremental change touches a few groups, and starting goroutines
// for them would cost more than it saves.
const parallelMin = 256

// parallelChunk is how many consecutive items a worker takes at a time.
const parallelChunk = 64

// orderedFanOut calls produce(i) for every i in [0, n), spread over GOMAXPROCS goroutines
// taking parallelChunk items at a time, and, on the calling goroutine, consume(i)
// for every i in order, each as soon as produce(i) has returned: the producers run
// ahead while the consumer applies what they made. produce must only write what
// belongs to i, and only read what consume writes under a lock; consume may write
// anything else.
func orderedFanOut(n int, produce, consume func(i int)) {
	chunks := (n + parallelChunk - 1) / parallelChunk
	workers := min(runtime.GOMAXPROCS(0), chunks)
	if n < parallelMin || workers < 2 {
		for i := range n {
			produce(i)
			consume(i)
		}
		return
	}
	done := make([]chan struct{}, chunks)
	for k := range done {
		done[k] = make(chan struct{})
	}
	var next atomic.Int64
	for range workers {
		go func() {
			for {
				k := int(next.Add(1)) - 1
				if k >= chunks {
					return
				}
				for i := k * parallelChunk; i < min((k+1)*parallelChunk, n); i++ {
					produce(i)
				}
				close(done[k])
			}
		}()
	}
	for k := range chunks {
		<-done[k]
		for i := k * parallelChunk; i < min((k+1)*parallelChunk, n); i++ {
			consume(i)
		}
	}
}
