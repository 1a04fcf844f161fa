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
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/strata-net/strata/apis/crd"
)

// validPolicy returns a valid Antrea NetworkPolicy named name, in the Namespace
// "default" and the securityops Tier.
func validPolicy(name string) *crd.NetworkPolicy {
	allow := crd.RuleActionAllow
	return &crd.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
		Spec: crd.NetworkPolicySpec{
			Tier:      "securityops",
			Priority:  5,
			AppliedTo: []crd.AppliedTo{{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "db"}}}},
			Ingress: []crd.Rule{{
				Action: &allow,
				From:   []crd.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}}},
				Name:   "AllowFromWeb",
			}},
		},
	}
}

// realized is a status of a policy realized on n of n Nodes.
func realized(n int32) crd.NetworkPolicyStatus {
	return crd.NetworkPolicyStatus{
		Phase: crd.NetworkPolicyRealized, ObservedGeneration: 1,
		CurrentNodesRealized: n, DesiredNodesRealized: n,
	}
}

func errorFields(errs field.ErrorList) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Field)
	}
	return out
}
