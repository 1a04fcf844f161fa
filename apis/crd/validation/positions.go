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

package validation

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/sets"
)

// position is where an appliedTo entry or a peer appears in a policy.
type position int

const (
	appliedToSpec position = iota
	appliedToIngressRule
	appliedToEgressRule
	peerIngress // ingress[].from
	peerEgress  // egress[].to
)

func (p position) String() string {
	return [...]string{
		"spec.appliedTo", "the appliedTo of an ingress rule", "the appliedTo of an egress rule",
		"ingress peers (from)", "egress peers (to)",
	}[p]
}

// allowedFields lists, per policy kind and position, the JSON field names that may
// be set there (Antrea's CRD schemas; fields outside them are refused, not pruned).
var allowedFields = map[policyKind]map[position]sets.Set[string]{
	clusterPolicy: {
		appliedToSpec:        sets.New("podSelector", "namespaceSelector", "group", "serviceAccount", "service", "nodeSelector"),
		appliedToIngressRule: sets.New("podSelector", "namespaceSelector", "group", "serviceAccount", "service"),
		appliedToEgressRule:  sets.New("podSelector", "namespaceSelector", "group", "serviceAccount"),
		peerIngress:          sets.New("podSelector", "namespaceSelector", "namespaces", "ipBlock", "group", "serviceAccount", "nodeSelector", "scope"),
		peerEgress:           sets.New("podSelector", "namespaceSelector", "namespaces", "ipBlock", "group", "fqdn", "serviceAccount", "nodeSelector"),
	},
	namespacedPolicy: {
		appliedToSpec:        sets.New("podSelector", "externalEntitySelector", "group"),
		appliedToIngressRule: sets.New("podSelector", "group"),
		appliedToEgressRule:  sets.New("podSelector", "group"),
		peerIngress:          sets.New("podSelector", "namespaceSelector", "externalEntitySelector", "ipBlock", "group", "nodeSelector", "scope"),
		peerEgress:           sets.New("podSelector", "namespaceSelector", "externalEntitySelector", "ipBlock", "group", "fqdn", "nodeSelector"),
	},
}

// standaloneFields select on their own: they cannot be combined with any other
// selecting field in the same appliedTo entry or peer.
var standaloneFields = []string{"ipBlock", "group", "fqdn", "serviceAccount", "service", "nodeSelector"}

// modifierFields qualify a selection without selecting anything themselves.
var modifierFields = sets.New("scope")

// combinableFields may be combined with each other (pods in selected namespaces).
var combinableFields = sets.New("podSelector", "namespaceSelector", "namespaces", "externalEntitySelector")

func notAllowedMessage(name string, kind policyKind, pos position) string {
	allowed := sets.List(allowedFields[kind][pos])
	return fmt.Sprintf("%s is not allowed in %s of a %s (allowed: %s)", name, pos, kind, strings.Join(allowed, ", "))
}
