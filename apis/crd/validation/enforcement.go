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

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// EnforcementAnnotation selects how an Antrea ClusterNetworkPolicy or
// NetworkPolicy is enforced. Only "enforce" (the default) is implemented: audit
// mode (count and log, never decide) is not built yet, so "audit" is refused
// rather than silently enforced.
const EnforcementAnnotation = "policy.strata.io/enforcement"

// validateEnforcement checks the enforcement annotation of a policy.
func validateEnforcement(meta *metav1.ObjectMeta) field.ErrorList {
	v, ok := meta.Annotations[EnforcementAnnotation]
	if !ok || v == "enforce" {
		return nil
	}
	path := metadataPath.Child("annotations").Key(EnforcementAnnotation)
	if v == "audit" {
		return field.ErrorList{field.Forbidden(path, fmt.Sprintf(
			"audit mode is not implemented yet (the policy would be enforced, not audited): remove %s or set it to \"enforce\"",
			EnforcementAnnotation))}
	}
	return field.ErrorList{field.NotSupported(path, v, []string{"enforce"})}
}
