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

package registrytest

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/strata-net/strata/apis/crd"
)

// The refused fields that TestRefusedFields tries on each kind.
const (
	// L7PeerPath is the refused field of L7Egress in a ClusterNetworkPolicy or
	// an Antrea NetworkPolicy.
	L7PeerPath = "spec.egress[0].l7Protocols"
	// ExternalEntityPath is the refused field of ExternalEntitySpec in a
	// ClusterGroup or a Group.
	ExternalEntityPath = "spec.externalEntitySelector"
)

// L7Egress is the egress of a policy that allows TLS to one server name.
func L7Egress() []crd.Rule {
	allow := crd.RuleActionAllow
	return []crd.Rule{{Action: &allow, Name: "AllowTLS", To: []crd.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{}}},
		L7Protocols: []crd.L7Protocol{{TLS: &crd.TLSProtocol{SNI: "example.com"}}}}}
}

// ExternalEntitySpec is the spec of a group that selects external entities.
func ExternalEntitySpec() crd.GroupSpec {
	return crd.GroupSpec{ExternalEntitySelector: &metav1.LabelSelector{MatchLabels: map[string]string{"vm": "db"}}}
}
