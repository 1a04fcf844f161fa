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

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/strata-net/strata/apis/crd"
)

// MaxListItems bounds every list of a policy or group that multiplies what each
// Node installs: rules per direction, peers, ports and protocols per rule, appliedTo
// entries, ipBlocks of a group and excepts of an ipBlock. It is the bound of the
// upstream ClusterNetworkPolicy's lists (policy.networking.k8s.io, maxItems 25);
// no seed manifest and no example of Antrea's documentation comes near it.
const MaxListItems = 25

// tooMany returns the error of a list longer than MaxListItems.
func tooMany(path *field.Path, n int) field.ErrorList {
	if n <= MaxListItems {
		return nil
	}
	return field.ErrorList{field.TooMany(path, n, MaxListItems)}
}

// validateSpecLimits bounds the spec's lists.
func validateSpecLimits(s policySpec) field.ErrorList {
	allErrs := tooMany(specPath.Child("appliedTo"), len(s.appliedTo))
	allErrs = append(allErrs, tooMany(specPath.Child("ingress"), len(s.ingress))...)
	return append(allErrs, tooMany(specPath.Child("egress"), len(s.egress))...)
}

// validateRuleLimits bounds a rule's lists.
func validateRuleLimits(r *crd.Rule, c ruleContext) field.ErrorList {
	var allErrs field.ErrorList
	for _, l := range []struct {
		name string
		n    int
	}{
		{"from", len(r.From)}, {"to", len(r.To)}, {"ports", len(r.Ports)}, {"protocols", len(r.Protocols)},
		{"toServices", len(r.ToServices)}, {"appliedTo", len(r.AppliedTo)},
	} {
		allErrs = append(allErrs, tooMany(c.path.Child(l.name), l.n)...)
	}
	return allErrs
}

// validateExceptLimit bounds the excepts of an ipBlock.
func validateExceptLimit(b *crd.IPBlock, path *field.Path) field.ErrorList {
	errs := tooMany(path.Child("except"), len(b.Except))
	for i := range errs {
		errs[i].Detail = fmt.Sprintf("%s: every except splits the CIDR into up to one prefix per bit it adds, each a flow on every Node", errs[i].Detail)
	}
	return errs
}
