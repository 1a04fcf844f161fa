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

package tier

import (
	"context"
	"fmt"

	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/registry/generic"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/apiserver/pkg/storage"
	"k8s.io/apiserver/pkg/storage/names"

	"github.com/strata-net/strata/apis/crd"
	"github.com/strata-net/strata/apis/crd/validation"
)

// Strategy implements the create, update and delete behaviour of Tiers.
type Strategy struct {
	runtime.ObjectTyper
	names.NameGenerator
}

var (
	_ rest.RESTCreateStrategy = Strategy{}
	_ rest.RESTUpdateStrategy = Strategy{}
	_ rest.RESTDeleteStrategy = Strategy{}
)

// NewStrategy returns the Tier strategy for the kinds of typer.
func NewStrategy(typer runtime.ObjectTyper) Strategy {
	return Strategy{ObjectTyper: typer, NameGenerator: names.SimpleNameGenerator}
}

// NamespaceScoped is false: Tiers are cluster-scoped.
func (Strategy) NamespaceScoped() bool { return false }

// PrepareForCreate sets the first generation.
func (Strategy) PrepareForCreate(_ context.Context, obj runtime.Object) {
	obj.(*crd.Tier).Generation = 1
}

// PrepareForUpdate bumps the generation when the spec changes.
func (Strategy) PrepareForUpdate(_ context.Context, obj, old runtime.Object) {
	newTier, oldTier := obj.(*crd.Tier), old.(*crd.Tier)
	if !apiequality.Semantic.DeepEqual(newTier.Spec, oldTier.Spec) {
		newTier.Generation = oldTier.Generation + 1
	}
}

// Validate validates a new Tier.
func (Strategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	return validation.ValidateTier(obj.(*crd.Tier))
}

// ValidateUpdate validates an update: metadata and the immutable priority. The only
// other spec field, the description, has no rule.
func (Strategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return validation.ValidateTierUpdate(obj.(*crd.Tier), old.(*crd.Tier))
}

// WarningsOnCreate returns no warning.
func (Strategy) WarningsOnCreate(context.Context, runtime.Object) []string { return nil }

// WarningsOnUpdate returns no warning.
func (Strategy) WarningsOnUpdate(context.Context, runtime.Object, runtime.Object) []string {
	return nil
}

// Canonicalize does nothing.
func (Strategy) Canonicalize(runtime.Object) {}

// AllowCreateOnUpdate is false: a Tier is created with POST only.
func (Strategy) AllowCreateOnUpdate(context.Context) bool { return false }

// AllowUnconditionalUpdate is false: an update must carry a resourceVersion.
func (Strategy) AllowUnconditionalUpdate(context.Context) bool { return false }

// GetAttrs returns the labels and the selectable fields of a Tier.
func GetAttrs(obj runtime.Object) (labels.Set, fields.Set, error) {
	tier, ok := obj.(*crd.Tier)
	if !ok {
		return nil, nil, fmt.Errorf("not a Tier: %T", obj)
	}
	return labels.Set(tier.Labels), SelectableFields(tier), nil
}

// SelectableFields returns the fields a field selector can match: metadata.name.
func SelectableFields(tier *crd.Tier) fields.Set {
	return generic.ObjectMetaFieldsSet(&tier.ObjectMeta, false)
}

// Matcher returns the predicate of a list or watch with these selectors.
func Matcher(label labels.Selector, field fields.Selector) storage.SelectionPredicate {
	return storage.SelectionPredicate{Label: label, Field: field, GetAttrs: GetAttrs}
}
