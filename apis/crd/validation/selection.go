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

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/strata-net/strata/apis/crd"
)

// setField is one field set in an appliedTo entry or a peer, by JSON name.
type setField struct {
	name string
	set  bool
}

func appliedToFields(a *crd.AppliedTo) []setField {
	return []setField{
		{"podSelector", a.PodSelector != nil},
		{"namespaceSelector", a.NamespaceSelector != nil},
		{"externalEntitySelector", a.ExternalEntitySelector != nil},
		{"group", a.Group != ""},
		{"serviceAccount", a.ServiceAccount != nil},
		{"service", a.Service != nil},
		{"nodeSelector", a.NodeSelector != nil},
	}
}

func peerFields(p *crd.NetworkPolicyPeer) []setField {
	return []setField{
		{"ipBlock", p.IPBlock != nil},
		{"podSelector", p.PodSelector != nil},
		{"namespaceSelector", p.NamespaceSelector != nil},
		{"namespaces", p.Namespaces != nil},
		{"externalEntitySelector", p.ExternalEntitySelector != nil},
		{"group", p.Group != ""},
		{"fqdn", p.FQDN != ""},
		{"serviceAccount", p.ServiceAccount != nil},
		{"nodeSelector", p.NodeSelector != nil},
		{"scope", p.Scope != ""},
	}
}

// validateSelection checks which fields an appliedTo entry or peer sets: each must
// be allowed at its position, at least one must select something, and a standalone
// field (group, ipBlock, ...) cannot be combined with another selecting field.
func validateSelection(fields []setField, kind policyKind, pos position, path *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	var selecting []string
	for _, f := range fields {
		if !f.set {
			continue
		}
		if !allowedFields[kind][pos].Has(f.name) {
			allErrs = append(allErrs, field.Forbidden(path.Child(f.name), notAllowedMessage(f.name, kind, pos)))
		}
		if !modifierFields.Has(f.name) {
			selecting = append(selecting, f.name)
		}
	}
	if len(selecting) == 0 {
		what := "appliedTo entry"
		if pos == peerIngress || pos == peerEgress {
			what = "peer"
		}
		allowed := allowedFields[kind][pos].Clone().Difference(modifierFields)
		return append(allErrs, field.Required(path, fmt.Sprintf("an empty %s selects nothing: set one of %s", what, strings.Join(sets.List(allowed), ", "))))
	}
	return append(allErrs, validateCombination(selecting, path)...)
}

func validateCombination(selecting []string, path *field.Path) field.ErrorList {
	if len(selecting) < 2 {
		return nil
	}
	for _, alone := range standaloneFields {
		for _, name := range selecting {
			if name != alone {
				continue
			}
			var allErrs field.ErrorList
			for _, other := range selecting {
				if other != alone {
					allErrs = append(allErrs, field.Forbidden(path.Child(other),
						fmt.Sprintf("cannot be set together with %s: %s must be the only selection of its entry", alone, alone)))
				}
			}
			return allErrs
		}
	}
	var allErrs field.ErrorList
	for _, name := range selecting {
		if !combinableFields.Has(name) {
			allErrs = append(allErrs, field.Forbidden(path.Child(name), "cannot be combined with the other fields of its entry"))
		}
	}
	return allErrs
}

// validateSelector validates a label selector: qualified keys, valid values and
// operators.
func validateSelector(sel *metav1.LabelSelector, path *field.Path) field.ErrorList {
	if sel == nil {
		return nil
	}
	return metav1validation.ValidateLabelSelector(sel, metav1validation.LabelSelectorValidationOptions{}, path)
}

// validateNamespacedName requires both the name and the namespace of a reference.
func validateNamespacedName(ref *crd.NamespacedName, path *field.Path) field.ErrorList {
	if ref == nil {
		return nil
	}
	var allErrs field.ErrorList
	if ref.Name == "" {
		allErrs = append(allErrs, field.Required(path.Child("name"), "the name of the referenced object is required"))
	}
	if ref.Namespace == "" {
		allErrs = append(allErrs, field.Required(path.Child("namespace"), "the namespace of the referenced object is required"))
	}
	return allErrs
}

// invalidIf turns the messages of a k8s.io/apimachinery/pkg/util/validation check
// into at most one error.
func invalidIf(path *field.Path, value interface{}, what string, msgs []string) field.ErrorList {
	if len(msgs) == 0 {
		return nil
	}
	return field.ErrorList{field.Invalid(path, value, what+": "+strings.Join(msgs, "; "))}
}
