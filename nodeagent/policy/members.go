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
	"maps"
	"net"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/types"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	agenttypes "github.com/strata-net/strata/nodeagent/types"
)

// memberKey returns the identity of a group member, as strata-apiserver computes it
// for patches: kind and namespace/name, then the IPs, e.g.
// "Pod:default/web-1@10.0.0.5". Named ports are not part of it: a member whose
// ports change is re-sent in AddedGroupMembers under the same key.
func memberKey(m *v1beta2.GroupMember) string {
	var b strings.Builder
	switch {
	case m.Pod != nil:
		writeRef(&b, "Pod:", m.Pod.Namespace, m.Pod.Name)
	case m.ExternalEntity != nil:
		writeRef(&b, "ExternalEntity:", m.ExternalEntity.Namespace, m.ExternalEntity.Name)
	case m.Node != nil:
		writeRef(&b, "Node:", "", m.Node.Name)
	case m.Service != nil:
		writeRef(&b, "Service:", m.Service.Namespace, m.Service.Name)
	}
	for i, ip := range m.IPs {
		switch {
		case i > 0:
			b.WriteByte(',')
		case b.Len() > 0:
			b.WriteByte('@')
		}
		b.WriteString(net.IP(ip).String())
	}
	return b.String()
}

func writeRef(b *strings.Builder, kind, namespace, name string) {
	b.WriteString(kind)
	if namespace != "" {
		b.WriteString(namespace)
		b.WriteByte('/')
	}
	b.WriteString(name)
}

// group is a cached AddressGroup or AppliedToGroup: its members by key, and how
// many of them stand for each Pod (a Pod with several IPs may be several
// members).
type group struct {
	name    string
	uid     types.UID
	members map[string]*v1beta2.GroupMember
	pods    map[agenttypes.PodRef]int
}

func newGroup(name string, uid types.UID, members []v1beta2.GroupMember) *group {
	g := &group{name: name, uid: uid,
		members: make(map[string]*v1beta2.GroupMember, len(members)),
		pods:    map[agenttypes.PodRef]int{}}
	g.apply(members, nil)
	return g
}

// apply removes then adds members (a member re-sent with other ports replaces the
// old one).
func (g *group) apply(added, removed []v1beta2.GroupMember) {
	for i := range removed {
		key := memberKey(&removed[i])
		if old, ok := g.members[key]; ok {
			g.countPod(old, -1)
			delete(g.members, key)
		}
	}
	for i := range added {
		m := added[i].DeepCopy()
		key := memberKey(m)
		if old, ok := g.members[key]; ok {
			g.countPod(old, -1)
		}
		g.members[key] = m
		g.countPod(m, 1)
	}
}

func (g *group) countPod(m *v1beta2.GroupMember, delta int) {
	if m.Pod == nil {
		return
	}
	ref := agenttypes.PodRef{Namespace: m.Pod.Namespace, Name: m.Pod.Name}
	if g.pods[ref] += delta; g.pods[ref] <= 0 {
		delete(g.pods, ref)
	}
}

// hasPod tells whether a member of the group stands for the Pod.
func (g *group) hasPod(pod agenttypes.PodRef) bool {
	return g.pods[pod] > 0
}

// equal tells whether both groups have the same UID and members.
func (g *group) equal(o *group) bool {
	return g.uid == o.uid && equality.Semantic.DeepEqual(g.members, o.members)
}

// sortedMembers returns copies of the members, sorted by key.
func (g *group) sortedMembers() []v1beta2.GroupMember {
	if len(g.members) == 0 {
		return nil
	}
	out := make([]v1beta2.GroupMember, 0, len(g.members))
	for _, key := range slices.Sorted(maps.Keys(g.members)) {
		out = append(out, *g.members[key].DeepCopy())
	}
	return out
}
