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
	"net"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/strata-net/strata/apis/crd"
)

// validateIPBlock requires a parseable CIDR whose exceptions are strict subsets of it.
func validateIPBlock(b *crd.IPBlock, path *field.Path) field.ErrorList {
	if b == nil {
		return nil
	}
	if b.CIDR == "" {
		return field.ErrorList{field.Required(path.Child("cidr"), "a CIDR such as 10.0.0.0/8 is required")}
	}
	_, network, err := net.ParseCIDR(b.CIDR)
	if err != nil {
		return field.ErrorList{field.Invalid(path.Child("cidr"), b.CIDR, "must be a valid CIDR such as 10.0.0.0/8 or fd00::/8")}
	}
	allErrs := validateExceptLimit(b, path)
	for i, ex := range b.Except {
		p := path.Child("except").Index(i)
		_, exNet, err := net.ParseCIDR(ex)
		if err != nil {
			allErrs = append(allErrs, field.Invalid(p, ex, "must be a valid CIDR such as 10.0.1.0/24"))
			continue
		}
		if !strictSubnet(exNet, network) {
			allErrs = append(allErrs, field.Invalid(p, ex, fmt.Sprintf("must be a strict subset of the CIDR %s", b.CIDR)))
		}
	}
	return allErrs
}

// strictSubnet tells whether inner lies inside outer with a longer prefix.
func strictSubnet(inner, outer *net.IPNet) bool {
	innerOnes, innerBits := inner.Mask.Size()
	outerOnes, outerBits := outer.Mask.Size()
	return innerBits == outerBits && innerOnes > outerOnes && outer.Contains(inner.IP)
}

// isMulticastCIDR tells whether a CIDR's address is a multicast address; an
// unparseable CIDR is reported elsewhere and counts as unicast here.
func isMulticastCIDR(cidr string) bool {
	ip, _, err := net.ParseCIDR(cidr)
	return err == nil && ip.IsMulticast()
}

// validateMulticast applies the multicast rules to the ipBlock peers of an egress
// rule: no Pass or Reject, and no mixing of multicast and unicast ipBlocks.
func validateMulticast(r *crd.Rule, c ruleContext) field.ErrorList {
	if c.dir != egress {
		return nil
	}
	var allErrs field.ErrorList
	multicast, unicast := 0, 0
	for i := range r.To {
		b := r.To[i].IPBlock
		if b == nil {
			continue
		}
		if isMulticastCIDR(b.CIDR) {
			multicast++
		} else {
			unicast++
		}
	}
	if multicast == 0 {
		return nil
	}
	if unicast > 0 {
		allErrs = append(allErrs, field.Forbidden(c.path.Child("to"), "a rule cannot mix multicast and unicast ipBlocks"))
	}
	if r.Action != nil && (*r.Action == crd.RuleActionPass || *r.Action == crd.RuleActionReject) {
		allErrs = append(allErrs, field.Invalid(c.path.Child("action"), *r.Action, "multicast traffic does not support Pass or Reject"))
	}
	return allErrs
}
