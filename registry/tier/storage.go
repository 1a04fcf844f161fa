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

// Config configures NewREST. Resource defaults to crd.antrea.io/tiers; the legacy
// group passes security.antrea.tanzu.vmware.com/tiers with a RESTOptionsGetter
// wrapped by storageutil.NewLegacyRESTOptionsGetter.
type Config = storageutil.Config

// REST is the storage of Tiers.
type REST struct {
	*genericregistry.Store
	shortNames []string
}

var (
	_ rest.StandardStorage      = &REST{}
	_ rest.ShortNamesProvider   = &REST{}
	_ rest.SingularNameProvider = &REST{}
	_ rest.TableConvertor       = &REST{}
)

// NewREST returns the storage of Tiers of cfg.Resource.
func NewREST(cfg Config) (*REST, error) {
	cfg, err := cfg.Complete(crd.Resource("tiers"), security.Resource("tiers"))
	if err != nil {
		return nil, err
	}
	strategy := NewStrategy(scheme.Scheme)
	store := &genericregistry.Store{
		NewFunc:                   func() runtime.Object { return &crd.Tier{} },
		NewListFunc:               func() runtime.Object { return &crd.TierList{} },
		PredicateFunc:             Matcher,
		DefaultQualifiedResource:  cfg.Resource,
		SingularQualifiedResource: cfg.Singular("tier"),
		CreateStrategy:            strategy,
		UpdateStrategy:            strategy,
		DeleteStrategy:            strategy,
		TableConvertor:            tableConvertor,
	}
	options := &generic.StoreOptions{RESTOptions: cfg.RESTOptionsGetter, AttrFunc: GetAttrs}
	if err := store.CompleteWithOptions(options); err != nil {
		return nil, fmt.Errorf("completing the store of %s: %w", cfg.Resource, err)
	}
	shortNames := []string{"tr"}
	if cfg.Resource.Group == security.GroupName {
		shortNames = []string{"ltr"}
	}
	return &REST{Store: store, shortNames: shortNames}, nil
}

// ShortNames implements rest.ShortNamesProvider: tr, or ltr for the legacy group.
func (r *REST) ShortNames() []string {
	return r.shortNames
}
