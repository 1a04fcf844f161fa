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

package appliedtogroup

import (
	"context"
	"strconv"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/apiserver/computed"
	"github.com/strata-net/strata/registry/controlplane/store"
)

// Reader is what REST reads; *store.Store[*computed.AppliedToGroup] implements it.
type Reader interface {
	Get(name string) (*computed.AppliedToGroup, bool)
	Select(sel store.Selector) (items []*computed.AppliedToGroup, resourceVersion uint64)
	Watch(ctx context.Context, opts store.WatchOptions) (watch.Interface, error)
}

// REST is the storage of appliedtogroups.
type REST struct {
	reader Reader
}

var (
	_ rest.Storage              = &REST{}
	_ rest.Scoper               = &REST{}
	_ rest.Getter               = &REST{}
	_ rest.Lister               = &REST{}
	_ rest.Watcher              = &REST{}
	_ rest.SingularNameProvider = &REST{}
)

// NewREST returns the storage of appliedtogroups served from reader.
func NewREST(reader Reader) *REST {
	return &REST{reader: reader}
}

// New implements rest.Storage.
func (r *REST) New() runtime.Object { return &controlplane.AppliedToGroup{} }

// NewList implements rest.Lister.
func (r *REST) NewList() runtime.Object { return &controlplane.AppliedToGroupList{} }

// Destroy implements rest.Storage; the store belongs to the caller.
func (r *REST) Destroy() {}

// NamespaceScoped implements rest.Scoper: AppliedToGroups are cluster-scoped.
func (r *REST) NamespaceScoped() bool { return false }

// GetSingularName implements rest.SingularNameProvider.
func (r *REST) GetSingularName() string { return "appliedtogroup" }

// Get returns the group name with the members of every Node.
func (r *REST) Get(_ context.Context, name string, _ *metav1.GetOptions) (runtime.Object, error) {
	g, ok := r.reader.Get(name)
	if !ok {
		return nil, apierrors.NewNotFound(controlplane.Resource("appliedtogroups"), name)
	}
	return g.ToAPI(""), nil
}

// List returns the groups the label and field selectors select; with a nodeName
// selector, each with the members of that Node only.
func (r *REST) List(_ context.Context, opts *metainternalversion.ListOptions) (runtime.Object, error) {
	sel, err := store.SelectorFromListOptions(opts)
	if err != nil {
		return nil, apierrors.NewBadRequest(err.Error())
	}
	items, rv := r.reader.Select(sel)
	list := &controlplane.AppliedToGroupList{
		ListMeta: metav1.ListMeta{ResourceVersion: strconv.FormatUint(rv, 10)},
		Items:    make([]controlplane.AppliedToGroup, 0, len(items)),
	}
	for _, g := range items {
		list.Items = append(list.Items, *g.ToAPI(sel.NodeName))
	}
	return list, nil
}

// Watch streams the groups the selectors select; see the store for the protocol.
func (r *REST) Watch(ctx context.Context, opts *metainternalversion.ListOptions) (watch.Interface, error) {
	watchOpts, err := store.WatchOptionsFromListOptions(opts)
	if err != nil {
		return nil, apierrors.NewBadRequest(err.Error())
	}
	w, err := r.reader.Watch(ctx, watchOpts)
	if err != nil {
		return nil, apierrors.NewInternalError(err)
	}
	return w, nil
}
