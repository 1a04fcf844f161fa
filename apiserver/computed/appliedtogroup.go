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

package computed

import (
	"maps"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/strata-net/strata/apis/controlplane"
)

// AppliedToGroup is a computed AppliedToGroup, its members split by Node. Its span
// is the set of Nodes with members, and each Node receives only its own members.
type AppliedToGroup struct {
	Name string
	UID  types.UID
	// MembersByNode maps a Node to its members, keyed by MemberKey; immutable once
	// stored. A Node with no members is not in the span.
	MembersByNode map[string]map[string]*controlplane.GroupMember
}

// Key implements the store's Object: the group's name.
func (g *AppliedToGroup) Key() string {
	return g.Name
}

// Labels implements the store's Object: AppliedToGroups have no labels.
func (g *AppliedToGroup) Labels() labels.Set {
	return nil
}

// InSpan implements the store's Object: the Node has members.
func (g *AppliedToGroup) InSpan(nodeName string) bool {
	return len(g.MembersByNode[nodeName]) > 0
}

// Span returns the Nodes that have members.
func (g *AppliedToGroup) Span() sets.Set[string] {
	span := sets.New[string]()
	for node, members := range g.MembersByNode {
		if len(members) > 0 {
			span.Insert(node)
		}
	}
	return span
}

// Members returns the members of nodeName, or of every Node for "" (a member found
// on several Nodes, such as a Service, counts once). Do not modify the result.
func (g *AppliedToGroup) Members(nodeName string) map[string]*controlplane.GroupMember {
	if nodeName != "" {
		return g.MembersByNode[nodeName]
	}
	if len(g.MembersByNode) == 1 {
		for _, members := range g.MembersByNode {
			return members
		}
	}
	all := map[string]*controlplane.GroupMember{}
	for _, members := range g.MembersByNode {
		maps.Copy(all, members)
	}
	return all
}

// ToAPI returns the group as an API object with the members of nodeName ("" for
// every Node), sorted by key.
func (g *AppliedToGroup) ToAPI(nodeName string) *controlplane.AppliedToGroup {
	return &controlplane.AppliedToGroup{
		ObjectMeta:   metav1.ObjectMeta{Name: g.Name, UID: g.UID},
		GroupMembers: sortedMembers(g.Members(nodeName)),
	}
}
