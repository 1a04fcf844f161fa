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
	"sync"

	"k8s.io/component-base/metrics"
	"k8s.io/component-base/metrics/legacyregistry"
)

var (
	passDuration = metrics.NewHistogram(&metrics.HistogramOpts{
		Namespace:      "strata_apiserver",
		Subsystem:      "computation",
		Name:           "pass_duration_seconds",
		Help:           "Duration of one pass of the policy computation (draining its dirty sets once).",
		Buckets:        metrics.ExponentialBuckets(0.0005, 4, 10),
		StabilityLevel: metrics.ALPHA,
	})
	passSize = metrics.NewHistogram(&metrics.HistogramOpts{
		Namespace:      "strata_apiserver",
		Subsystem:      "computation",
		Name:           "pass_size",
		Help:           "Dirty items one pass of the policy computation started with (policies, ClusterGroups, spans, AddressGroups).",
		Buckets:        metrics.ExponentialBuckets(1, 4, 10),
		StabilityLevel: metrics.ALPHA,
	})
	statusLag = metrics.NewHistogram(&metrics.HistogramOpts{
		Namespace:      "strata_apiserver",
		Subsystem:      "status",
		Name:           "aggregation_lag_seconds",
		Help:           "Time from an agent's realization report to the policy status that includes it being written.",
		Buckets:        metrics.ExponentialBuckets(0.001, 4, 10),
		StabilityLevel: metrics.ALPHA,
	})
)

var registerOnce sync.Once

func registerMetrics() {
	registerOnce.Do(func() { legacyregistry.MustRegister(passDuration, passSize, statusLag) })
}
