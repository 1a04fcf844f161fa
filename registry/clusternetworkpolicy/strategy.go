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

package clusternetworkpolicy

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
	crdv1alpha1 "github.com/strata-net/strata/apis/crd/v1alpha1"
	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
	"github.com/strata-net/strata/apis/crd/validation"
	"github.com/strata-net/strata/apis/scheme"
	securityv1alpha1 "github.com/strata-net/strata/apis/security/v1alpha1"
	"github.com/strata-net/strata/registry/storageutil"
)

// servedVersions are the group-versions that serve ClusterNetworkPolicies.
var servedVersions = []schema.GroupVersion{
	crdv1beta1.SchemeGroupVersion, crdv1alpha1.SchemeGroupVersion, securityv1alpha1.SchemeGroupVersion,
}

// Strategy implements the create, update and delete behaviour of
// ClusterNetworkPolicies.
type Strategy struct {
	runtime.ObjectTyper
	names.NameGenerator
	// Flows bound the estimated flows of a policy per Node (the zero value: the
	// defaults): a warning above Flows.Warning, a refusal above Flows.Limit.
	Flows validation.FlowLimits
}

var (
	_ rest.RESTCreateStrategy  = Strategy{}
	_ rest.RESTUpdateStrategy  = Strategy{}
	_ rest.RESTDeleteStrategy  = Strategy{}
	_ rest.ResetFieldsStrategy = Strategy{}
)

// NewStrategy returns the ClusterNetworkPolicy strategy for the kinds of typer.
func NewStrategy(typer runtime.ObjectTyper) Strategy {
	return Strategy{ObjectTyper: typer, NameGenerator: names.SimpleNameGenerator}
}

// NamespaceScoped is false: ClusterNetworkPolicies are cluster-scoped.
func (Strategy) NamespaceScoped() bool { return false }

// GetResetFields returns the status: users cannot set it.
func (Strategy) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	return storageutil.ResetFields("status", servedVersions...)
}

// PrepareForCreate clears the status and sets the first generation.
func (Strategy) PrepareForCreate(_ context.Context, obj runtime.Object) {
	p := obj.(*crd.ClusterNetworkPolicy)
	p.Status = crd.NetworkPolicyStatus{}
	p.Generation = 1
}

// PrepareForUpdate keeps the stored status and bumps the generation when the spec
// changes, or the enforcement mode (audit or enforce, an annotation): agents then
// realize the new mode as a new generation, and the status says Realizing until
// every Node has.
func (Strategy) PrepareForUpdate(_ context.Context, obj, old runtime.Object) {
	newP, oldP := obj.(*crd.ClusterNetworkPolicy), old.(*crd.ClusterNetworkPolicy)
	newP.Status = oldP.Status
	modeChanged := validation.IsAudit(newP.Annotations) != validation.IsAudit(oldP.Annotations)
	if modeChanged || !apiequality.Semantic.DeepEqual(newP.Spec, oldP.Spec) {
		newP.Generation = oldP.Generation + 1
	}
}

// Validate validates a new ClusterNetworkPolicy and refuses the fields this Strata
// version does not enforce (apis/crd/support).
func (s Strategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	p := obj.(*crd.ClusterNetworkPolicy)
	allErrs := append(validation.ValidateClusterNetworkPolicy(p), refused(p)...)
	_, flowErrs := s.Flows.Check(validation.EstimateClusterNetworkPolicyFlows(&p.Spec))
	return append(allErrs, flowErrs...)
}

// ValidateUpdate validates an update: the metadata change and the whole new spec,
// which must not carry a field this Strata version refuses, even one the stored
// object (written by an older version) already had: the user removes it. Only the
// updates of a policy being deleted that leave its spec unchanged (the removal of
// its finalizers) are not refused, so that it can still go away.
func (s Strategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	newP, oldP := obj.(*crd.ClusterNetworkPolicy), old.(*crd.ClusterNetworkPolicy)
	allErrs := validation.ValidateClusterNetworkPolicyUpdate(newP, oldP)
	if oldP.DeletionTimestamp != nil && apiequality.Semantic.DeepEqual(newP.Spec, oldP.Spec) {
		return allErrs
	}
	_, flowErrs := s.Flows.Check(validation.EstimateClusterNetworkPolicyFlows(&newP.Spec))
	return append(append(allErrs, refused(newP)...), flowErrs...)
}

// refused returns the fields of p that this Strata version refuses, with their
// paths in the storage version (crd.antrea.io/v1beta1), which has every field of
// every served version.
func refused(p *crd.ClusterNetworkPolicy) field.ErrorList {
	out := &crdv1beta1.ClusterNetworkPolicy{}
	if err := scheme.Scheme.Convert(p, out, nil); err != nil {
		return field.ErrorList{field.InternalError(field.NewPath("spec"), fmt.Errorf("converting to %s: %w", crdv1beta1.SchemeGroupVersion, err))}
	}
	return support.ClusterNetworkPolicy(out)
}

// WarningsOnCreate warns when the policy's flow estimate is above the warning
// threshold.
func (s Strategy) WarningsOnCreate(_ context.Context, obj runtime.Object) []string {
	warnings, _ := s.Flows.Check(validation.EstimateClusterNetworkPolicyFlows(&obj.(*crd.ClusterNetworkPolicy).Spec))
	return warnings
}

// WarningsOnUpdate warns when the new spec's flow estimate is above the warning
// threshold.
func (s Strategy) WarningsOnUpdate(_ context.Context, obj, _ runtime.Object) []string {
	return s.WarningsOnCreate(context.Background(), obj)
}

// Canonicalize does nothing.
func (Strategy) Canonicalize(runtime.Object) {}

// AllowCreateOnUpdate is false: a policy is created with POST only.
func (Strategy) AllowCreateOnUpdate(context.Context) bool { return false }

// AllowUnconditionalUpdate is false: an update must carry a resourceVersion.
func (Strategy) AllowUnconditionalUpdate(context.Context) bool { return false }

// GetAttrs returns the labels and the selectable fields of a ClusterNetworkPolicy.
func GetAttrs(obj runtime.Object) (labels.Set, fields.Set, error) {
	p, ok := obj.(*crd.ClusterNetworkPolicy)
	if !ok {
		return nil, nil, fmt.Errorf("not a ClusterNetworkPolicy: %T", obj)
	}
	return labels.Set(p.Labels), SelectableFields(p), nil
}

// SelectableFields returns the fields a field selector can match: metadata.name and
// spec.tier.
func SelectableFields(p *crd.ClusterNetworkPolicy) fields.Set {
	return generic.AddObjectMetaFieldsSet(fields.Set{storageutil.SpecTierField: p.Spec.Tier}, &p.ObjectMeta, false)
}

// Matcher returns the predicate of a list or watch with these selectors.
func Matcher(label labels.Selector, field fields.Selector) storage.SelectionPredicate {
	return storage.SelectionPredicate{Label: label, Field: field, GetAttrs: GetAttrs}
}
