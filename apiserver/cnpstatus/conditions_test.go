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

package cnpstatus

import (
	"testing"

	"github.com/stretchr/testify/assert"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
)

// antreaStatus is an aggregated status as the policy status aggregator writes it.
func antreaStatus(phase crdv1beta1.NetworkPolicyPhase, current, desired int32, conds ...crdv1beta1.NetworkPolicyCondition) crdv1beta1.NetworkPolicyStatus {
	return crdv1beta1.NetworkPolicyStatus{Phase: phase, ObservedGeneration: 3, CurrentNodesRealized: current,
		DesiredNodesRealized: desired, Conditions: conds}
}

func realizable(status metav1.ConditionStatus, reason, msg string) crdv1beta1.NetworkPolicyCondition {
	return crdv1beta1.NetworkPolicyCondition{Type: crdv1beta1.NetworkPolicyConditionRealizable, Status: status, Reason: reason, Message: msg}
}

const nodeFailure = "NetworkPolicyRealizationFailedOnNode"

var failureCondition = crdv1beta1.NetworkPolicyCondition{Type: crdv1beta1.NetworkPolicyConditionRealizationFailure,
	Status: metav1.ConditionTrue, Reason: nodeFailure, Message: `Failed Nodes count 1: "n2":"ovs said no"`}

func cond(t string, status metav1.ConditionStatus, reason, msg string) metav1.Condition {
	return metav1.Condition{Type: t, Status: status, ObservedGeneration: 3, Reason: reason, Message: msg}
}

var acceptedTrue = cond(ConditionAccepted, metav1.ConditionTrue, ReasonAccepted, "Every part of the policy is enforced as written")

func TestConditions(t *testing.T) {
	const refused = "spec.ingress[1].peers[0].domainNames: not enforced by this version: the rule is refused and matches nothing"
	for _, tc := range []struct {
		name string
		st   crdv1beta1.NetworkPolicyStatus
		want []metav1.Condition
	}{{
		name: "every Node realized",
		st:   antreaStatus(crdv1beta1.NetworkPolicyRealized, 3, 3, realizable(metav1.ConditionTrue, "", "")),
		want: []metav1.Condition{acceptedTrue, cond(ConditionRealized, metav1.ConditionTrue, ReasonRealized, "Realized on 3 of 3 Nodes")},
	}, {
		name: "some Nodes have not reported the generation",
		st:   antreaStatus(crdv1beta1.NetworkPolicyRealizing, 1, 3, realizable(metav1.ConditionTrue, "", "")),
		want: []metav1.Condition{acceptedTrue, cond(ConditionRealized, metav1.ConditionFalse, ReasonPending,
			"Realized on 1 of 3 Nodes; the others have not reported generation 3 yet")},
	}, {
		name: "no Node needs it",
		st:   antreaStatus(crdv1beta1.NetworkPolicyRealized, 0, 0, realizable(metav1.ConditionTrue, "", "")),
		want: []metav1.Condition{acceptedTrue, cond(ConditionRealized, metav1.ConditionTrue, ReasonRealized,
			"Realized on 0 of 0 Nodes: no Node runs a Pod it applies to")},
	}, {
		name: "a Node failed: accepted, not realized",
		st: antreaStatus(crdv1beta1.NetworkPolicyRealizing, 1, 3, realizable(metav1.ConditionFalse, nodeFailure, failureCondition.Message),
			failureCondition),
		want: []metav1.Condition{acceptedTrue, cond(ConditionRealized, metav1.ConditionFalse, ReasonRealizationFailed,
			`Realized on 1 of 3 Nodes; Failed Nodes count 1: "n2":"ovs said no"`)},
	}, {
		name: "a refused rule: not accepted, the rest realized everywhere",
		st:   antreaStatus(crdv1beta1.NetworkPolicyFailed, 2, 2, realizable(metav1.ConditionFalse, "UnsupportedField", refused)),
		want: []metav1.Condition{cond(ConditionAccepted, metav1.ConditionFalse, "UnsupportedField", refused),
			cond(ConditionRealized, metav1.ConditionTrue, ReasonRealized, "Realized on 2 of 2 Nodes")},
	}, {
		name: "a refused rule and a failed Node",
		st: antreaStatus(crdv1beta1.NetworkPolicyFailed, 1, 2, realizable(metav1.ConditionFalse, "UnsupportedField", refused),
			failureCondition),
		want: []metav1.Condition{cond(ConditionAccepted, metav1.ConditionFalse, "UnsupportedField", refused),
			cond(ConditionRealized, metav1.ConditionFalse, ReasonRealizationFailed, `Realized on 1 of 2 Nodes; Failed Nodes count 1: "n2":"ovs said no"`)},
	}, {
		name: "held: not computed",
		st:   antreaStatus(crdv1beta1.NetworkPolicyPending, 0, 0, realizable(metav1.ConditionFalse, "TierNotFound", "Tier \"x\" does not exist")),
		want: []metav1.Condition{cond(ConditionAccepted, metav1.ConditionFalse, "TierNotFound", "Tier \"x\" does not exist"),
			cond(ConditionRealized, metav1.ConditionFalse, ReasonPending, "Not computed yet: nothing of the policy is enforced")},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Conditions(tc.st))
		})
	}
}
