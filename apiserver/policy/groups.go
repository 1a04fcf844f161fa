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
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/apiserver/computed"
	"github.com/strata-net/strata/apiserver/policy/grouping"
)

type groupKind int

const (
	appliedToKind groupKind = iota
	addressKind
)

// groupID identifies an AppliedToGroup or an AddressGroup: the two kinds share names
// (the UUID of a selector, or a ClusterGroup's name) but not objects.
type groupID struct {
	kind groupKind
	name string
}

// groupSource is where a group's members come from: one selector, one node
// selector, or a ClusterGroup (or Group, by key).
type groupSource struct {
	selector     *grouping.Selector
	nodes        *nodeSelector
	clusterGroup string
}

// group is a computed AppliedToGroup or AddressGroup.
type group struct {
	id           groupID
	uid          types.UID
	source       groupSource
	selectorKeys []string         // selectors registered in the index for it
	refs         smallSet[string] // keys of the policies that use it
	published    bool
	dirty        bool // in Computer.dirty.groups
	removed      bool // released by its last policy

	appliedTo map[string]map[string]*controlplane.GroupMember // by Node; appliedToKind
	address   map[string]*controlplane.GroupMember            // addressKind
	span      *nodeSpan
}

// acquireGroup records that a policy uses a group, creating the group on first use.
func (c *Computer) acquireGroup(id groupID, src groupSource, policyKey string) {
	g := c.groups[id]
	if g == nil {
		g = &group{id: id, source: src, span: emptySpan}
		if src.clusterGroup != "" {
			if cg := c.clusterGroups[src.clusterGroup]; cg != nil {
				g.uid = cg.uid
			}
		}
		c.groups[id] = g
		c.registerSelectors(g)
		c.markGroup(g)
	}
	g.refs.Insert(policyKey)
}

// releaseGroup records that a policy no longer uses a group; the last user removes it.
func (c *Computer) releaseGroup(id groupID, policyKey string) {
	g := c.groups[id]
	if g == nil {
		return
	}
	g.refs.Delete(policyKey)
	if g.refs.Len() > 0 {
		return
	}
	c.unregisterSelectors(g)
	delete(c.groups, id)
	g.removed = true // recomputeDirtyGroups skips it
	c.dirty.addressSpans.Delete(id.name)
	if g.published {
		c.unpublishGroup(g)
	}
}

// registerSelectors registers the selectors of a group's source in the index.
func (c *Computer) registerSelectors(g *group) {
	var sels []*grouping.Selector
	switch {
	case g.source.selector != nil:
		sels = []*grouping.Selector{g.source.selector}
	case g.source.clusterGroup != "":
		sels = c.clusterGroupSelectors(g.source.clusterGroup)
	}
	for _, sel := range sels {
		key := c.index.AddSelector(sel)
		g.selectorKeys = append(g.selectorKeys, key)
		users := c.selectorUsers[key]
		if users == nil {
			users = &smallSet[*group]{}
			c.selectorUsers[key] = users
		}
		users.Insert(g)
	}
}

func (c *Computer) unregisterSelectors(g *group) {
	for _, key := range g.selectorKeys {
		c.index.RemoveSelector(key)
		if users := c.selectorUsers[key]; users != nil {
			users.Delete(g)
			if users.Len() == 0 {
				delete(c.selectorUsers, key)
			}
		}
	}
	g.selectorKeys = nil
}

// markGroup marks a group's members to recompute.
func (c *Computer) markGroup(g *group) {
	if !g.dirty {
		g.dirty = true
		c.dirty.groups = append(c.dirty.groups, g)
	}
}

// onMembersChanged is the index's handler; it runs with c.mu held.
func (c *Computer) onMembersChanged(selectorKeys []string) {
	for _, key := range selectorKeys {
		if users := c.selectorUsers[key]; users != nil {
			for g := range users.All() {
				c.markGroup(g)
			}
		}
	}
}

// pods returns the Pods a group's selectors select, each once.
func (c *Computer) pods(g *group) []*grouping.Pod {
	if len(g.selectorKeys) == 1 {
		return c.index.Pods(g.selectorKeys[0])
	}
	seen := sets.New[string]()
	var out []*grouping.Pod
	for _, key := range g.selectorKeys {
		for _, p := range c.index.Pods(key) {
			if k := p.Namespace + "/" + p.Name; !seen.Has(k) {
				seen.Insert(k)
				out = append(out, p)
			}
		}
	}
	return out
}

// recomputeDirtyGroups refreshes the members of every dirty group: computed in
// parallel (each reads the index and its own group only) and applied in turn as
// soon as computed. An AppliedToGroup whose span changed marks the spans of its
// policies dirty.
func (c *Computer) recomputeDirtyGroups() {
	groups := c.dirty.groups[:0]
	for _, g := range c.dirty.groups {
		g.dirty = false
		if !g.removed {
			groups = append(groups, g)
		}
	}
	c.dirty.groups = nil
	results := make([]groupMembers, len(groups))
	pipeline(len(groups), func(i int) { results[i] = c.computeMembers(groups[i]) }, func(i int) {
		c.applyMembers(groups[i], results[i])
		results[i] = groupMembers{}
	})
}

// groupMembers are the members computed for a group, and whether they differ from
// the published ones.
type groupMembers struct {
	changed bool
	address map[string]*controlplane.GroupMember            // addressKind
	byNode  map[string]map[string]*controlplane.GroupMember // appliedToKind
	span    *nodeSpan                                       // appliedToKind
}

// computeMembers computes a group's members from the index. It only reads the
// index and the group, so groups can be computed concurrently.
func (c *Computer) computeMembers(g *group) groupMembers {
	pods := c.pods(g)
	if g.id.kind == addressKind {
		members := make(map[string]*controlplane.GroupMember, len(pods))
		for _, p := range pods {
			if m := membersOf(p); m.address != nil {
				members[m.addressKey] = m.address
			}
		}
		c.addNodeMembers(g, members)
		return groupMembers{address: members, changed: !g.published || !sameMembers(members, g.address)}
	}
	byNode := appliedToByNode(pods)
	if g.published && sameMembersByNode(byNode, g.appliedTo) {
		return groupMembers{}
	}
	return groupMembers{changed: true, byNode: byNode, span: spanOfNodes(byNode, g.span)}
}

// applyMembers records and publishes the members computeMembers found changed.
func (c *Computer) applyMembers(g *group, m groupMembers) {
	if !m.changed {
		return
	}
	if g.id.kind == addressKind {
		g.address = m.address
		c.dirty.addressPublish.Insert(g.id.name)
		return
	}
	g.appliedTo = m.byNode
	if m.span != g.span {
		g.span = m.span
		for key := range g.refs.All() {
			c.dirty.spans.Insert(key)
		}
	}
	c.publishAppliedToGroup(g)
}

// appliedToByNode splits the AppliedToGroup members of Pods by Node.
func appliedToByNode(pods []*grouping.Pod) map[string]map[string]*controlplane.GroupMember {
	byNode := map[string]map[string]*controlplane.GroupMember{}
	for _, p := range pods {
		m := membersOf(p)
		if m.appliedTo == nil {
			continue
		}
		members := byNode[p.NodeName]
		if members == nil {
			members = make(map[string]*controlplane.GroupMember, 1)
			byNode[p.NodeName] = members
		}
		members[m.appliedToKey] = m.appliedTo
	}
	return byNode
}

func (c *Computer) publishAppliedToGroup(g *group) {
	if err := c.sink.UpsertAppliedToGroup(&computed.AppliedToGroup{Name: g.id.name, UID: g.uid, MembersByNode: g.appliedTo}); err != nil {
		c.reportSinkError("AppliedToGroup", g.id.name, err)
		return
	}
	g.published = true
}

func (c *Computer) publishAddressGroup(g *group) {
	err := c.sink.UpsertAddressGroup(&computed.AddressGroup{Name: g.id.name, UID: g.uid, Members: g.address, Span: g.span.nodes})
	if err != nil {
		c.reportSinkError("AddressGroup", g.id.name, err)
		return
	}
	g.published = true
}

func (c *Computer) unpublishGroup(g *group) {
	var err error
	if g.id.kind == addressKind {
		err = c.sink.DeleteAddressGroup(g.id.name)
	} else {
		err = c.sink.DeleteAppliedToGroup(g.id.name)
	}
	if err != nil {
		c.reportSinkError("group", g.id.name, err)
	}
}
