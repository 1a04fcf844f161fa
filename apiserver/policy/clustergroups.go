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
	"reflect"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/klog/v2"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/apis/crd/support"
	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
	"github.com/strata-net/strata/apiserver/policy/grouping"
)

// clusterGroup is a compiled ClusterGroup or Group (key "<namespace>:<name>").
type clusterGroup struct {
	name     string // the key
	uid      types.UID
	selector *grouping.Selector // pod/namespace selectors, or the Service's selector
	nodes    *nodeSelector      // nodeSelector (ClusterGroup only)
	service  string             // "namespace/name" of serviceReference
	ipBlocks []controlplane.IPBlock
	children []string // keys
	refused  []string // the fields this version does not enforce
}

// groupMeta is what a compiled group keeps of its source's metadata.
type groupMeta struct {
	uid       types.UID
	namespace string
}

func (g *clusterGroup) selectorKey() string {
	if g == nil || g.selector == nil {
		return ""
	}
	return g.selector.Key()
}

func (g *clusterGroup) equal(o *clusterGroup) bool {
	if g == nil || o == nil {
		return g == o
	}
	return g.uid == o.uid && g.selectorKey() == o.selectorKey() && g.nodes.key() == o.nodes.key() &&
		g.service == o.service && reflect.DeepEqual(g.ipBlocks, o.ipBlocks) &&
		reflect.DeepEqual(g.children, o.children) && reflect.DeepEqual(g.refused, o.refused)
}

// compileClusterGroup compiles a ClusterGroup or Group; nil when it does not exist.
// A Group's podSelector alone, serviceReference and childGroups are of its own
// Namespace.
func (c *Compiler) compileClusterGroup(key string) *clusterGroup {
	spec, meta, ok := c.groupSpecOf(key)
	if !ok {
		return nil
	}
	g := &clusterGroup{name: key, uid: meta.uid}
	for _, err := range support.GroupSpec(spec) {
		g.refused = append(g.refused, err.Error())
	}
	switch {
	case spec.ServiceReference != nil:
		ref := *spec.ServiceReference
		if meta.namespace != "" {
			ref.Namespace = meta.namespace
		}
		g.service = ref.Namespace + "/" + ref.Name
		g.selector = c.serviceSelector(&ref)
	case spec.PodSelector != nil || spec.NamespaceSelector != nil:
		ns := ""
		if spec.NamespaceSelector == nil {
			ns = meta.namespace
		}
		sel, err := grouping.NewSelector(ns, spec.NamespaceSelector, spec.PodSelector)
		if err != nil {
			klog.InfoS("Ignoring the invalid selector of a group", "group", key, "err", err)
		}
		g.selector = sel
	case spec.NodeSelector != nil && meta.namespace == "":
		g.nodes = newNodeSelector(spec.NodeSelector)
	}
	for _, b := range spec.IPBlocks {
		if blk, ok := ipBlock(b.CIDR, b.Except); ok {
			g.ipBlocks = append(g.ipBlocks, blk)
		}
	}
	for _, child := range spec.ChildGroups {
		if meta.namespace != "" {
			g.children = append(g.children, namespacedGroupKey(meta.namespace, string(child)))
		} else {
			g.children = append(g.children, string(child))
		}
	}
	return g
}

// serviceSelector selects the Pods of a Service's selector in its Namespace; nil when
// the Service does not exist or has no selector.
func (c *Compiler) serviceSelector(ref *crdv1beta1.NamespacedName) *grouping.Selector {
	svc, ok := c.sources.Service(ref.Namespace, ref.Name)
	if !ok || len(svc.Spec.Selector) == 0 {
		return nil
	}
	sel, err := grouping.NewSelector(ref.Namespace, nil, &metav1.LabelSelector{MatchLabels: svc.Spec.Selector})
	if err != nil {
		return nil
	}
	return sel
}

// syncClusterGroup compiles a ClusterGroup again; when it changed, the groups built
// from it (and from its parents) take their new selectors, and the policies that
// use it are compiled again (they carry its ipBlocks).
func (c *Compiler) syncClusterGroup(name string) {
	compiled := c.compileClusterGroup(name)
	if compiled.equal(c.clusterGroups[name]) {
		return
	}
	if compiled == nil {
		delete(c.clusterGroups, name)
	} else {
		c.clusterGroups[name] = compiled
	}
	affected := sets.New(name)
	for _, g := range c.clusterGroups {
		for _, child := range g.children {
			if child == name {
				affected.Insert(g.name)
			}
		}
	}
	for cg := range affected {
		c.refreshClusterGroupUsers(cg)
	}
}

// refreshClusterGroupUsers gives the groups built from a ClusterGroup its new
// selectors and marks the policies that reference it.
func (c *Compiler) refreshClusterGroupUsers(name string) {
	c.groups.reselect(name)
	for key := range c.clusterGroupUsers[name] {
		c.dirty.policies.Insert(key)
	}
}

// clusterGroupSet is the compiled ClusterGroups and Groups, by key. It is the
// groupState's clusterGroupResolver.
type clusterGroupSet map[string]*clusterGroup

// uid returns the UID of a ClusterGroup; false when it does not exist.
func (s clusterGroupSet) uid(name string) (types.UID, bool) {
	if g := s[name]; g != nil {
		return g.uid, true
	}
	return "", false
}

// selectors returns the selectors of a ClusterGroup and of its children (one level
// of nesting).
func (s clusterGroupSet) selectors(name string) []*grouping.Selector {
	g := s[name]
	if g == nil {
		return nil
	}
	var out []*grouping.Selector
	if g.selector != nil {
		out = append(out, g.selector)
	}
	for _, child := range g.children {
		if cg := s[child]; cg != nil && cg.selector != nil && len(cg.children) == 0 {
			out = append(out, cg.selector)
		}
	}
	return out
}

// nodeSelectors returns the node selectors of a ClusterGroup and of its children
// (one level of nesting).
func (s clusterGroupSet) nodeSelectors(name string) []*nodeSelector {
	g := s[name]
	if g == nil {
		return nil
	}
	var out []*nodeSelector
	if g.nodes != nil {
		out = append(out, g.nodes)
	}
	for _, child := range g.children {
		if cg := s[child]; cg != nil && cg.nodes != nil && len(cg.children) == 0 {
			out = append(out, cg.nodes)
		}
	}
	return out
}

// checkGroupRef records on the policy being compiled what keeps a referenced group
// from selecting exactly what it says: it does not exist, a child does not exist,
// it uses a field this version does not enforce, or (as an appliedTo) it selects
// Nodes, and policies applied to Nodes are not supported.
func (c *Compiler) checkGroupRef(b *builder, kind groupKind, key string) {
	g := c.clusterGroups[key]
	if g == nil {
		b.issue(reasonGroupNotFound, groupKindName(key)+" does not exist")
		return
	}
	for _, r := range g.refused {
		b.issue(reasonUnsupportedField, groupKindName(key)+": "+r)
	}
	for _, child := range g.children {
		if c.clusterGroups[child] == nil {
			b.issue(reasonGroupNotFound, groupKindName(key)+": child "+groupKindName(child)+" does not exist")
		}
	}
	if kind == appliedToKind && len(c.clusterGroups.nodeSelectors(key)) > 0 {
		b.issue(reasonUnsupportedField, groupKindName(key)+
			" selects Nodes (nodeSelector): a policy applied to Nodes is not supported by this Strata version")
	}
}

// ipBlocks returns the ipBlocks of a ClusterGroup and of its children.
func (s clusterGroupSet) ipBlocks(name string) []controlplane.IPBlock {
	g := s[name]
	if g == nil {
		return nil
	}
	out := append([]controlplane.IPBlock{}, g.ipBlocks...)
	for _, child := range g.children {
		if cg := s[child]; cg != nil && len(cg.children) == 0 {
			out = append(out, cg.ipBlocks...)
		}
	}
	return out
}
