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
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/registry/generic"

	"github.com/strata-net/strata/apis/crd/validation"
)

// Config is the argument of the NewREST function of every registry package.
type Config struct {
	// RESTOptionsGetter gives the storage options of a resource: etcd prefix, codec,
	// watch cache. The stores of the legacy group need one wrapped by
	// NewLegacyRESTOptionsGetter.
	RESTOptionsGetter generic.RESTOptionsGetter
	// Resource is the qualified resource the store serves, e.g. crd.antrea.io/tiers.
	// Empty means the package's default in crd.antrea.io.
	Resource schema.GroupResource
	// FlowLimits bound the estimated flows per Node of a policy (the policy kinds
	// only; the zero value: the defaults).
	FlowLimits validation.FlowLimits
}

// Complete returns c with Resource defaulted to def. It fails when c has no
// RESTOptionsGetter or when Resource is neither def nor one of alternatives.
func (c Config) Complete(def schema.GroupResource, alternatives ...schema.GroupResource) (Config, error) {
	if c.RESTOptionsGetter == nil {
		return c, errors.New("storage config for " + def.String() + ": RESTOptionsGetter is nil")
	}
	if c.Resource.Empty() {
		c.Resource = def
		return c, nil
	}
	if c.Resource == def {
		return c, nil
	}
	for _, alt := range alternatives {
		if c.Resource == alt {
			return c, nil
		}
	}
	return c, fmt.Errorf("storage config: resource %q is not served by this store (want %q or one of %v)", c.Resource, def, alternatives)
}

// Singular returns the singular qualified resource of c.Resource's group.
func (c Config) Singular(singular string) schema.GroupResource {
	return schema.GroupResource{Group: c.Resource.Group, Resource: singular}
}
