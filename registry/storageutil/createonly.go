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

package storageutil

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/registry/rest"
)

// CreateOnly is the storage of a cluster-scoped resource that is only ever
// created, as a request (podstartups, nodesyncreports): it validates the object,
// runs the admission's validation, and hands it to Handle unless it is a dry run.
type CreateOnly[T runtime.Object] struct {
	// Kind names the object in a 422.
	Kind schema.GroupKind
	// Singular is the resource's singular name.
	Singular string
	// NewObject returns an empty object.
	NewObject func() T
	// Validate checks the object; its errors are a 422 and nothing is handled.
	Validate func(T) field.ErrorList
	// Handle acts on a valid object and returns the answer.
	Handle func(ctx context.Context, obj T) (runtime.Object, error)
}

var (
	_ rest.Storage              = &CreateOnly[runtime.Object]{}
	_ rest.Creater              = &CreateOnly[runtime.Object]{}
	_ rest.Scoper               = &CreateOnly[runtime.Object]{}
	_ rest.SingularNameProvider = &CreateOnly[runtime.Object]{}
)

// New implements rest.Storage.
func (c *CreateOnly[T]) New() runtime.Object { return c.NewObject() }

// Destroy implements rest.Storage.
func (c *CreateOnly[T]) Destroy() {}

// NamespaceScoped implements rest.Scoper.
func (c *CreateOnly[T]) NamespaceScoped() bool { return false }

// GetSingularName implements rest.SingularNameProvider.
func (c *CreateOnly[T]) GetSingularName() string { return c.Singular }

// Create implements rest.Creater. A dry run validates and answers the object.
func (c *CreateOnly[T]) Create(ctx context.Context, obj runtime.Object, createValidation rest.ValidateObjectFunc,
	options *metav1.CreateOptions) (runtime.Object, error) {
	o, ok := obj.(T)
	if !ok {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("not a %s: %T", c.Kind.Kind, obj))
	}
	if errs := c.Validate(o); len(errs) > 0 {
		name := ""
		if m, ok := obj.(metav1.Object); ok {
			name = m.GetName()
		}
		return nil, apierrors.NewInvalid(c.Kind, name, errs)
	}
	if createValidation != nil {
		if err := createValidation(ctx, obj); err != nil {
			return nil, err
		}
	}
	if options != nil && len(options.DryRun) > 0 {
		return obj, nil
	}
	return c.Handle(ctx, o)
}
