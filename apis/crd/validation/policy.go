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

	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/strata-net/strata/apis/crd"
)

// Policy priority limits.
const (
	MinPolicyPriority = 1.0
	MaxPolicyPriority = 10000.0
)

// policyKind tells the two policy kinds apart where their rules differ.
type policyKind int

const (
	clusterPolicy    policyKind = iota // ClusterNetworkPolicy
	namespacedPolicy                   // Antrea NetworkPolicy (ANNP)
)

func (k policyKind) String() string {
	if k == namespacedPolicy {
		return "NetworkPolicy"
	}
	return "ClusterNetworkPolicy"
}

// policySpec is the part both policy kinds share.
type policySpec struct {
	kind      policyKind
	tier      string
	priority  float64
	appliedTo []crd.AppliedTo
	ingress   []crd.Rule
	egress    []crd.Rule
}

// ValidateClusterNetworkPolicy validates a ClusterNetworkPolicy on create.
func ValidateClusterNetworkPolicy(p *crd.ClusterNetworkPolicy) field.ErrorList {
	allErrs := apivalidation.ValidateObjectMeta(&p.ObjectMeta, false, apivalidation.NameIsDNSSubdomain, metadataPath)
	allErrs = append(allErrs, validateEnforcement(&p.ObjectMeta)...)
	return append(allErrs, validatePolicySpec(clusterSpec(&p.Spec))...)
}

// ValidateClusterNetworkPolicyUpdate validates an update of a ClusterNetworkPolicy:
// the new spec must be valid as a whole.
func ValidateClusterNetworkPolicyUpdate(p, old *crd.ClusterNetworkPolicy) field.ErrorList {
	allErrs := apivalidation.ValidateObjectMetaUpdate(&p.ObjectMeta, &old.ObjectMeta, metadataPath)
	allErrs = append(allErrs, validateEnforcement(&p.ObjectMeta)...)
	return append(allErrs, validatePolicySpec(clusterSpec(&p.Spec))...)
}

// ValidateNetworkPolicy validates an Antrea NetworkPolicy on create.
func ValidateNetworkPolicy(p *crd.NetworkPolicy) field.ErrorList {
	allErrs := apivalidation.ValidateObjectMeta(&p.ObjectMeta, true, apivalidation.NameIsDNSSubdomain, metadataPath)
	allErrs = append(allErrs, validateEnforcement(&p.ObjectMeta)...)
	return append(allErrs, validatePolicySpec(namespacedSpec(&p.Spec))...)
}

// ValidateNetworkPolicyUpdate validates an update of an Antrea NetworkPolicy.
func ValidateNetworkPolicyUpdate(p, old *crd.NetworkPolicy) field.ErrorList {
	allErrs := apivalidation.ValidateObjectMetaUpdate(&p.ObjectMeta, &old.ObjectMeta, metadataPath)
	allErrs = append(allErrs, validateEnforcement(&p.ObjectMeta)...)
	return append(allErrs, validatePolicySpec(namespacedSpec(&p.Spec))...)
}

func clusterSpec(s *crd.ClusterNetworkPolicySpec) policySpec {
	return policySpec{clusterPolicy, s.Tier, s.Priority, s.AppliedTo, s.Ingress, s.Egress}
}

func namespacedSpec(s *crd.NetworkPolicySpec) policySpec {
	return policySpec{namespacedPolicy, s.Tier, s.Priority, s.AppliedTo, s.Ingress, s.Egress}
}

func validatePolicySpec(s policySpec) field.ErrorList {
	var allErrs field.ErrorList
	if s.priority < MinPolicyPriority || s.priority > MaxPolicyPriority {
		allErrs = append(allErrs, field.Invalid(specPath.Child("priority"), s.priority,
			fmt.Sprintf("must be between %v and %v", MinPolicyPriority, MaxPolicyPriority)))
	}
	allErrs = append(allErrs, validateSpecLimits(s)...)
	allErrs = append(allErrs, validateAppliedToPlacement(s)...)
	allErrs = append(allErrs, validateAppliedToList(s.appliedTo, appliedToSpec, s.kind, specPath.Child("appliedTo"))...)
	if len(s.egress) > 0 && isServiceAppliedTo(s.appliedTo) {
		allErrs = append(allErrs, field.Forbidden(specPath.Child("appliedTo"),
			"a policy with egress rules cannot be applied to Services"))
	}
	allErrs = append(allErrs, validateRuleNamesUnique(s.ingress, s.egress)...)
	for i := range s.ingress {
		allErrs = append(allErrs, validateRule(&s.ingress[i], ruleContext{s, ingress, specPath.Child("ingress").Index(i)})...)
	}
	for i := range s.egress {
		allErrs = append(allErrs, validateRule(&s.egress[i], ruleContext{s, egress, specPath.Child("egress").Index(i)})...)
	}
	return allErrs
}

// validateAppliedToPlacement requires appliedTo either in the spec or in every rule.
func validateAppliedToPlacement(s policySpec) field.ErrorList {
	withAppliedTo, rules := 0, 0
	var allErrs field.ErrorList
	check := func(rs []crd.Rule, path *field.Path) {
		for i := range rs {
			rules++
			if len(rs[i].AppliedTo) == 0 {
				continue
			}
			withAppliedTo++
			if len(s.appliedTo) > 0 {
				allErrs = append(allErrs, field.Forbidden(path.Index(i).Child("appliedTo"),
					"cannot be set in a rule when spec.appliedTo is set: set appliedTo in the spec or in every rule"))
			}
		}
	}
	check(s.ingress, specPath.Child("ingress"))
	check(s.egress, specPath.Child("egress"))
	switch {
	case len(s.appliedTo) > 0:
	case withAppliedTo == 0:
		allErrs = append(allErrs, field.Required(specPath.Child("appliedTo"),
			"set appliedTo either in the spec or in every rule"))
	case withAppliedTo < rules:
		allErrs = append(allErrs, rulesMissingAppliedTo(s)...)
	}
	return allErrs
}

func rulesMissingAppliedTo(s policySpec) field.ErrorList {
	var allErrs field.ErrorList
	add := func(rs []crd.Rule, path *field.Path) {
		for i := range rs {
			if len(rs[i].AppliedTo) == 0 {
				allErrs = append(allErrs, field.Required(path.Index(i).Child("appliedTo"),
					"when some rules set appliedTo, every rule must set it"))
			}
		}
	}
	add(s.ingress, specPath.Child("ingress"))
	add(s.egress, specPath.Child("egress"))
	return allErrs
}

// validateRuleNamesUnique requires rule names to be unique across ingress and egress.
func validateRuleNamesUnique(ingressRules, egressRules []crd.Rule) field.ErrorList {
	var allErrs field.ErrorList
	seen := map[string]bool{}
	check := func(rs []crd.Rule, path *field.Path) {
		for i := range rs {
			name := rs[i].Name
			if name == "" {
				continue
			}
			if seen[name] {
				allErrs = append(allErrs, field.Duplicate(path.Index(i).Child("name"), name))
			}
			seen[name] = true
		}
	}
	check(ingressRules, specPath.Child("ingress"))
	check(egressRules, specPath.Child("egress"))
	return allErrs
}

// ValidatePolicyStatus validates the status of a ClusterNetworkPolicy or
// NetworkPolicy written through the status subresource.
func ValidatePolicyStatus(st *crd.NetworkPolicyStatus) field.ErrorList {
	path := field.NewPath("status")
	var allErrs field.ErrorList
	switch st.Phase {
	case "", crd.NetworkPolicyPending, crd.NetworkPolicyRealizing, crd.NetworkPolicyRealized, crd.NetworkPolicyFailed:
	default:
		allErrs = append(allErrs, field.NotSupported(path.Child("phase"), st.Phase,
			[]crd.NetworkPolicyPhase{crd.NetworkPolicyPending, crd.NetworkPolicyRealizing, crd.NetworkPolicyRealized, crd.NetworkPolicyFailed}))
	}
	counts := []struct {
		name  string
		value int64
	}{
		{"observedGeneration", st.ObservedGeneration},
		{"currentNodesRealized", int64(st.CurrentNodesRealized)},
		{"desiredNodesRealized", int64(st.DesiredNodesRealized)},
	}
	for _, c := range counts {
		if c.value < 0 {
			allErrs = append(allErrs, field.Invalid(path.Child(c.name), c.value, "must not be negative"))
		}
	}
	return allErrs
}
