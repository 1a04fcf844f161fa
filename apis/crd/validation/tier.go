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

// Tier limits.
const (
	// MinTierPriority and MaxTierPriority bound spec.priority of a Tier.
	MinTierPriority = 0
	MaxTierPriority = 255
	// MaxTiers is the most Tiers that may exist, system Tiers included.
	MaxTiers = 20
)

// ReservedTierPriorities may not be used by any Tier: they order policy kinds
// around the system Tiers (251 AdminNetworkPolicy, 254 BaselineAdminNetworkPolicy).
var ReservedTierPriorities = map[int32]bool{251: true, 252: true, 254: true, 255: true}

var (
	specPath     = field.NewPath("spec")
	metadataPath = field.NewPath("metadata")
)

// ValidateTier validates a Tier on create.
func ValidateTier(tier *crd.Tier) field.ErrorList {
	allErrs := apivalidation.ValidateObjectMeta(&tier.ObjectMeta, false, apivalidation.NameIsDNSSubdomain, metadataPath)
	return append(allErrs, validateTierPriority(tier.Spec.Priority, specPath.Child("priority"))...)
}

// ValidateTierUpdate validates an update of a Tier: its priority cannot change.
func ValidateTierUpdate(tier, old *crd.Tier) field.ErrorList {
	allErrs := apivalidation.ValidateObjectMetaUpdate(&tier.ObjectMeta, &old.ObjectMeta, metadataPath)
	if tier.Spec.Priority != old.Spec.Priority {
		allErrs = append(allErrs, field.Forbidden(specPath.Child("priority"),
			fmt.Sprintf("the priority of a Tier cannot be changed (from %d to %d): create a new Tier and move the policies to it", old.Spec.Priority, tier.Spec.Priority)))
	}
	return allErrs
}

func validateTierPriority(priority int32, path *field.Path) field.ErrorList {
	if priority < MinTierPriority || priority > MaxTierPriority {
		return field.ErrorList{field.Invalid(path, priority, fmt.Sprintf("must be between %d and %d", MinTierPriority, MaxTierPriority))}
	}
	if ReservedTierPriorities[priority] {
		return field.ErrorList{field.Invalid(path, priority, "is reserved (251, 252, 254 and 255 are reserved)")}
	}
	return nil
}

// ValidateTierPriorityUnique reports a conflict with an existing Tier of the same
// priority (admission helper: existing comes from a lister).
func ValidateTierPriorityUnique(tier *crd.Tier, existing []*crd.Tier) field.ErrorList {
	for _, other := range existing {
		if other.Name != tier.Name && other.Spec.Priority == tier.Spec.Priority {
			return field.ErrorList{field.Invalid(specPath.Child("priority"), tier.Spec.Priority,
				fmt.Sprintf("overlaps with the existing Tier %q: Tier priorities must be unique", other.Name))}
		}
	}
	return nil
}

// ValidateTierCount refuses a new Tier when MaxTiers already exist (admission
// helper: existing is the number of Tiers read from a lister).
func ValidateTierCount(existing int) *field.Error {
	if existing >= MaxTiers {
		return field.Forbidden(metadataPath.Child("name"),
			fmt.Sprintf("the maximum number of Tiers (%d) already exists: delete an unused Tier first", MaxTiers))
	}
	return nil
}

// ValidateTierDeletion refuses deleting a system Tier or a Tier that policies still
// reference (admission helper: referrers is counted from a lister index).
func ValidateTierDeletion(name string, referrers int) error {
	if crd.IsSystemTier(name) {
		return fmt.Errorf("cannot delete the system Tier %q", name)
	}
	if referrers > 0 {
		return fmt.Errorf("the Tier %q is referenced by %d Antrea policies: move or delete them first", name, referrers)
	}
	return nil
}

// ValidateTierReference refuses a policy whose spec.tier names no existing Tier
// (admission helper: exists reads a lister). An empty tier (defaulted to
// application) and the legacy static names ("SecurityOps", ...) need no Tier object.
func ValidateTierReference(tier string, exists func(name string) bool) *field.Error {
	if tier == "" || exists(tier) {
		return nil
	}
	if _, legacy := crd.LegacyStaticTierName(tier); legacy {
		return nil
	}
	return field.Invalid(specPath.Child("tier"), tier, "no Tier of this name exists: create the Tier first or use an existing one")
}
