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
	"net"
	"slices"
	"strings"

	"github.com/strata-net/strata/apis/controlplane"
)

// MemberKey returns the identity of a group member: its kind and namespace/name,
// followed by its IPs when it has any (AddressGroup members), e.g.
// "Pod:default/web-1@10.0.0.5" or "Service:kube-system/dns". A member with neither
// reference nor IPs has the key "". Named ports are not part of the identity: a
// member whose ports change keeps its key and is re-sent in AddedGroupMembers.
func MemberKey(m *controlplane.GroupMember) string {
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

// MemberSet builds the member map of a group, keyed by MemberKey.
func MemberSet(members ...*controlplane.GroupMember) map[string]*controlplane.GroupMember {
	out := make(map[string]*controlplane.GroupMember, len(members))
	for _, m := range members {
		out[MemberKey(m)] = m
	}
	return out
}

// sortedMembers copies the members of m into a slice sorted by key.
func sortedMembers(m map[string]*controlplane.GroupMember) []controlplane.GroupMember {
	if len(m) == 0 {
		return nil
	}
	out := make([]controlplane.GroupMember, 0, len(m))
	for _, key := range slices.Sorted(maps.Keys(m)) {
		out = append(out, *m[key])
	}
	return out
}
