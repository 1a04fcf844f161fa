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
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
)

// The condition types Strata writes on a ClusterNetworkPolicy.
const (
	// ConditionAccepted is True when every part of the policy is enforced as
	// written, False when a part is refused (it fails closed: the rest is enforced).
	ConditionAccepted = "Accepted"
	// ConditionRealized is True when every Node that needs the policy realized the
	// generation of the policy the conditions are about.
	ConditionRealized = "Realized"
)

// The reasons of the conditions. A False Accepted carries the computation's own
// reason (UnsupportedField, ...).
const (
	ReasonAccepted          = "Accepted"
	ReasonRealized          = "Realized"
	ReasonPending           = "Pending"
	ReasonRealizationFailed = "RealizationFailed"
)

// Conditions turns the aggregated status of a policy into its upstream
// conditions; their observedGeneration is the generation the status is about.
func Conditions(st crdv1beta1.NetworkPolicyStatus) []metav1.Condition {
	return []metav1.Condition{accepted(st), realized(st)}
}

// accepted is False with the computation's reason and messages when the policy has
// issues: a False Realizable whose reason is not the Nodes' failure.
func accepted(st crdv1beta1.NetworkPolicyStatus) metav1.Condition {
	c := metav1.Condition{Type: ConditionAccepted, Status: metav1.ConditionTrue, ObservedGeneration: st.ObservedGeneration,
		Reason: ReasonAccepted, Message: "Every part of the policy is enforced as written"}
	realizable, failure := find(st, crdv1beta1.NetworkPolicyConditionRealizable), find(st, crdv1beta1.NetworkPolicyConditionRealizationFailure)
	if realizable == nil || realizable.Status != metav1.ConditionFalse || (failure != nil && realizable.Reason == failure.Reason) {
		return c
	}
	c.Status, c.Reason, c.Message = metav1.ConditionFalse, realizable.Reason, realizable.Message
	return c
}

// realized is True when every Node of the span realized the generation, False with
// Pending while some has not reported it, or RealizationFailed (the Nodes'
// messages) when some failed.
func realized(st crdv1beta1.NetworkPolicyStatus) metav1.Condition {
	c := metav1.Condition{Type: ConditionRealized, Status: metav1.ConditionFalse, ObservedGeneration: st.ObservedGeneration}
	count := fmt.Sprintf("Realized on %d of %d Nodes", st.CurrentNodesRealized, st.DesiredNodesRealized)
	failure := find(st, crdv1beta1.NetworkPolicyConditionRealizationFailure)
	switch {
	case st.Phase == crdv1beta1.NetworkPolicyPending:
		c.Reason, c.Message = ReasonPending, "Not computed yet: nothing of the policy is enforced"
	case failure != nil && failure.Status == metav1.ConditionTrue:
		c.Reason, c.Message = ReasonRealizationFailed, count+"; "+failure.Message
	case st.CurrentNodesRealized == st.DesiredNodesRealized && st.DesiredNodesRealized == 0:
		c.Status, c.Reason, c.Message = metav1.ConditionTrue, ReasonRealized, count+": no Node runs a Pod it applies to"
	case st.CurrentNodesRealized == st.DesiredNodesRealized:
		c.Status, c.Reason, c.Message = metav1.ConditionTrue, ReasonRealized, count
	default:
		c.Reason, c.Message = ReasonPending, fmt.Sprintf("%s; the others have not reported generation %d yet", count, st.ObservedGeneration)
	}
	return c
}

func find(st crdv1beta1.NetworkPolicyStatus, t crdv1beta1.NetworkPolicyConditionType) *crdv1beta1.NetworkPolicyCondition {
	for i := range st.Conditions {
		if st.Conditions[i].Type == t {
			return &st.Conditions[i]
		}
	}
	return nil
}

// setConditions sets want into conditions, keeping the other types (another
// writer's) and the transition time of a condition whose status did not change;
// it tells whether anything but transition times changed.
func setConditions(conditions *[]metav1.Condition, want []metav1.Condition) bool {
	changed := false
	for _, c := range want {
		if meta.SetStatusCondition(conditions, c) {
			changed = true
		}
	}
	return changed
}
