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

package cniserver

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// benchPods is the number of Pods attached to one node per iteration.
const benchPods = 200

// BenchmarkCNIAddDel attaches 200 Pods to one node, one after the other, the
// way a runtime does (libcni exec'ing the installed strata-cni, the agent's
// server doing IPAM, veth, OVS port, ofport wait and the Pod flows through
// podsync and the pipeline), then detaches them, and reports the latency
// percentiles of ADD and DEL. Run with -benchtime=1x.
func BenchmarkCNIAddDel(b *testing.B) {
	n := startNode(b, nodeOptions{})
	var adds, dels []time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		pods := make([]*testPod, benchPods)
		for j := range pods {
			pods[j] = n.newPod(fmt.Sprintf("bench-%d", j))
		}
		b.StartTimer()
		for _, p := range pods {
			start := time.Now()
			if _, err := n.runtimeAdd(p); err != nil {
				b.Fatalf("ADD %s: %v", p.name, err)
			}
			adds = append(adds, time.Since(start))
		}
		for _, p := range pods {
			start := time.Now()
			if err := n.runtimeDel(p); err != nil {
				b.Fatalf("DEL %s: %v", p.name, err)
			}
			dels = append(dels, time.Since(start))
		}
		b.StopTimer()
		for _, p := range pods {
			p.removeNetNS()
		}
		b.StartTimer()
	}
	b.StopTimer()
	n.requireClean()
	b.ReportMetric(percentileMS(adds, 50), "p50-add-ms")
	b.ReportMetric(percentileMS(adds, 99), "p99-add-ms")
	b.ReportMetric(percentileMS(dels, 50), "p50-del-ms")
	b.ReportMetric(percentileMS(dels, 99), "p99-del-ms")
}

// percentileMS is the p-th percentile (nearest rank) in milliseconds.
func percentileMS(d []time.Duration, p int) float64 {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	idx := (len(s)*p+99)/100 - 1
	idx = max(0, min(idx, len(s)-1))
	return float64(s[idx].Microseconds()) / 1000
}
