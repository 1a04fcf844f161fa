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

package policy

import (
	"fmt"
	"strings"

	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
)

// Groups (crd.antrea.io Group) are namespaced ClusterGroups: an ANNP refers to the
// Groups of its own Namespace, and a Group's childGroups are Groups of that
// Namespace too. The computation keeps them with the ClusterGroups under the key
// "<namespace>:<name>", which no ClusterGroup name can be (names are DNS
// subdomains), and its AppliedToGroups and AddressGroups carry that name.

// namespacedGroupKey is the key of a Group.
func namespacedGroupKey(namespace, name string) string { return namespace + ":" + name }

// splitGroupKey returns the Namespace and name of a group key; the Namespace is
// empty for a ClusterGroup.
func splitGroupKey(key string) (namespace, name string) {
	if ns, n, ok := strings.Cut(key, ":"); ok {
		return ns, n
	}
	return "", key
}

// groupSpecOf reads a ClusterGroup or Group by key.
func (c *Compiler) groupSpecOf(key string) (*crdv1beta1.GroupSpec, *groupMeta, bool) {
	ns, name := splitGroupKey(key)
	if ns == "" {
		g, ok := c.sources.ClusterGroup(name)
		if !ok {
			return nil, nil, false
		}
		return &g.Spec, &groupMeta{uid: g.UID}, true
	}
	g, ok := c.sources.Group(ns, name)
	if !ok {
		return nil, nil, false
	}
	return &g.Spec, &groupMeta{uid: g.UID, namespace: ns}, true
}

// groupKindName names a group key for messages: ClusterGroup "x" or Group "ns/x".
func groupKindName(key string) string {
	if ns, name := splitGroupKey(key); ns != "" {
		return fmt.Sprintf("Group %q", ns+"/"+name)
	}
	return fmt.Sprintf("ClusterGroup %q", key)
}

// groupBeyondNamespace tells whether a Group (or one of its children) selects Pods
// outside its own Namespace: an Antrea NetworkPolicy applies to its own Namespace
// only, so such a Group cannot be its appliedTo.
func (c *Compiler) groupBeyondNamespace(key string) bool {
	for _, sel := range c.clusterGroups.selectors(key) {
		if sel.Namespace == "" {
			return true
		}
	}
	return false
}
