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
	"github.com/strata-net/strata/apiserver/policy/grouping"
)

// groupState holds the AppliedToGroups and AddressGroups the compiled policies use:
// each group's source, its users (the keys of the policies that use it), and its
// selectors, registered in the grouping index and mapped back to the groups that use
// them. It computes no members and publishes nothing: it tells its listener which
// groups changed, and the Compiler's pass does the rest.
//
//	policies (applyPolicy, removePolicy)      ClusterGroups (syncClusterGroup), Nodes
//	      │ acquire / release, by policy key        │ reselect / nodesChanged
//	      ▼                                         ▼
//	groupState   groups by groupID, each with its users; a group's selectors are
//	      │      added to the index with the group's first user and removed with
//	      │      its last (the index counts references: groups share selectors);
//	      │      selector key ─► the groups using it
//	      ▼
//	grouping.Index   a Pod or Namespace change ─► handler(selector keys)
//	      │          ─► groupState.membersChanged ─► the groups using those keys
//	      ▼
//	groupListener   groupStale(g): g's members must be computed again (a new
//	      │         group, new selectors, or a change of what they select);
//	      │         groupRemoved(g): g's last user released it
//	      ▼
//	Compiler   queues stale groups (dirty.groups); the pass computes their members
//	           from pods(g) and nodeSelectors(g) and publishes them through the Sink
//
// Like the rest of the Compiler's state it is guarded by Compiler.mu: every method,
// the index handler included, runs with it held, and the listener is called
// synchronously. The listener may be told of a group more than once before it
// handles it. The fields of a group that hold computed members, its span and its
// publication are the Compiler's; groupState writes only the group's identity,
// source, selectors, users and removed flag.
type groupState struct {
	index         *grouping.Index
	clusterGroups clusterGroupResolver
	listener      groupListener
	groups        map[groupID]*group
	selectorUsers map[string]*smallSet[*group] // selector key ─► the groups using it
}

// groupListener is told which groups changed.
type groupListener interface {
	// groupStale is told of a group whose members must be computed again.
	groupStale(g *group)
	// groupRemoved is told of a group its last user released; it is no longer in
	// the state, and g.removed is set.
	groupRemoved(g *group)
}

// clusterGroupResolver reads the compiled ClusterGroups and Groups (by key) that
// groups are built from.
type clusterGroupResolver interface {
	uid(key string) (types.UID, bool)
	selectors(key string) []*grouping.Selector
	nodeSelectors(key string) []*nodeSelector
}

// newGroupState returns an empty group state over index; it registers its handler
// with the index, so create it before the index sees any change.
func newGroupState(index *grouping.Index, clusterGroups clusterGroupResolver, listener groupListener) *groupState {
	s := &groupState{
		index:         index,
		clusterGroups: clusterGroups,
		listener:      listener,
		groups:        map[groupID]*group{},
		selectorUsers: map[string]*smallSet[*group]{},
	}
	index.AddHandler(s.membersChanged)
	return s
}

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
	// Written by groupState.
	id           groupID
	uid          types.UID
	source       groupSource
	selectorKeys []string         // selectors registered in the index for it
	refs         smallSet[string] // keys of the policies that use it
	removed      bool             // released by its last policy

	// Written by the Compiler.
	published bool
	dirty     bool                                            // in Compiler.dirty.groups
	appliedTo map[string]map[string]*controlplane.GroupMember // by Node; appliedToKind
	address   map[string]*controlplane.GroupMember            // addressKind
	span      *nodeSpan
}

// get returns a group; nil when no policy uses it.
func (s *groupState) get(id groupID) *group { return s.groups[id] }

// acquire records that a policy uses a group, creating the group on first use.
func (s *groupState) acquire(id groupID, src groupSource, policyKey string) {
	g := s.groups[id]
	if g == nil {
		g = &group{id: id, source: src, span: emptySpan}
		if src.clusterGroup != "" {
			if uid, ok := s.clusterGroups.uid(src.clusterGroup); ok {
				g.uid = uid
			}
		}
		s.groups[id] = g
		s.registerSelectors(g)
		s.listener.groupStale(g)
	}
	g.refs.Insert(policyKey)
}

// release records that a policy no longer uses a group; the last user removes it.
func (s *groupState) release(id groupID, policyKey string) {
	g := s.groups[id]
	if g == nil {
		return
	}
	g.refs.Delete(policyKey)
	if g.refs.Len() > 0 {
		return
	}
	s.unregisterSelectors(g)
	delete(s.groups, id)
	g.removed = true
	s.listener.groupRemoved(g)
}

// reselect gives the groups built from a ClusterGroup or Group (both kinds) its
// current selectors and UID.
func (s *groupState) reselect(clusterGroup string) {
	for _, kind := range []groupKind{appliedToKind, addressKind} {
		g := s.groups[groupID{kind, clusterGroup}]
		if g == nil {
			continue
		}
		s.unregisterSelectors(g)
		if uid, ok := s.clusterGroups.uid(clusterGroup); ok {
			g.uid = uid
		}
		s.registerSelectors(g)
		s.listener.groupStale(g)
	}
}

// nodesChanged reports the AddressGroups with node selectors: a Node was added,
// deleted, or changed its labels or addresses.
func (s *groupState) nodesChanged() {
	for _, g := range s.groups {
		if g.id.kind == addressKind && len(s.nodeSelectors(g)) > 0 {
			s.listener.groupStale(g)
		}
	}
}

// membersChanged is the index's handler: it reports the groups using the selectors
// whose Pods changed.
func (s *groupState) membersChanged(selectorKeys []string) {
	for _, key := range selectorKeys {
		if users := s.selectorUsers[key]; users != nil {
			for g := range users.All() {
				s.listener.groupStale(g)
			}
		}
	}
}

// registerSelectors registers the selectors of a group's source in the index.
func (s *groupState) registerSelectors(g *group) {
	var sels []*grouping.Selector
	switch {
	case g.source.selector != nil:
		sels = []*grouping.Selector{g.source.selector}
	case g.source.clusterGroup != "":
		sels = s.clusterGroups.selectors(g.source.clusterGroup)
	}
	for _, sel := range sels {
		key := s.index.AddSelector(sel)
		g.selectorKeys = append(g.selectorKeys, key)
		users := s.selectorUsers[key]
		if users == nil {
			users = &smallSet[*group]{}
			s.selectorUsers[key] = users
		}
		users.Insert(g)
	}
}

func (s *groupState) unregisterSelectors(g *group) {
	for _, key := range g.selectorKeys {
		s.index.RemoveSelector(key)
		if users := s.selectorUsers[key]; users != nil {
			users.Delete(g)
			if users.Len() == 0 {
				delete(s.selectorUsers, key)
			}
		}
	}
	g.selectorKeys = nil
}

// pods returns the Pods a group's selectors select, each once. It only reads, so
// groups can be computed concurrently.
func (s *groupState) pods(g *group) []*grouping.Pod {
	if len(g.selectorKeys) == 1 {
		return s.index.Pods(g.selectorKeys[0])
	}
	seen := sets.New[string]()
	var out []*grouping.Pod
	for _, key := range g.selectorKeys {
		for _, p := range s.index.Pods(key) {
			if k := p.Namespace + "/" + p.Name; !seen.Has(k) {
				seen.Insert(k)
				out = append(out, p)
			}
		}
	}
	return out
}

// nodeSelectors returns the node selectors of a group's source.
func (s *groupState) nodeSelectors(g *group) []*nodeSelector {
	if g.source.nodes != nil {
		return []*nodeSelector{g.source.nodes}
	}
	if g.source.clusterGroup != "" {
		return s.clusterGroups.nodeSelectors(g.source.clusterGroup)
	}
	return nil
}
