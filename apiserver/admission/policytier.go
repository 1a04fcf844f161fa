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
	"errors"
	"fmt"
	"time"

	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apiserver/pkg/admission"
	genericadmissioninit "k8s.io/apiserver/pkg/admission/initializer"
	"k8s.io/apiserver/pkg/authorization/authorizer"

	"github.com/strata-net/strata/apis/crd"
	"github.com/strata-net/strata/apis/crd/validation"
	informers "github.com/strata-net/strata/generated/informers/externalversions"
	listers "github.com/strata-net/strata/generated/listers/crd/v1beta1"
)

// PolicyTier refuses a policy whose Tier does not exist, and an Antrea
// NetworkPolicy whose author may not use its Tier.
//
// Tier use: Antrea NetworkPolicies are namespaced, so a Namespace's owners may write
// them (a RoleBinding to edit), but the Tier decides where a policy sits in the
// order: one in a Tier before the administrators' would override their
// ClusterNetworkPolicies for the owner's Pods. Creating an Antrea NetworkPolicy, or
// changing its spec, therefore needs the verb "use" on tiers/<its Tier> (group
// crd.antrea.io) in its Namespace, for the Tier it had too when the Tier changes.
// The built-in edit and admin roles grant it for application and baseline
// (artifacts/base/aggregated-roles.yaml); cluster-admin has every verb. Deleting
// needs no Tier: an owner can always remove the policies of their Namespace
// (Namespace deletion does too), and ClusterNetworkPolicies, which owners cannot
// touch, are the administrators' tool.
type PolicyTier struct {
	*admission.Handler
	tiers      listers.TierLister
	authorizer authorizer.Authorizer
}

// VerbUse is the verb on tiers/<name> that an Antrea NetworkPolicy in that Tier
// needs.
const VerbUse = "use"

var (
	_ admission.ValidationInterface        = &PolicyTier{}
	_ WantsInformerFactory                 = &PolicyTier{}
	_ genericadmissioninit.WantsAuthorizer = &PolicyTier{}
)

// SetAuthorizer takes the server's authorizer, which decides Tier use.
func (p *PolicyTier) SetAuthorizer(a authorizer.Authorizer) {
	p.authorizer = a
}

// NewPolicyTier returns the StrataPolicyTier plugin.
func NewPolicyTier() *PolicyTier {
	return &PolicyTier{Handler: admission.NewHandler(admission.Create, admission.Update)}
}

// SetInformerFactory takes the Tier lister.
func (p *PolicyTier) SetInformerFactory(f informers.SharedInformerFactory) {
	p.tiers = f.Crd().V1beta1().Tiers().Lister()
	p.SetReadyFunc(f.Crd().V1beta1().Tiers().Informer().HasSynced)
}

// ValidateInitialization checks that the lister was set.
func (p *PolicyTier) ValidateInitialization() error {
	if p.tiers == nil {
		return errors.New("StrataPolicyTier: missing the Tier lister")
	}
	if p.authorizer == nil {
		return errors.New("StrataPolicyTier: missing the authorizer")
	}
	return nil
}

// cacheLagTimeout bounds how long a Tier missing from the cache is waited for: a
// Tier created a moment before the policy may not have reached the informer yet.
const cacheLagTimeout = 2 * time.Second

// tierExists looks the Tier up in the cache, giving the cache a moment to catch up
// with a Tier created just before.
func (p *PolicyTier) tierExists(name string) bool {
	found := false
	_ = wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, cacheLagTimeout, true,
		func(context.Context) (bool, error) {
			_, err := p.tiers.Get(name)
			found = err == nil
			return found, nil
		})
	return found
}

// Validate refuses a ClusterNetworkPolicy or NetworkPolicy of an unknown Tier, and a
// NetworkPolicy whose author may not use its Tier.
func (p *PolicyTier) Validate(ctx context.Context, a admission.Attributes, _ admission.ObjectInterfaces) error {
	var tier string
	switch obj := a.GetObject().(type) {
	case *crd.ClusterNetworkPolicy:
		tier = obj.Spec.Tier
	case *crd.NetworkPolicy:
		tier = obj.Spec.Tier
	default:
		return nil
	}
	if a.GetSubresource() != "" {
		return nil
	}
	if !p.WaitForReady() {
		return admission.NewForbidden(a, errNotReady)
	}
	if err := validation.ValidateTierReference(tier, p.tierExists); err != nil {
		return forbidden(a, field.ErrorList{err})
	}
	if np, ok := a.GetObject().(*crd.NetworkPolicy); ok {
		return p.authorizeTierUse(ctx, a, np)
	}
	return nil
}

// authorizeTierUse refuses a NetworkPolicy whose author may not use its Tier (nor,
// when the Tier changes, the Tier it had). An update that leaves the spec as it is
// (labels, annotations) needs no Tier.
func (p *PolicyTier) authorizeTierUse(ctx context.Context, a admission.Attributes, np *crd.NetworkPolicy) error {
	tiers := []string{tierName(np.Spec.Tier)}
	if old, ok := a.GetOldObject().(*crd.NetworkPolicy); ok && a.GetOperation() == admission.Update {
		if apiequality.Semantic.DeepEqual(old.Spec, np.Spec) {
			return nil
		}
		if oldTier := tierName(old.Spec.Tier); oldTier != tiers[0] {
			tiers = append(tiers, oldTier)
		}
	}
	for _, tier := range tiers {
		attrs := authorizer.AttributesRecord{User: a.GetUserInfo(), Verb: VerbUse, Namespace: a.GetNamespace(),
			APIGroup: crd.GroupName, APIVersion: "*", Resource: "tiers", Name: tier, ResourceRequest: true}
		decision, reason, err := p.authorizer.Authorize(ctx, attrs)
		if decision == authorizer.DecisionAllow {
			continue
		}
		user := "anonymous"
		if u := a.GetUserInfo(); u != nil {
			user = u.GetName()
		}
		msg := fmt.Sprintf("user %q may not use the Tier %q in namespace %q: an Antrea NetworkPolicy needs the verb %q on tiers/%s (group %s) in its namespace",
			user, tier, a.GetNamespace(), VerbUse, tier, crd.GroupName)
		if err != nil {
			msg += fmt.Sprintf(" (authorization error: %v)", err)
		} else if reason != "" {
			msg += fmt.Sprintf(" (%s)", reason)
		}
		return forbidden(a, field.ErrorList{field.Forbidden(field.NewPath("spec", "tier"), msg)})
	}
	return nil
}
