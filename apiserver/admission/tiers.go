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

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/client-go/tools/cache"

	"github.com/strata-net/strata/apis/crd"
	"github.com/strata-net/strata/apis/crd/v1beta1"
	"github.com/strata-net/strata/apis/crd/validation"
	informers "github.com/strata-net/strata/generated/informers/externalversions"
	listers "github.com/strata-net/strata/generated/listers/crd/v1beta1"
)

// Tiers enforces the rules about Tiers that need the other objects: the number of
// Tiers, unique priorities, and which Tiers may be deleted.
type Tiers struct {
	cachedPlugin
	tiers listers.TierLister
	// policies are the ClusterNetworkPolicies and the Antrea NetworkPolicies, both
	// indexed by Tier.
	policies []cache.Indexer
}

var (
	_ admission.ValidationInterface = &Tiers{}
	_ WantsInformerFactory          = &Tiers{}
)

// NewTiers returns the StrataTiers plugin.
func NewTiers() *Tiers {
	return &Tiers{cachedPlugin: newCachedPlugin(TiersName, "tiers", admission.Create, admission.Delete)}
}

// SetInformerFactory takes the listers the plugin reads.
func (p *Tiers) SetInformerFactory(f informers.SharedInformerFactory) {
	tierInformer := f.Crd().V1beta1().Tiers()
	acnpInformer := f.Crd().V1beta1().ClusterNetworkPolicies().Informer()
	annpInformer := f.Crd().V1beta1().NetworkPolicies().Informer()
	p.initErr = errors.Join(
		addIndexers(acnpInformer, cache.Indexers{byTier: policyTierIndex}),
		addIndexers(annpInformer, cache.Indexers{byTier: policyTierIndex}))
	p.tiers = tierInformer.Lister()
	p.policies = []cache.Indexer{acnpInformer.GetIndexer(), annpInformer.GetIndexer()}
	p.readyWhenSynced(tierInformer.Informer().HasSynced, acnpInformer.HasSynced, annpInformer.HasSynced)
}

// ValidateInitialization checks that the listers were set.
func (p *Tiers) ValidateInitialization() error {
	return p.initialized(p.tiers != nil && len(p.policies) > 0)
}

// Validate applies the Tier rules to creations and deletions.
func (p *Tiers) Validate(_ context.Context, a admission.Attributes, _ admission.ObjectInterfaces) error {
	if ok, err := p.validates(a); !ok {
		return err
	}
	if a.GetOperation() == admission.Delete {
		return p.validateDelete(a)
	}
	tier, ok := a.GetObject().(*crd.Tier)
	if !ok {
		return apierrors.NewBadRequest(fmt.Sprintf("expected a Tier, got %T", a.GetObject()))
	}
	existing, err := p.internalTiers()
	if err != nil {
		return apierrors.NewInternalError(err)
	}
	errs := validation.ValidateTierPriorityUnique(tier, existing)
	if e := validation.ValidateTierCount(len(existing)); e != nil {
		errs = append(errs, e)
	}
	if len(errs) > 0 {
		return forbidden(a, errs)
	}
	return nil
}

// validateDelete protects system Tiers and Tiers that policies (ClusterNetworkPolicies
// and Antrea NetworkPolicies) use, for DELETE and for each Tier a DELETECOLLECTION
// would remove.
func (p *Tiers) validateDelete(a admission.Attributes) error {
	name := targetName(a)
	if name == "" {
		return forbidden(a, field.ErrorList{field.Required(field.NewPath("metadata", "name"),
			"cannot tell which Tier this deletion removes, so it is refused")})
	}
	refs := 0
	for _, policies := range p.policies {
		objs, err := policies.ByIndex(byTier, name)
		if err != nil {
			return apierrors.NewInternalError(err)
		}
		refs += len(objs)
	}
	if err := validation.ValidateTierDeletion(name, refs); err != nil {
		return forbidden(a, field.ErrorList{field.Forbidden(field.NewPath("metadata", "name"), err.Error())})
	}
	return nil
}

func (p *Tiers) internalTiers() ([]*crd.Tier, error) {
	list, err := p.tiers.List(labels.Everything())
	if err != nil {
		return nil, fmt.Errorf("listing Tiers: %w", err)
	}
	out := make([]*crd.Tier, 0, len(list))
	for _, t := range list {
		internal := &crd.Tier{}
		if err := v1beta1.Convert_v1beta1_Tier_To_crd_Tier(t, internal, nil); err != nil {
			return nil, fmt.Errorf("converting Tier %s: %w", t.Name, err)
		}
		out = append(out, internal)
	}
	return out, nil
}
