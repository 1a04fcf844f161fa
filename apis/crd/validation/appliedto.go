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
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/strata-net/strata/apis/crd"
)

// validateAppliedToList validates the appliedTo entries of a policy or rule.
func validateAppliedToList(list []crd.AppliedTo, pos position, kind policyKind, path *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	services := 0
	for i := range list {
		a := &list[i]
		p := path.Index(i)
		allErrs = append(allErrs, validateSelection(appliedToFields(a), kind, pos, p)...)
		allErrs = append(allErrs, validateSelector(a.PodSelector, p.Child("podSelector"))...)
		allErrs = append(allErrs, validateSelector(a.NamespaceSelector, p.Child("namespaceSelector"))...)
		allErrs = append(allErrs, validateSelector(a.ExternalEntitySelector, p.Child("externalEntitySelector"))...)
		allErrs = append(allErrs, validateSelector(a.NodeSelector, p.Child("nodeSelector"))...)
		allErrs = append(allErrs, validateGroupRef(a.Group, p.Child("group"))...)
		allErrs = append(allErrs, validateNamespacedName(a.ServiceAccount, p.Child("serviceAccount"))...)
		allErrs = append(allErrs, validateNamespacedName(a.Service, p.Child("service"))...)
		if a.Service != nil {
			services++
		}
	}
	if services > 0 && services < len(list) {
		for i := range list {
			if list[i].Service == nil {
				allErrs = append(allErrs, field.Forbidden(path.Index(i),
					"a policy or rule applied to Services cannot be applied to other workloads at the same time"))
			}
		}
	}
	return allErrs
}

// isServiceAppliedTo tells whether an appliedTo list selects Services.
func isServiceAppliedTo(list []crd.AppliedTo) bool {
	return len(list) > 0 && list[0].Service != nil
}

// validateGroupRef checks the name of a referenced ClusterGroup or Group. The group
// need not exist (it is resolved when it appears).
func validateGroupRef(name string, path *field.Path) field.ErrorList {
	if name == "" {
		return nil
	}
	return invalidIf(path, name, "is not a valid group name", validation.IsDNS1123Subdomain(name))
}
