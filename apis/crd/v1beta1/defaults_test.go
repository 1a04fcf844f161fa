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

package v1beta1_test

import (
	"testing"

	"github.com/strata-net/strata/apis/crd/v1beta1"
	"github.com/strata-net/strata/apis/scheme"
)

func TestDefaultPortProtocol(t *testing.T) {
	udp := v1beta1.ProtocolUDP
	p := &v1beta1.ClusterNetworkPolicy{Spec: v1beta1.ClusterNetworkPolicySpec{
		Ingress: []v1beta1.Rule{{Ports: []v1beta1.NetworkPolicyPort{{}, {Protocol: &udp}}}},
	}}
	scheme.Scheme.Default(p)
	ports := p.Spec.Ingress[0].Ports
	if ports[0].Protocol == nil || *ports[0].Protocol != v1beta1.ProtocolTCP {
		t.Fatalf("unset protocol defaulted to %v, want TCP", ports[0].Protocol)
	}
	if *ports[1].Protocol != v1beta1.ProtocolUDP {
		t.Fatalf("UDP became %v", *ports[1].Protocol)
	}
}
