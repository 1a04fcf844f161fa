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
	"regexp"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/strata-net/strata/apis/crd"
)

type direction int

const (
	ingress direction = iota
	egress
)

// ruleContext is what a rule's validation needs to know about where it is.
type ruleContext struct {
	spec policySpec
	dir  direction
	path *field.Path // spec.ingress[i] or spec.egress[i]
}

func (c ruleContext) peerPosition() position {
	if c.dir == ingress {
		return peerIngress
	}
	return peerEgress
}

func (c ruleContext) appliedToPosition() position {
	if c.dir == ingress {
		return appliedToIngressRule
	}
	return appliedToEgressRule
}

var supportedActions = []crd.RuleAction{crd.RuleActionAllow, crd.RuleActionDrop, crd.RuleActionReject, crd.RuleActionPass}

// logLabelPattern is Antrea's logLabel pattern: at most 63 characters.
var logLabelPattern = regexp.MustCompile(`^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$`)

func validateRule(r *crd.Rule, c ruleContext) field.ErrorList {
	allErrs := validateAction(r, c)
	allErrs = append(allErrs, validateRuleLimits(r, c)...)
	allErrs = append(allErrs, validateRuleDirection(r, c)...)
	allErrs = append(allErrs, validatePorts(r.Ports, c.path.Child("ports"))...)
	allErrs = append(allErrs, validateProtocols(r, c)...)
	allErrs = append(allErrs, validateL7Protocols(r, c)...)
	allErrs = append(allErrs, validateToServices(r, c)...)
	allErrs = append(allErrs, validateAppliedToList(r.AppliedTo, c.appliedToPosition(), c.spec.kind, c.path.Child("appliedTo"))...)
	allErrs = append(allErrs, validateRulePeers(r, c)...)
	allErrs = append(allErrs, validateMulticast(r, c)...)
	if !logLabelPattern.MatchString(r.LogLabel) {
		allErrs = append(allErrs, field.Invalid(c.path.Child("logLabel"), r.LogLabel,
			"must be at most 63 characters of letters, digits, '-', '_' or '.', starting and ending with a letter or digit"))
	}
	return allErrs
}

func validateAction(r *crd.Rule, c ruleContext) field.ErrorList {
	path := c.path.Child("action")
	if r.Action == nil {
		return field.ErrorList{field.Required(path, "every rule needs an action: Allow, Drop, Reject or Pass")}
	}
	switch *r.Action {
	case crd.RuleActionAllow, crd.RuleActionDrop, crd.RuleActionReject:
		return nil
	case crd.RuleActionPass:
		if crd.IsBaselineTier(c.spec.tier) {
			return field.ErrorList{field.Invalid(path, *r.Action,
				"Pass is not allowed in the baseline tier: nothing is evaluated after it")}
		}
		return nil
	default:
		return field.ErrorList{field.NotSupported(path, *r.Action, supportedActions)}
	}
}

// validateRuleDirection refuses the fields of the other direction.
func validateRuleDirection(r *crd.Rule, c ruleContext) field.ErrorList {
	var allErrs field.ErrorList
	if c.dir == ingress {
		if len(r.To) > 0 {
			allErrs = append(allErrs, field.Forbidden(c.path.Child("to"), "an ingress rule selects its sources with from, not to"))
		}
		if len(r.ToServices) > 0 {
			allErrs = append(allErrs, field.Forbidden(c.path.Child("toServices"), "toServices is only allowed in egress rules"))
		}
		return allErrs
	}
	if len(r.From) > 0 {
		allErrs = append(allErrs, field.Forbidden(c.path.Child("from"), "an egress rule selects its destinations with to, not from"))
	}
	return allErrs
}

// validateToServices checks the egress toServices peers.
func validateToServices(r *crd.Rule, c ruleContext) field.ErrorList {
	if len(r.ToServices) == 0 {
		return nil
	}
	var allErrs field.ErrorList
	path := c.path.Child("toServices")
	for _, other := range []struct {
		name string
		set  bool
	}{{"to", len(r.To) > 0}, {"ports", len(r.Ports) > 0}, {"protocols", len(r.Protocols) > 0}} {
		if other.set {
			allErrs = append(allErrs, field.Forbidden(path, "toServices cannot be used with to, ports or protocols (found "+other.name+")"))
		}
	}
	for i, svc := range r.ToServices {
		p := path.Index(i)
		if svc.Name == "" {
			allErrs = append(allErrs, field.Required(p.Child("name"), "the name of the Service is required"))
		}
		if svc.Namespace == "" && c.spec.kind == clusterPolicy {
			allErrs = append(allErrs, field.Required(p.Child("namespace"), "the namespace of the Service is required"))
		}
		allErrs = append(allErrs, validateScope(svc.Scope, p.Child("scope"))...)
	}
	return allErrs
}

func validateScope(scope crd.PeerScope, path *field.Path) field.ErrorList {
	switch scope {
	case "", crd.ScopeCluster, crd.ScopeClusterSet:
		return nil
	default:
		return field.ErrorList{field.NotSupported(path, scope, []crd.PeerScope{crd.ScopeCluster, crd.ScopeClusterSet})}
	}
}
