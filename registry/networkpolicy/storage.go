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
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/strata-net/strata/apis/crd"
	"github.com/strata-net/strata/apis/scheme"
	"github.com/strata-net/strata/registry/storageutil"
)

// Config configures NewREST. Resource defaults to, and can only be,
// crd.antrea.io/networkpolicies.
type Config = storageutil.Config

// StatusREST is the status subresource of Antrea NetworkPolicies.
type StatusREST = storageutil.StatusREST

// REST is the storage of Antrea NetworkPolicies.
type REST struct {
	*genericregistry.Store
}

var (
	_ rest.StandardStorage      = &REST{}
	_ rest.ShortNamesProvider   = &REST{}
	_ rest.SingularNameProvider = &REST{}
	_ rest.TableConvertor       = &REST{}
	_ rest.ResetFieldsStrategy  = &REST{}
)

// NewREST returns the storage of Antrea NetworkPolicies and its status subresource.
func NewREST(cfg Config) (*REST, *StatusREST, error) {
	cfg, err := cfg.Complete(crd.Resource("networkpolicies"))
	if err != nil {
		return nil, nil, err
	}
	strategy := NewStrategy(scheme.Scheme)
	strategy.Flows = cfg.FlowLimits
	store := &genericregistry.Store{
		NewFunc:                   func() runtime.Object { return &crd.NetworkPolicy{} },
		NewListFunc:               func() runtime.Object { return &crd.NetworkPolicyList{} },
		PredicateFunc:             Matcher,
		DefaultQualifiedResource:  cfg.Resource,
		SingularQualifiedResource: cfg.Singular("networkpolicy"),
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
	return &REST{Store: store}, storageutil.NewStatusREST(store, NewStatusStrategy(strategy)), nil
}

// ShortNames implements rest.ShortNamesProvider: annp, and anp, which Antrea keeps
// as a deprecated alias (the short name before Antrea v1.13).
func (r *REST) ShortNames() []string {
	return []string{"annp", "anp"}
}
