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

package clusternetworkpolicy

import (
	"testing"

	"github.com/strata-net/strata/apis/crd/validation"
	"github.com/strata-net/strata/apis/scheme"
	"github.com/strata-net/strata/registry/registrytest"
)

// TestFlowEstimateAdmission: a policy of 28 estimated flows per Node (4 for the
// selector rule, 24 for 10.0.0.0/8 minus a /16 and a /24) under three limits.
func TestFlowEstimateAdmission(t *testing.T) {
	p := validPolicy("p")
	p.Spec.Ingress[0].From = append(p.Spec.Ingress[0].From, registrytest.FlowPeer())
	old := validPolicy("p")
	old.ResourceVersion, p.ResourceVersion = "1", "1"
	registrytest.FlowEstimateAdmission(t, func(l validation.FlowLimits) registrytest.FlowStrategy {
		s := NewStrategy(scheme.Scheme)
		s.Flows = l
		return s
	}, p, old)
}
