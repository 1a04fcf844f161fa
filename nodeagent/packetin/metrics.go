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

package packetin

import (
	"sync"

	"k8s.io/component-base/metrics"
	"k8s.io/component-base/metrics/legacyregistry"
)

var (
	packetIns = metrics.NewCounterVec(&metrics.CounterOpts{
		Namespace:      "strata_agent",
		Name:           "packet_ins_total",
		Help:           "Policy packet-ins (np.log, reject) by result: handled, or ignored (unparsable or failed).",
		StabilityLevel: metrics.ALPHA,
	}, []string{"result"})
	auditLogWriteErrors = metrics.NewCounter(&metrics.CounterOpts{
		Namespace:      "strata_agent",
		Name:           "audit_log_write_errors_total",
		Help:           "Lines of np.log that could not be written.",
		StabilityLevel: metrics.ALPHA,
	})
)

var registerOnce sync.Once

func registerMetrics() {
	registerOnce.Do(func() { legacyregistry.MustRegister(packetIns, auditLogWriteErrors) })
}
