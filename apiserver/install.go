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

package apiserver

import (
	"fmt"

	"k8s.io/apimachinery/pkg/runtime/schema"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apiserver/pkg/registry/generic"
	"k8s.io/apiserver/pkg/registry/rest"
	genericapiserver "k8s.io/apiserver/pkg/server"

	"github.com/strata-net/strata/apis/crd"
	"github.com/strata-net/strata/apis/crd/validation"
	"github.com/strata-net/strata/apis/scheme"
	"github.com/strata-net/strata/apis/security"
	"github.com/strata-net/strata/registry/clustergroup"
	"github.com/strata-net/strata/registry/clusternetworkpolicy"
	groupregistry "github.com/strata-net/strata/registry/group"
	"github.com/strata-net/strata/registry/networkpolicy"
	"github.com/strata-net/strata/registry/storageutil"
	"github.com/strata-net/strata/registry/tier"
)

func init() {
	// spec.tier field selectors on ClusterNetworkPolicies, in every served version.
	utilruntime.Must(clusternetworkpolicy.AddFieldLabelConversions(scheme.Scheme))
}

// policyStorage is the storage of the policy resources, shared by every served
// version of a group. namespaced holds the namespaced kinds (Antrea NetworkPolicies
// and Groups), which only crd.antrea.io/v1beta1 serves.
type policyStorage struct {
	tiers, policies, groups, namespaced map[string]rest.Storage
}

// newPolicyStorage builds the stores of one group: crd.antrea.io, or the legacy
// group whose stores share crd.antrea.io's keys through an alias getter.
func newPolicyStorage(getter generic.RESTOptionsGetter, group string, flows validation.FlowLimits) (policyStorage, error) {
	cfg := func(resource string) storageutil.Config {
		return storageutil.Config{RESTOptionsGetter: getter, Resource: schema.GroupResource{Group: group, Resource: resource},
			FlowLimits: flows}
	}
	tiers, err := tier.NewREST(cfg("tiers"))
	if err != nil {
		return policyStorage{}, fmt.Errorf("tier storage: %w", err)
	}
	acnp, acnpStatus, err := clusternetworkpolicy.NewREST(cfg("clusternetworkpolicies"))
	if err != nil {
		return policyStorage{}, fmt.Errorf("clusternetworkpolicy storage: %w", err)
	}
	s := policyStorage{
		tiers:    map[string]rest.Storage{"tiers": tiers},
		policies: map[string]rest.Storage{"clusternetworkpolicies": acnp, "clusternetworkpolicies/status": acnpStatus},
	}
	if group != crd.GroupName {
		return s, nil
	}
	cg, cgStatus, err := clustergroup.NewREST(cfg("clustergroups"))
	if err != nil {
		return policyStorage{}, fmt.Errorf("clustergroup storage: %w", err)
	}
	s.groups = map[string]rest.Storage{"clustergroups": cg, "clustergroups/status": cgStatus}
	annp, annpStatus, err := networkpolicy.NewREST(cfg("networkpolicies"))
	if err != nil {
		return policyStorage{}, fmt.Errorf("networkpolicy storage: %w", err)
	}
	grp, grpStatus, err := groupregistry.NewREST(cfg("groups"))
	if err != nil {
		return policyStorage{}, fmt.Errorf("group storage: %w", err)
	}
	s.namespaced = map[string]rest.Storage{
		"networkpolicies": annp, "networkpolicies/status": annpStatus,
		"groups": grp, "groups/status": grpStatus,
	}
	return s, nil
}

// installPolicyGroups installs crd.antrea.io (v1beta1: every kind, including the
// namespaced NetworkPolicy and Group; v1alpha1: Tier and ClusterNetworkPolicy;
// v1alpha2: ClusterGroup) and the legacy
// security.antrea.tanzu.vmware.com/v1alpha1 (Tier, ClusterNetworkPolicy). All
// versions of a kind share one store, and the legacy stores share crd.antrea.io's
// etcd keys.
func installPolicyGroups(gs *genericapiserver.GenericAPIServer, getter generic.RESTOptionsGetter, flows validation.FlowLimits) error {
	crdStorage, err := newPolicyStorage(getter, crd.GroupName, flows)
	if err != nil {
		return err
	}
	legacyStorage, err := newPolicyStorage(storageutil.NewLegacyRESTOptionsGetter(getter), security.GroupName, flows)
	if err != nil {
		return err
	}
	crdGroup := genericapiserver.NewDefaultAPIGroupInfo(crd.GroupName, scheme.Scheme, scheme.ParameterCodec, scheme.Codecs)
	crdGroup.VersionedResourcesStorageMap["v1beta1"] = merge(crdStorage.tiers, crdStorage.policies, crdStorage.groups, crdStorage.namespaced)
	crdGroup.VersionedResourcesStorageMap["v1alpha1"] = merge(crdStorage.tiers, crdStorage.policies)
	crdGroup.VersionedResourcesStorageMap["v1alpha2"] = merge(crdStorage.groups)
	legacyGroup := genericapiserver.NewDefaultAPIGroupInfo(security.GroupName, scheme.Scheme, scheme.ParameterCodec, scheme.Codecs)
	legacyGroup.VersionedResourcesStorageMap["v1alpha1"] = merge(legacyStorage.tiers, legacyStorage.policies)
	if err := gs.InstallAPIGroups(&crdGroup, &legacyGroup); err != nil {
		return fmt.Errorf("installing the policy API groups: %w", err)
	}
	return nil
}

func merge(maps ...map[string]rest.Storage) map[string]rest.Storage {
	out := map[string]rest.Storage{}
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}
