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

// Package computed is a generic read-only REST storage over objects computed in
// memory on every request (system.antrea.io): get and list, label and metadata.name
// field selectors, a kubectl table, cluster- or namespace-scoped. Nothing is stored;
// there is no watch.
package computed

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/strata-net/strata/registry/storageutil"
)

// Object is a computed object: a runtime.Object with object metadata.
type Object interface {
	runtime.Object
	metav1.Object
}

// Source computes the objects; it is defined by each resource's package.
type Source[T Object] interface {
	// Get computes one object; false when name does not exist.
	Get(ctx context.Context, name string) (T, bool)
	// List computes every object.
	List(ctx context.Context) []T
}

// Config describes one resource.
type Config[T Object] struct {
	// Resource names the resource in errors.
	Resource schema.GroupResource
	// Singular is the singular name (kubectl get <singular>).
	Singular string
	// New returns an empty object and NewList an empty list of them.
	New, NewList func() runtime.Object
	// SetItems fills a list returned by NewList.
	SetItems func(list runtime.Object, items []T)
	// Table renders objects for kubectl.
	Table storageutil.TableConvertor[T]
	// Source computes the objects.
	Source Source[T]
	// Namespaced makes the resource namespace-scoped: Source reads the
	// request's Namespace from ctx (genericapirequest.NamespaceValue).
	Namespaced bool
	// ShortNames are kubectl's short names of the resource.
	ShortNames []string
}

// REST is the read-only storage of one computed resource.
type REST[T Object] struct {
	rest.TableConvertor
	cfg Config[T]
}

// NewREST returns the storage described by cfg.
func NewREST[T Object](cfg Config[T]) *REST[T] {
	return &REST[T]{TableConvertor: cfg.Table, cfg: cfg}
}

var (
	_ rest.Storage              = &REST[Object]{}
	_ rest.Scoper               = &REST[Object]{}
	_ rest.Getter               = &REST[Object]{}
	_ rest.Lister               = &REST[Object]{}
	_ rest.SingularNameProvider = &REST[Object]{}
	_ rest.ShortNamesProvider   = &REST[Object]{}
)

// New implements rest.Storage.
func (r *REST[T]) New() runtime.Object { return r.cfg.New() }

// NewList implements rest.Lister.
func (r *REST[T]) NewList() runtime.Object { return r.cfg.NewList() }

// Destroy implements rest.Storage; there is nothing to release.
func (r *REST[T]) Destroy() {}

// NamespaceScoped implements rest.Scoper: cluster-scoped unless Config.Namespaced.
func (r *REST[T]) NamespaceScoped() bool { return r.cfg.Namespaced }

// ShortNames implements rest.ShortNamesProvider.
func (r *REST[T]) ShortNames() []string { return r.cfg.ShortNames }

// GetSingularName implements rest.SingularNameProvider.
func (r *REST[T]) GetSingularName() string { return r.cfg.Singular }

// Get computes one object.
func (r *REST[T]) Get(ctx context.Context, name string, _ *metav1.GetOptions) (runtime.Object, error) {
	obj, ok := r.cfg.Source.Get(ctx, name)
	if !ok {
		return nil, apierrors.NewNotFound(r.cfg.Resource, name)
	}
	return obj, nil
}

// List computes the objects the label and metadata.name field selectors select.
func (r *REST[T]) List(ctx context.Context, opts *metainternalversion.ListOptions) (runtime.Object, error) {
	match, err := matcher(opts)
	if err != nil {
		return nil, apierrors.NewBadRequest(err.Error())
	}
	var items []T
	for _, obj := range r.cfg.Source.List(ctx) {
		if match(obj) {
			items = append(items, obj)
		}
	}
	list := r.cfg.NewList()
	r.cfg.SetItems(list, items)
	return list, nil
}

// matcher returns the predicate of the list options' selectors; only metadata.name
// is a valid field.
func matcher(opts *metainternalversion.ListOptions) (func(metav1.Object) bool, error) {
	lsel, fsel := labels.Everything(), fields.Everything()
	if opts != nil && opts.LabelSelector != nil {
		lsel = opts.LabelSelector
	}
	if opts != nil && opts.FieldSelector != nil {
		fsel = opts.FieldSelector
	}
	for _, req := range fsel.Requirements() {
		if req.Field != "metadata.name" {
			return nil, fmt.Errorf("field selector %q: only metadata.name is supported", req.Field)
		}
	}
	return func(obj metav1.Object) bool {
		return lsel.Matches(labels.Set(obj.GetLabels())) && fsel.Matches(fields.Set{"metadata.name": obj.GetName()})
	}, nil
}
