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

package scale

import "testing"

// refusalCounts are the sync reports refused so far, over all the agents: the
// 409s per server epoch (a report of an epoch no running replica has) and the
// other failures (a 5xx, among them a failed forwarding to the replica of the
// report's epoch, or no answer).
type refusalCounts struct {
	conflicts map[string]int
	failures  int
}

func (e *env) refusals() refusalCounts {
	c := refusalCounts{conflicts: map[string]int{}}
	for _, a := range e.agents {
		c.failures += a.syncs.refusals(c.conflicts)
	}
	return c
}

// reportRefusals reports the sync reports refused since before: sync-409s all
// of them, sync-409s-live those of an epoch of no killed process (a replica
// still running refused a report of its own or another live replica's epoch:
// none expected), sync-failures the other failures.
func (e *env) reportRefusals(b *testing.B, before refusalCounts) {
	now := e.refusals()
	all, live := 0, 0
	for epoch, n := range now.conflicts {
		n -= before.conflicts[epoch]
		all += n
		if !e.dead[epoch] {
			live += n
			if n > 0 {
				b.Logf("%d sync reports of epoch %q refused (409), no killed process's", n, epoch)
			}
		}
	}
	b.ReportMetric(float64(all), "sync-409s")
	b.ReportMetric(float64(live), "sync-409s-live")
	b.ReportMetric(float64(now.failures-before.failures), "sync-failures")
}
