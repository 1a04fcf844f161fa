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
	"maps"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/registry/generic"

	"github.com/strata-net/strata/apis/crd"
	"github.com/strata-net/strata/apis/security"
)

// aliasRESTOptionsGetter answers for a resource with the options of another one.
type aliasRESTOptionsGetter struct {
	getter  generic.RESTOptionsGetter
	aliases map[schema.GroupResource]schema.GroupResource
}

// NewAliasRESTOptionsGetter returns a getter that asks getter for the options of
// aliases[r] whenever a store asks for those of r, and for those of r otherwise. The
// options carry the etcd prefix and the storage codec, so a store of r then reads
// and writes the keys of aliases[r].
func NewAliasRESTOptionsGetter(getter generic.RESTOptionsGetter, aliases map[schema.GroupResource]schema.GroupResource) generic.RESTOptionsGetter {
	return aliasRESTOptionsGetter{getter: getter, aliases: maps.Clone(aliases)}
}

// GetRESTOptions implements generic.RESTOptionsGetter.
func (a aliasRESTOptionsGetter) GetRESTOptions(r schema.GroupResource, example runtime.Object) (generic.RESTOptions, error) {
	if to, ok := a.aliases[r]; ok {
		r = to
	}
	return a.getter.GetRESTOptions(r, example)
}

// LegacyAliases maps the resources of the legacy group
// security.antrea.tanzu.vmware.com to the crd.antrea.io resources they share their
// storage with.
func LegacyAliases() map[schema.GroupResource]schema.GroupResource {
	return map[schema.GroupResource]schema.GroupResource{
		security.Resource("tiers"):                  crd.Resource("tiers"),
		security.Resource("clusternetworkpolicies"): crd.Resource("clusternetworkpolicies"),
	}
}

// NewLegacyRESTOptionsGetter wraps getter for the stores of the legacy group: they
// then use the etcd prefix and codec of crd.antrea.io/tiers and
// crd.antrea.io/clusternetworkpolicies, so every object is stored once, as
// crd.antrea.io/v1beta1, and seen through both groups.
func NewLegacyRESTOptionsGetter(getter generic.RESTOptionsGetter) generic.RESTOptionsGetter {
	return NewAliasRESTOptionsGetter(getter, LegacyAliases())
}
