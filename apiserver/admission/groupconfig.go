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
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/cache"

	"github.com/strata-net/strata/apis/crd"
	crdinformers "github.com/strata-net/strata/generated/informers/externalversions/crd/v1beta1"
)

// groupConfig is what differs between StrataClusterGroups and StrataGroups.
type groupConfig struct {
	// plugin is the plugin's name; resource is the resource it validates.
	plugin, resource string
	// namespaced: the groups live in Namespaces, and their children and referrers
	// are of their own Namespace.
	namespaced bool
	// kind and policies name the groups and the policies that reference them, in
	// the deletion warnings.
	kind, policies string
	// informers are the informers of the groups and of the policies.
	informers func(crdinformers.Interface) (groups, policies cache.SharedIndexInformer)
}

// group is the group a create or update writes: a Group when namespaced, a
// ClusterGroup otherwise; nil for any other object.
func (c groupConfig) group(obj runtime.Object) (metav1.Object, *crd.GroupSpec) {
	switch g := obj.(type) {
	case *crd.ClusterGroup:
		if !c.namespaced {
			return g, &g.Spec
		}
	case *crd.Group:
		if c.namespaced {
			return g, &g.Spec
		}
	}
	return nil, nil
}

// key is the cache and index key of a group: namespace/name for a namespaced
// group, name for a cluster-scoped one.
func (c groupConfig) key(namespace, name string) string {
	if !c.namespaced {
		return name
	}
	return namespacedKey(namespace, name)
}

// where is " <preposition> Namespace <namespace>" for a namespaced group, nothing
// for a cluster-scoped one.
func (c groupConfig) where(preposition, namespace string) string {
	if !c.namespaced {
		return ""
	}
	return fmt.Sprintf(" %s Namespace %s", preposition, namespace)
}
