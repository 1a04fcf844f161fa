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
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/strata-net/strata/apis/controlplane"
)

// AddressGroup is a computed AddressGroup and the Nodes that need it.
type AddressGroup struct {
	Name string
	UID  types.UID
	// Members are keyed by MemberKey; immutable once stored.
	Members map[string]*controlplane.GroupMember
	// Span is the union of the spans of the policies using the group; nil means not
	// computed yet.
	Span sets.Set[string]
}

// Key implements the store's Object: the group's name.
func (g *AddressGroup) Key() string {
	return g.Name
}

// Labels implements the store's Object: AddressGroups have no labels.
func (g *AddressGroup) Labels() labels.Set {
	return nil
}

// InSpan implements the store's Object.
func (g *AddressGroup) InSpan(nodeName string) bool {
	return g.Span.Has(nodeName)
}

// ToAPI returns the group as an API object, its members sorted by key.
func (g *AddressGroup) ToAPI() *controlplane.AddressGroup {
	return &controlplane.AddressGroup{
		ObjectMeta:   metav1.ObjectMeta{Name: g.Name, UID: g.UID},
		GroupMembers: sortedMembers(g.Members),
	}
}
