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

package nodeagent

import (
	"sync"
	"sync/atomic"
	"time"

	"k8s.io/component-base/metrics"
	"k8s.io/component-base/metrics/legacyregistry"
)

// The agent's metrics read at scrape time (the others are counted where they
// happen: nodeagent/pipeline, nodeagent/packetin).
var (
	flowsDesc = metrics.NewDesc("strata_agent_flows", "Flows the agent has installed in Open vSwitch, by table.",
		[]string{"table"}, nil, metrics.ALPHA, "")
	rulesFailedDesc = metrics.NewDesc("strata_agent_rules_failed", "Rules that failed to install (reported Failed; retried).",
		nil, nil, metrics.ALPHA, "")
	reconnectsDesc = metrics.NewDesc("strata_agent_ovs_reconnects_total",
		"Reconnections to Open vSwitch since the agent started, by connection (ovsdb, openflow).",
		[]string{"connection"}, nil, metrics.ALPHA, "")
	packetInsDroppedDesc = metrics.NewDesc("strata_agent_packet_ins_dropped_total",
		"Packet-ins dropped because the agent's queue was full, on the current OpenFlow connection.", nil, nil, metrics.ALPHA, "")
	syncAgeDesc = metrics.NewDesc("strata_agent_sync_age_seconds",
		"Seconds since the agent last installed everything its controlplane watches delivered (up to a BOOKMARK); absent before the first time.",
		nil, nil, metrics.ALPHA, "")
)

// current is the agent the collector reports on: the last one started in this
// process (one, except in tests).
var current atomic.Pointer[Agent]

type agentCollector struct{ metrics.BaseStableCollector }

func (*agentCollector) DescribeWithStability(ch chan<- *metrics.Desc) {
	for _, d := range []*metrics.Desc{flowsDesc, rulesFailedDesc, reconnectsDesc, packetInsDroppedDesc, syncAgeDesc} {
		ch <- d
	}
}

func (*agentCollector) CollectWithStability(ch chan<- metrics.Metric) {
	a := current.Load()
	if a == nil {
		return
	}
	p := a.running.Load()
	if p == nil {
		return
	}
	for table, n := range p.pipeline.FlowsPerTable() {
		ch <- metrics.NewLazyConstMetric(flowsDesc, metrics.GaugeValue, float64(n), table)
	}
	ch <- metrics.NewLazyConstMetric(rulesFailedDesc, metrics.GaugeValue, float64(p.policies.FailedRules()))
	ch <- metrics.NewLazyConstMetric(reconnectsDesc, metrics.CounterValue, float64(max(p.db.Connects()-1, 0)), "ovsdb")
	ch <- metrics.NewLazyConstMetric(reconnectsDesc, metrics.CounterValue, float64(max(p.of.Connects()-1, 0)), "openflow")
	ch <- metrics.NewLazyConstMetric(packetInsDroppedDesc, metrics.CounterValue, float64(p.of.DroppedPacketIns()))
	if last := p.policies.LastSync(); !last.IsZero() {
		ch <- metrics.NewLazyConstMetric(syncAgeDesc, metrics.GaugeValue, time.Since(last).Seconds())
	}
}

var registerOnce sync.Once

func registerMetrics(a *Agent) {
	current.Store(a)
	registerOnce.Do(func() { legacyregistry.CustomMustRegister(&agentCollector{}) })
}
