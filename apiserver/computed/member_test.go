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
	"net"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/strata-net/strata/apis/controlplane"
)

func TestMemberKey(t *testing.T) {
	tests := []struct {
		name   string
		member *controlplane.GroupMember
		want   string
	}{
		{name: "Pod without IPs", member: podMember("ns1", "web"), want: "Pod:ns1/web"},
		{name: "Pod with IPs", member: podMember("ns1", "web", "10.0.0.1", "fd00::1"), want: "Pod:ns1/web@10.0.0.1,fd00::1"},
		{
			name:   "ExternalEntity",
			member: &controlplane.GroupMember{ExternalEntity: &controlplane.ExternalEntityReference{Namespace: "ns1", Name: "vm"}},
			want:   "ExternalEntity:ns1/vm",
		},
		{name: "Node", member: &controlplane.GroupMember{Node: &controlplane.NodeReference{Name: "node1"}}, want: "Node:node1"},
		{name: "Service", member: &controlplane.GroupMember{Service: &controlplane.ServiceReference{Namespace: "ns1", Name: "svc"}}, want: "Service:ns1/svc"},
		{name: "IPs only", member: &controlplane.GroupMember{IPs: podMember("", "", "10.0.0.9").IPs}, want: "10.0.0.9"},
		{
			name: "named ports are not part of the identity",
			member: &controlplane.GroupMember{
				Pod:   &controlplane.PodReference{Namespace: "ns1", Name: "web"},
				Ports: []controlplane.NamedPort{{Name: "http", Port: 80}},
			},
			want: "Pod:ns1/web",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, MemberKey(tc.member))
		})
	}
}

// podMember is a Pod member with the given IPs (AddressGroup members have IPs).
func podMember(namespace, name string, ips ...string) *controlplane.GroupMember {
	m := &controlplane.GroupMember{Pod: &controlplane.PodReference{Namespace: namespace, Name: name}}
	for _, ip := range ips {
		m.IPs = append(m.IPs, controlplane.IPAddress(net.ParseIP(ip)))
	}
	return m
}
