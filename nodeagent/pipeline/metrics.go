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

package pipeline

import (
	"context"
	"sync"
	"time"

	"k8s.io/component-base/metrics"
	"k8s.io/component-base/metrics/legacyregistry"

	"github.com/strata-net/strata/nodeagent/ovs/openflow"
)

var (
	bundleDuration = metrics.NewHistogram(&metrics.HistogramOpts{
		Namespace:      "strata_agent",
		Name:           "bundle_duration_seconds",
		Help:           "Time to install one atomic bundle of flow and group changes in Open vSwitch (sent to committed or refused).",
		Buckets:        metrics.ExponentialBuckets(0.0005, 4, 10),
		StabilityLevel: metrics.ALPHA,
	})
	bundleFailures = metrics.NewCounter(&metrics.CounterOpts{
		Namespace:      "strata_agent",
		Name:           "bundle_failures_total",
		Help:           "Bundles Open vSwitch refused or that could not be sent (nothing of them is installed).",
		StabilityLevel: metrics.ALPHA,
	})
)

var registerOnce sync.Once

func registerMetrics() {
	registerOnce.Do(func() { legacyregistry.MustRegister(bundleDuration, bundleFailures) })
}

// timedBundle is bundle, measured.
func timedBundle(ctx context.Context, conn *openflow.Conn, upserts []openflow.GroupMod, mods []openflow.FlowMod,
	deletes []openflow.GroupMod) error {
	start := time.Now()
	err := bundle(ctx, conn, upserts, mods, deletes)
	bundleDuration.Observe(time.Since(start).Seconds())
	if err != nil {
		bundleFailures.Inc()
	}
	return err
}

// FlowsPerTable counts the flows the pipeline has installed, by table name.
func (p *Pipeline) FlowsPerTable() map[string]int {
	var counts [numTables]int
	p.mu.Lock()
	for _, e := range p.flows.entries {
		if e.isInstall && int(e.installed.Table) < len(counts) {
			counts[e.installed.Table]++
		}
	}
	p.mu.Unlock()
	out := map[string]int{}
	for table, n := range counts {
		if n > 0 {
			out[TableName(uint8(table))] = n
		}
	}
	return out
}
