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

package store

import (
	"sync"

	"k8s.io/component-base/metrics"
	"k8s.io/component-base/metrics/legacyregistry"
)

// watcherEvictions counts the watchers stopped as too slow, by resource.
var watcherEvictions = metrics.NewCounterVec(&metrics.CounterOpts{
	Namespace:      "strata_apiserver",
	Subsystem:      "controlplane",
	Name:           "watcher_evictions_total",
	Help:           "Watchers of the controlplane API stopped because they were too slow to receive events (their clients watch again).",
	StabilityLevel: metrics.ALPHA,
}, []string{"resource"})

var registerOnce sync.Once

func registerMetrics() {
	registerOnce.Do(func() { legacyregistry.MustRegister(watcherEvictions) })
}
