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

package admission

import (
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/client-go/tools/cache"

	crdinformers "github.com/strata-net/strata/generated/informers/externalversions/crd/v1beta1"
)

// The two plugins of groupNesting, and what differs between them.

// ClusterGroups enforces one level of childGroups nesting and warns when a
// ClusterGroup that policies or groups still reference is deleted.
type ClusterGroups struct{ groupNesting }

// Groups is the namespaced counterpart of ClusterGroups: one level of childGroups
// nesting among the Groups of a Namespace (a Group's children are Groups of its own
// Namespace), and a warning when a Group that Antrea NetworkPolicies or Groups of
// its Namespace still reference is deleted.
type Groups struct{ groupNesting }

var (
	_ admission.ValidationInterface = &ClusterGroups{}
	_ WantsInformerFactory          = &ClusterGroups{}
	_ admission.ValidationInterface = &Groups{}
	_ WantsInformerFactory          = &Groups{}
)

// NewClusterGroups returns the StrataClusterGroups plugin: cluster-scoped
// ClusterGroups, referenced by ClusterNetworkPolicies.
func NewClusterGroups() *ClusterGroups {
	return &ClusterGroups{newGroupNesting(groupConfig{
		plugin: ClusterGroupsName, resource: "clustergroups",
		kind: "ClusterGroup", policies: "ClusterNetworkPolicies",
		informers: func(f crdinformers.Interface) (groups, policies cache.SharedIndexInformer) {
			return f.ClusterGroups().Informer(), f.ClusterNetworkPolicies().Informer()
		},
	})}
}

// NewGroups returns the StrataGroups plugin: Groups in Namespaces, referenced by
// the Antrea NetworkPolicies of their Namespace.
func NewGroups() *Groups {
	return &Groups{newGroupNesting(groupConfig{
		plugin: GroupsName, resource: "groups", namespaced: true,
		kind: "Group", policies: "Antrea NetworkPolicies",
		informers: func(f crdinformers.Interface) (groups, policies cache.SharedIndexInformer) {
			return f.Groups().Informer(), f.NetworkPolicies().Informer()
		},
	})}
}
