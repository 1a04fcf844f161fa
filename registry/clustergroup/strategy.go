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

package clustergroup

import (
	"context"
	"fmt"

	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/registry/generic"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/apiserver/pkg/storage"
	"k8s.io/apiserver/pkg/storage/names"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"

	"github.com/strata-net/strata/apis/crd"
	"github.com/strata-net/strata/apis/crd/support"
	crdv1alpha2 "github.com/strata-net/strata/apis/crd/v1alpha2"
	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
	"github.com/strata-net/strata/apis/crd/validation"
	"github.com/strata-net/strata/apis/scheme"
	"github.com/strata-net/strata/registry/storageutil"
)

// servedVersions are the group-versions that serve ClusterGroups.
var servedVersions = []schema.GroupVersion{crdv1beta1.SchemeGroupVersion, crdv1alpha2.SchemeGroupVersion}

// Strategy implements the create, update and delete behaviour of ClusterGroups.
type Strategy struct {
	runtime.ObjectTyper
	names.NameGenerator
}

var (
	_ rest.RESTCreateStrategy  = Strategy{}
	_ rest.RESTUpdateStrategy  = Strategy{}
	_ rest.RESTDeleteStrategy  = Strategy{}
	_ rest.ResetFieldsStrategy = Strategy{}
)

// NewStrategy returns the ClusterGroup strategy for the kinds of typer.
func NewStrategy(typer runtime.ObjectTyper) Strategy {
	return Strategy{ObjectTyper: typer, NameGenerator: names.SimpleNameGenerator}
}

// NamespaceScoped is false: ClusterGroups are cluster-scoped.
func (Strategy) NamespaceScoped() bool { return false }

// GetResetFields returns the status: users cannot set it.
func (Strategy) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	return storageutil.ResetFields("status", servedVersions...)
}

// PrepareForCreate clears the status and sets the first generation.
func (Strategy) PrepareForCreate(_ context.Context, obj runtime.Object) {
	g := obj.(*crd.ClusterGroup)
	g.Status = crd.GroupStatus{}
	g.Generation = 1
}

// PrepareForUpdate keeps the stored status and bumps the generation when the spec
// changes.
func (Strategy) PrepareForUpdate(_ context.Context, obj, old runtime.Object) {
	newG, oldG := obj.(*crd.ClusterGroup), old.(*crd.ClusterGroup)
	newG.Status = oldG.Status
	if !apiequality.Semantic.DeepEqual(newG.Spec, oldG.Spec) {
		newG.Generation = oldG.Generation + 1
	}
}

// Validate validates a new ClusterGroup and refuses the fields this Strata
// version does not enforce (apis/crd/support).
func (Strategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	g := obj.(*crd.ClusterGroup)
	return append(validation.ValidateClusterGroup(g), refused(g)...)
}

// ValidateUpdate validates an update: the metadata change and the whole new spec,
// which must not carry a field this Strata version refuses, even one the stored
// object (written by an older version) already had: the user removes it. Only the
// updates of a group being deleted that leave its spec unchanged (the removal of
// its finalizers) are not refused, so that it can still go away.
func (Strategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	newG, oldG := obj.(*crd.ClusterGroup), old.(*crd.ClusterGroup)
	allErrs := validation.ValidateClusterGroupUpdate(newG, oldG)
	if oldG.DeletionTimestamp != nil && apiequality.Semantic.DeepEqual(newG.Spec, oldG.Spec) {
		return allErrs
	}
	return append(allErrs, refused(newG)...)
}

// refused returns the fields of g that this Strata version refuses, with their
// paths in the storage version (crd.antrea.io/v1beta1), which has every field of
// every served version.
func refused(g *crd.ClusterGroup) field.ErrorList {
	out := &crdv1beta1.ClusterGroup{}
	if err := scheme.Scheme.Convert(g, out, nil); err != nil {
		return field.ErrorList{field.InternalError(field.NewPath("spec"), fmt.Errorf("converting to %s: %w", crdv1beta1.SchemeGroupVersion, err))}
	}
	return support.GroupSpec(&out.Spec)
}

// WarningsOnCreate returns no warning.
func (Strategy) WarningsOnCreate(context.Context, runtime.Object) []string { return nil }

// WarningsOnUpdate returns no warning.
func (Strategy) WarningsOnUpdate(context.Context, runtime.Object, runtime.Object) []string {
	return nil
}

// Canonicalize does nothing.
func (Strategy) Canonicalize(runtime.Object) {}

// AllowCreateOnUpdate is false: a ClusterGroup is created with POST only.
func (Strategy) AllowCreateOnUpdate(context.Context) bool { return false }

// AllowUnconditionalUpdate is false: an update must carry a resourceVersion.
func (Strategy) AllowUnconditionalUpdate(context.Context) bool { return false }

// GetAttrs returns the labels and the selectable fields of a ClusterGroup.
func GetAttrs(obj runtime.Object) (labels.Set, fields.Set, error) {
	g, ok := obj.(*crd.ClusterGroup)
	if !ok {
		return nil, nil, fmt.Errorf("not a ClusterGroup: %T", obj)
	}
	return labels.Set(g.Labels), SelectableFields(g), nil
}

// SelectableFields returns the fields a field selector can match: metadata.name.
func SelectableFields(g *crd.ClusterGroup) fields.Set {
	return generic.ObjectMetaFieldsSet(&g.ObjectMeta, false)
}

// Matcher returns the predicate of a list or watch with these selectors.
func Matcher(label labels.Selector, field fields.Selector) storage.SelectionPredicate {
	return storage.SelectionPredicate{Label: label, Field: field, GetAttrs: GetAttrs}
}
