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
	// FQDNPeerPath is the refused field of FQDNEgress in a ClusterNetworkPolicy or
	// an Antrea NetworkPolicy.
	FQDNPeerPath = "spec.egress[0].to[0].fqdn"
	// ExternalEntityPath is the refused field of ExternalEntitySpec in a
	// ClusterGroup or a Group.
	ExternalEntityPath = "spec.externalEntitySelector"
)

// FQDNEgress is the egress of a policy that drops traffic to a peer by FQDN.
func FQDNEgress() []crd.Rule {
	drop := crd.RuleActionDrop
	return []crd.Rule{{Action: &drop, Name: "DropDNS", To: []crd.NetworkPolicyPeer{{FQDN: "example.com"}}}}
}

// ExternalEntitySpec is the spec of a group that selects external entities.
func ExternalEntitySpec() crd.GroupSpec {
	return crd.GroupSpec{ExternalEntitySelector: &metav1.LabelSelector{MatchLabels: map[string]string{"vm": "db"}}}
}
