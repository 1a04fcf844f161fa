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
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/strata-net/strata/apis/crd"
	"github.com/strata-net/strata/apis/scheme"
	"github.com/strata-net/strata/apis/security"
	"github.com/strata-net/strata/registry/storageutil"
)

// Config configures NewREST. Resource defaults to crd.antrea.io/clusternetworkpolicies;
// the legacy group passes security.antrea.tanzu.vmware.com/clusternetworkpolicies with
// a RESTOptionsGetter wrapped by storageutil.NewLegacyRESTOptionsGetter.
type Config = storageutil.Config

// StatusREST is the status subresource of ClusterNetworkPolicies.
type StatusREST = storageutil.StatusREST

// REST is the storage of ClusterNetworkPolicies.
type REST struct {
	*genericregistry.Store
	shortNames []string
}

var (
	_ rest.StandardStorage      = &REST{}
	_ rest.ShortNamesProvider   = &REST{}
	_ rest.SingularNameProvider = &REST{}
	_ rest.TableConvertor       = &REST{}
	_ rest.ResetFieldsStrategy  = &REST{}
)

// NewREST returns the storage of the ClusterNetworkPolicies of cfg.Resource and its
// status subresource.
func NewREST(cfg Config) (*REST, *StatusREST, error) {
	cfg, err := cfg.Complete(crd.Resource("clusternetworkpolicies"), security.Resource("clusternetworkpolicies"))
	if err != nil {
		return nil, nil, err
	}
	strategy := NewStrategy(scheme.Scheme)
	strategy.Flows = cfg.FlowLimits
	store := &genericregistry.Store{
		NewFunc:                   func() runtime.Object { return &crd.ClusterNetworkPolicy{} },
		NewListFunc:               func() runtime.Object { return &crd.ClusterNetworkPolicyList{} },
		PredicateFunc:             Matcher,
		DefaultQualifiedResource:  cfg.Resource,
		SingularQualifiedResource: cfg.Singular("clusternetworkpolicy"),
		CreateStrategy:            strategy,
		UpdateStrategy:            strategy,
		DeleteStrategy:            strategy,
		ResetFieldsStrategy:       strategy,
		TableConvertor:            tableConvertor,
	}
	options := &generic.StoreOptions{RESTOptions: cfg.RESTOptionsGetter, AttrFunc: GetAttrs}
	if err := store.CompleteWithOptions(options); err != nil {
		return nil, nil, fmt.Errorf("completing the store of %s: %w", cfg.Resource, err)
	}
	shortNames := []string{"acnp"}
	if cfg.Resource.Group == security.GroupName {
		shortNames = []string{"lacnp"}
	}
	status := storageutil.NewStatusREST(store, NewStatusStrategy(strategy))
	return &REST{Store: store, shortNames: shortNames}, status, nil
}

// ShortNames implements rest.ShortNamesProvider: acnp, or lacnp for the legacy group.
func (r *REST) ShortNames() []string {
	return r.shortNames
}
