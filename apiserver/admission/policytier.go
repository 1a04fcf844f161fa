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
	"time"

	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apiserver/pkg/admission"

	"github.com/strata-net/strata/apis/crd"
	"github.com/strata-net/strata/apis/crd/validation"
	informers "github.com/strata-net/strata/generated/informers/externalversions"
	listers "github.com/strata-net/strata/generated/listers/crd/v1beta1"
)

// PolicyTier refuses a policy whose Tier does not exist.
type PolicyTier struct {
	*admission.Handler
	tiers listers.TierLister
}

var (
	_ admission.ValidationInterface = &PolicyTier{}
	_ WantsInformerFactory          = &PolicyTier{}
)

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

// Validate refuses a ClusterNetworkPolicy or NetworkPolicy of an unknown Tier.
func (p *PolicyTier) Validate(_ context.Context, a admission.Attributes, _ admission.ObjectInterfaces) error {
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
	return nil
}
