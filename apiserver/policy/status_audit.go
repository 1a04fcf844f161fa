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

package policy

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
)

// reasonAuditMode is the reason of the Audited condition.
const reasonAuditMode = "AuditMode"

// auditedMessage says what audit mode means for the policy's traffic.
const auditedMessage = "audit mode (policy.strata.io/enforcement: audit): the rules are installed, " +
	"counted and logged as AUDIT lines in np.log with the action they would take, but allow, drop or isolate nothing"

// auditedCondition tells that a policy is only audited: its phase says its
// rules are installed, this condition that they decide nothing.
func auditedCondition(now metav1.Time) crdv1beta1.NetworkPolicyCondition {
	return crdv1beta1.NetworkPolicyCondition{Type: crdv1beta1.NetworkPolicyConditionAudited,
		Status: metav1.ConditionTrue, LastTransitionTime: now, Reason: reasonAuditMode, Message: auditedMessage}
}
