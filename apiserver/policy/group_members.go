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
	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/apiserver/computed"
	"github.com/strata-net/strata/apiserver/policy/grouping"
)

// The Compiler is the groupState's listener: it queues the stale groups for the
// pass, which computes their members (recomputeDirtyGroups) and publishes them.

// groupStale queues a group whose members the next pass computes (groupListener).
func (c *Compiler) groupStale(g *group) {
	if !g.dirty {
		g.dirty = true
		c.dirty.groups = append(c.dirty.groups, g)
	}
}

// groupRemoved withdraws a group its last policy released (groupListener).
func (c *Compiler) groupRemoved(g *group) {
	if g.id.kind == addressKind {
		// Only an AddressGroup's own span computation goes with it: an
		// AppliedToGroup of the same ClusterGroup has the same name.
		c.dirty.addressSpans.Delete(g.id.name)
	}
	if g.published {
		c.unpublishGroup(g)
	}
}

// recomputeDirtyGroups refreshes the members of every dirty group: computed in
// parallel (each reads the index and its own group only) and applied in turn as
// soon as computed. An AppliedToGroup whose span changed marks the spans of its
// policies dirty.
func (c *Compiler) recomputeDirtyGroups() {
	groups := c.dirty.groups[:0]
	for _, g := range c.dirty.groups {
		g.dirty = false
		if !g.removed {
			groups = append(groups, g)
		}
	}
	c.dirty.groups = nil
	results := make([]groupMembers, len(groups))
	orderedFanOut(len(groups), func(i int) { results[i] = c.computeMembers(groups[i]) }, func(i int) {
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
func (c *Compiler) computeMembers(g *group) groupMembers {
	pods := c.groups.pods(g)
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
func (c *Compiler) applyMembers(g *group, m groupMembers) {
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

func (c *Compiler) publishAppliedToGroup(g *group) {
	if err := c.sink.UpsertAppliedToGroup(&computed.AppliedToGroup{Name: g.id.name, UID: g.uid, MembersByNode: g.appliedTo}); err != nil {
		c.reportSinkError("AppliedToGroup", g.id.name, err)
		return
	}
	g.published = true
}

func (c *Compiler) publishAddressGroup(g *group) {
	err := c.sink.UpsertAddressGroup(&computed.AddressGroup{Name: g.id.name, UID: g.uid, Members: g.address, Span: g.span.nodes})
	if err != nil {
		c.reportSinkError("AddressGroup", g.id.name, err)
		return
	}
	g.published = true
}

func (c *Compiler) unpublishGroup(g *group) {
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
