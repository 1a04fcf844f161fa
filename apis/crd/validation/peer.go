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
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/strata-net/strata/apis/crd"
)

// validateRulePeers validates the from (ingress) or to (egress) peers of a rule.
func validateRulePeers(r *crd.Rule, c ruleContext) field.ErrorList {
	peers, path := r.From, c.path.Child("from")
	if c.dir == egress {
		peers, path = r.To, c.path.Child("to")
	}
	appliedToServices := isServiceAppliedTo(r.AppliedTo) || isServiceAppliedTo(c.spec.appliedTo)
	var allErrs field.ErrorList
	for i := range peers {
		allErrs = append(allErrs, validatePeer(&peers[i], c, path.Index(i))...)
		if c.dir == ingress && appliedToServices && peers[i].IPBlock == nil {
			allErrs = append(allErrs, field.Forbidden(path.Index(i),
				"a rule or policy applied to Services can only use ipBlock peers"))
		}
	}
	return allErrs
}

func validatePeer(p *crd.NetworkPolicyPeer, c ruleContext, path *field.Path) field.ErrorList {
	allErrs := validateSelection(peerFields(p), c.spec.kind, c.peerPosition(), path)
	if p.Namespaces != nil && p.NamespaceSelector != nil {
		allErrs = append(allErrs, field.Forbidden(path.Child("namespaces"),
			"namespaces and namespaceSelector cannot be set at the same time in one peer"))
	}
	allErrs = append(allErrs, validatePeerNamespaces(p.Namespaces, path.Child("namespaces"))...)
	allErrs = append(allErrs, validateSelector(p.PodSelector, path.Child("podSelector"))...)
	allErrs = append(allErrs, validateSelector(p.NamespaceSelector, path.Child("namespaceSelector"))...)
	allErrs = append(allErrs, validateSelector(p.ExternalEntitySelector, path.Child("externalEntitySelector"))...)
	allErrs = append(allErrs, validateSelector(p.NodeSelector, path.Child("nodeSelector"))...)
	allErrs = append(allErrs, validateIPBlock(p.IPBlock, path.Child("ipBlock"))...)
	allErrs = append(allErrs, validateGroupRef(p.Group, path.Child("group"))...)
	allErrs = append(allErrs, validateNamespacedName(p.ServiceAccount, path.Child("serviceAccount"))...)
	allErrs = append(allErrs, validateScope(p.Scope, path.Child("scope"))...)
	allErrs = append(allErrs, validateFQDN(p.FQDN, path.Child("fqdn"))...)
	return allErrs
}

// validatePeerNamespaces requires exactly one criterion: match Self or sameLabels.
func validatePeerNamespaces(ns *crd.PeerNamespaces, path *field.Path) field.ErrorList {
	if ns == nil {
		return nil
	}
	var allErrs field.ErrorList
	switch {
	case ns.Match == "" && len(ns.SameLabels) == 0:
		return field.ErrorList{field.Required(path, "set either match: Self or sameLabels")}
	case ns.Match != "" && len(ns.SameLabels) > 0:
		allErrs = append(allErrs, field.Forbidden(path.Child("sameLabels"), "cannot be set together with match"))
	}
	if ns.Match != "" && ns.Match != crd.NamespaceMatchSelf {
		allErrs = append(allErrs, field.NotSupported(path.Child("match"), ns.Match, []crd.NamespaceMatchType{crd.NamespaceMatchSelf}))
	}
	seen := sets.New[string]()
	for i, key := range ns.SameLabels {
		p := path.Child("sameLabels").Index(i)
		allErrs = append(allErrs, invalidIf(p, key, "is not a valid label key", validation.IsQualifiedName(key))...)
		if seen.Has(key) {
			allErrs = append(allErrs, field.Duplicate(p, key))
		}
		seen.Insert(key)
	}
	return allErrs
}
