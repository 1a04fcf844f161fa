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
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/apiserver/computed"
	"github.com/strata-net/strata/apiserver/policy/grouping"
)

func TestMembersOf(t *testing.T) {
	withPort := gpod("ns", "web", "n1", "10.0.0.1", "app", "web")
	withPort.Ports = []grouping.NamedPort{{Name: "http", Port: 80, Protocol: "TCP"}}
	hostNet := gpod("ns", "host", "n1", "10.0.0.2")
	hostNet.HostNetwork = true
	cases := []struct {
		name                     string
		pod                      *grouping.Pod
		appliedTo, address       bool
		appliedToKey, addressKey string
	}{
		{name: "running", pod: withPort, appliedTo: true, address: true, appliedToKey: "Pod:ns/web", addressKey: "Pod:ns/web@10.0.0.1"},
		{name: "no IP yet", pod: gpod("ns", "new", "n1", ""), appliedTo: true, appliedToKey: "Pod:ns/new"},
		{name: "not scheduled", pod: gpod("ns", "pending", "", "10.0.0.3"), address: true, addressKey: "Pod:ns/pending@10.0.0.3"},
		{name: "host network", pod: hostNet},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if membersOf(tc.pod); tc.pod.Memo != nil {
				t.Fatal("membersOf wrote the Pod")
			}
			memoizeMembers(tc.pod)
			m := membersOf(tc.pod)
			if (m.appliedTo != nil) != tc.appliedTo || (m.address != nil) != tc.address {
				t.Fatalf("members %+v", m)
			}
			if m.appliedToKey != tc.appliedToKey || m.addressKey != tc.addressKey {
				t.Fatalf("keys %q %q, want %q %q", m.appliedToKey, m.addressKey, tc.appliedToKey, tc.addressKey)
			}
			if m.appliedTo != nil && computed.MemberKey(m.appliedTo) != m.appliedToKey {
				t.Fatalf("appliedTo key %q is not the member's", m.appliedToKey)
			}
			if m.address != nil && computed.MemberKey(m.address) != m.addressKey {
				t.Fatalf("address key %q is not the member's", m.addressKey)
			}
			if m.appliedTo != nil && m.address != nil {
				if m.address.Pod != m.appliedTo.Pod || m.appliedTo.IPs != nil {
					t.Fatalf("the two members share the reference, only the address one has IPs: %+v %+v", m.appliedTo, m.address)
				}
			}
			if memoizeMembers(tc.pod); membersOf(tc.pod) != m {
				t.Fatal("the members were made twice")
			}
		})
	}
	if diff := cmp.Diff(membersOf(withPort).address, &controlplane.GroupMember{Pod: &controlplane.PodReference{Name: "web", Namespace: "ns"},
		IPs: []controlplane.IPAddress{{10, 0, 0, 1}}, Ports: []controlplane.NamedPort{{Name: "http", Port: 80, Protocol: "TCP"}}}); diff != "" {
		t.Fatalf("address member (-got +want):\n%s", diff)
	}
}

func TestSameMembers(t *testing.T) {
	web, db := membersOf(gpod("ns", "web", "n1", "10.0.0.1")), membersOf(gpod("ns", "db", "n1", "10.0.0.2"))
	webAgain := membersOf(gpod("ns", "web", "n1", "10.0.0.1")) // another version of web, equal
	cases := []struct {
		name string
		a, b map[string]*controlplane.GroupMember
		want bool
	}{
		{name: "both empty", a: nil, b: map[string]*controlplane.GroupMember{}, want: true},
		{name: "same pointers", a: computed.MemberSet(web.address, db.address), b: computed.MemberSet(db.address, web.address), want: true},
		{name: "equal values", a: computed.MemberSet(web.address), b: computed.MemberSet(webAgain.address), want: true},
		{name: "one more", a: computed.MemberSet(web.address), b: computed.MemberSet(web.address, db.address)},
		{name: "other member", a: computed.MemberSet(web.address), b: computed.MemberSet(db.address)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := sameMembers(tc.a, tc.b); got != tc.want {
				t.Fatalf("sameMembers = %v, want %v", got, tc.want)
			}
			byNodeA, byNodeB := map[string]map[string]*controlplane.GroupMember{"n1": tc.a}, map[string]map[string]*controlplane.GroupMember{"n1": tc.b}
			if got := sameMembersByNode(byNodeA, byNodeB); got != tc.want {
				t.Fatalf("sameMembersByNode = %v, want %v", got, tc.want)
			}
		})
	}
	if sameMembersByNode(map[string]map[string]*controlplane.GroupMember{"n1": nil}, map[string]map[string]*controlplane.GroupMember{"n2": nil}) {
		t.Fatal("members of other Nodes are the same")
	}
}
