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
	"sync"

	"k8s.io/component-base/metrics"
	"k8s.io/component-base/metrics/legacyregistry"

	cpregistry "github.com/strata-net/strata/registry/controlplane"
)

// objectsPublished counts the computed objects written to the controlplane
// stores, by resource and operation (upsert, delete).
var objectsPublished = metrics.NewCounterVec(&metrics.CounterOpts{
	Namespace:      "strata_apiserver",
	Name:           "objects_published_total",
	Help:           "Computed controlplane objects published to the agents' watches, by resource and operation (upsert, delete).",
	StabilityLevel: metrics.ALPHA,
}, []string{"resource", "operation"})

var watchersDesc = metrics.NewDesc("strata_apiserver_controlplane_watchers",
	"Running watches of the controlplane API, by resource.", []string{"resource"}, nil, metrics.ALPHA, "")

// watchersCollector reads the stores' watcher counts at scrape time.
type watchersCollector struct {
	metrics.BaseStableCollector
	stores *cpregistry.Stores
}

func (c *watchersCollector) DescribeWithStability(ch chan<- *metrics.Desc) { ch <- watchersDesc }

func (c *watchersCollector) CollectWithStability(ch chan<- metrics.Metric) {
	for _, s := range []struct {
		resource string
		n        int
	}{{"networkpolicies", c.stores.NetworkPolicies.WatchersNum()}, {"addressgroups", c.stores.AddressGroups.WatchersNum()},
		{"appliedtogroups", c.stores.AppliedToGroups.WatchersNum()}} {
		ch <- metrics.NewLazyConstMetric(watchersDesc, metrics.GaugeValue, float64(s.n), s.resource)
	}
}

var registerOnce sync.Once

// registerMetrics registers the server's metrics once per process (tests start
// several servers); the watcher counts are those of the first server's stores.
func registerMetrics(stores *cpregistry.Stores) {
	registerOnce.Do(func() {
		legacyregistry.MustRegister(objectsPublished)
		legacyregistry.CustomMustRegister(&watchersCollector{stores: stores})
	})
}

func published(resource, operation string, err error) error {
	if err == nil {
		objectsPublished.WithLabelValues(resource, operation).Inc()
	}
	return err
}
