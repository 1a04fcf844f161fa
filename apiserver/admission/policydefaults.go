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

package admission

import (
	"context"
	"crypto/sha1" //nolint:gosec // a name, not a secret: Antrea's rule-name scheme
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"k8s.io/apiserver/pkg/admission"

	"github.com/strata-net/strata/apis/crd"
	"github.com/strata-net/strata/apis/crd/v1beta1"
)

// PolicyDefaults fills the defaults of ClusterNetworkPolicies and NetworkPolicies
// that depend on the whole object: the tier and the rule names.
type PolicyDefaults struct {
	*admission.Handler
}

var _ admission.MutationInterface = &PolicyDefaults{}

// NewPolicyDefaults returns the StrataPolicyDefaults plugin.
func NewPolicyDefaults() *PolicyDefaults {
	return &PolicyDefaults{Handler: admission.NewHandler(admission.Create, admission.Update)}
}

// Admit defaults spec.tier and names the unnamed rules.
func (p *PolicyDefaults) Admit(_ context.Context, a admission.Attributes, _ admission.ObjectInterfaces) error {
	var tier *string
	var ingress, egress []crd.Rule
	switch obj := a.GetObject().(type) {
	case *crd.ClusterNetworkPolicy:
		tier, ingress, egress = &obj.Spec.Tier, obj.Spec.Ingress, obj.Spec.Egress
	case *crd.NetworkPolicy:
		tier, ingress, egress = &obj.Spec.Tier, obj.Spec.Ingress, obj.Spec.Egress
	default:
		return nil
	}
	if a.GetSubresource() != "" {
		return nil
	}
	if *tier == "" {
		*tier = crd.TierApplication
	}
	if err := nameRules("ingress", ingress); err != nil {
		return admission.NewForbidden(a, err)
	}
	if err := nameRules("egress", egress); err != nil {
		return admission.NewForbidden(a, err)
	}
	return nil
}

func nameRules(direction string, rules []crd.Rule) error {
	for i := range rules {
		if rules[i].Name != "" {
			continue
		}
		name, err := GenerateRuleName(direction, &rules[i])
		if err != nil {
			return err
		}
		rules[i].Name = name
	}
	return nil
}

// GenerateRuleName returns Antrea's name for an unnamed rule:
// <ingress|egress>-<lower-case action>-<first 7 hex digits of the SHA-1 of the
// rule's v1beta1 JSON>.
func GenerateRuleName(direction string, rule *crd.Rule) (string, error) {
	var external v1beta1.Rule
	if err := v1beta1.Convert_crd_Rule_To_v1beta1_Rule(rule, &external, nil); err != nil {
		return "", fmt.Errorf("converting rule to name it: %w", err)
	}
	external.Name = ""
	data, err := json.Marshal(external)
	if err != nil {
		return "", fmt.Errorf("encoding rule to name it: %w", err)
	}
	sum := sha1.Sum(data) //nolint:gosec // see import
	action := "allow"
	if rule.Action != nil {
		action = strings.ToLower(string(*rule.Action))
	}
	return fmt.Sprintf("%s-%s-%s", direction, action, hex.EncodeToString(sum[:])[:7]), nil
}
