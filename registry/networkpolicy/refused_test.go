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

package networkpolicy

import (
	"testing"

	"github.com/strata-net/strata/apis/crd"
	"github.com/strata-net/strata/apis/scheme"
	"github.com/strata-net/strata/registry/registrytest"
)

// TestRefusedFields: an egress rule with l7Protocols is refused as registrytest.TestRefusedFields describes.
func TestRefusedFields(t *testing.T) {
	s := NewStrategy(scheme.Scheme)
	registrytest.TestRefusedFields(t, registrytest.RefusedFields[*crd.NetworkPolicy]{
		Path: registrytest.L7PeerPath, Strategy: s, Status: NewStatusStrategy(s), Valid: validPolicy,
		AddRefused: func(p *crd.NetworkPolicy) { p.Spec.Egress = registrytest.L7Egress() },
		SetStatus:  func(p *crd.NetworkPolicy) { p.Status = realized(2) },
	})
}
