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

package networkpolicy

import (
	"context"

	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"

	"github.com/strata-net/strata/apis/crd"
	"github.com/strata-net/strata/apis/crd/validation"
	"github.com/strata-net/strata/registry/storageutil"
)

// StatusStrategy is the update behaviour of the status subresource: only the status
// changes.
type StatusStrategy struct {
	Strategy
}

var _ storageutil.StatusStrategy = StatusStrategy{}

// NewStatusStrategy returns the status strategy derived from s.
func NewStatusStrategy(s Strategy) StatusStrategy {
	return StatusStrategy{Strategy: s}
}

// GetResetFields returns the spec: the status subresource cannot change it.
func (StatusStrategy) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	return storageutil.ResetFields("spec", servedVersions...)
}

// PrepareForUpdate keeps the stored spec.
func (StatusStrategy) PrepareForUpdate(_ context.Context, obj, old runtime.Object) {
	obj.(*crd.NetworkPolicy).Spec = old.(*crd.NetworkPolicy).Spec
}

// ValidateUpdate validates the metadata change and the new status.
func (StatusStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	newP, oldP := obj.(*crd.NetworkPolicy), old.(*crd.NetworkPolicy)
	allErrs := apivalidation.ValidateObjectMetaUpdate(&newP.ObjectMeta, &oldP.ObjectMeta, field.NewPath("metadata"))
	return append(allErrs, validation.ValidatePolicyStatus(&newP.Status)...)
}
