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
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// EnforcementAnnotation selects how an Antrea ClusterNetworkPolicy or
// NetworkPolicy is enforced: "enforce" (the default, also when absent) or
// "audit" (its rules count and log the action they would take, and never
// decide: docs/observability.md, "Audit mode").
const EnforcementAnnotation = "policy.strata.io/enforcement"

// The values of EnforcementAnnotation.
const (
	EnforcementEnforce = "enforce"
	EnforcementAudit   = "audit"
)

// IsAudit tells whether a policy's annotations put it in audit mode.
func IsAudit(annotations map[string]string) bool {
	return annotations[EnforcementAnnotation] == EnforcementAudit
}

// validateEnforcement checks the enforcement annotation of a policy.
func validateEnforcement(meta *metav1.ObjectMeta) field.ErrorList {
	v, ok := meta.Annotations[EnforcementAnnotation]
	if !ok || v == EnforcementEnforce || v == EnforcementAudit {
		return nil
	}
	path := metadataPath.Child("annotations").Key(EnforcementAnnotation)
	return field.ErrorList{field.NotSupported(path, v, []string{EnforcementEnforce, EnforcementAudit})}
}
