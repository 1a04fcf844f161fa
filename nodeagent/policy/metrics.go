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
	"k8s.io/component-base/metrics"
	"k8s.io/component-base/metrics/legacyregistry"
)

// rewatches counts the watches started again after one ended (the replica went
// away, the connection broke, or the server closed the watch).
var rewatches = metrics.NewCounterVec(&metrics.CounterOpts{
	Name:           "strata_agent_controlplane_rewatches_total",
	Help:           "Watches of the controlplane API started again after one ended, by resource.",
	StabilityLevel: metrics.ALPHA,
}, []string{"resource"})

func init() { legacyregistry.MustRegister(rewatches) }
