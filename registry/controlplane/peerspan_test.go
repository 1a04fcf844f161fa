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

package controlplane_test

import (
	"net"
	"testing"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/apiserver/computed"
	cpregistry "github.com/strata-net/strata/registry/controlplane"
	"github.com/strata-net/strata/registry/controlplane/store"
)

// TestPodPeerSpan checks, on the real stores, which Nodes the Pod start-up barrier
// waits for: the spans of the AddressGroups whose members include the Pod at the
// reported addresses.
func TestPodPeerSpan(t *testing.T) {
	stores, err := cpregistry.NewStores(store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stores.Stop)
	ip := func(s string) controlplane.IPAddress { return controlplane.IPAddress(net.ParseIP(s).To4()) }
	member := func(ns, name string, ips ...controlplane.IPAddress) *controlplane.GroupMember {
		return &controlplane.GroupMember{Pod: &controlplane.PodReference{Namespace: ns, Name: name}, IPs: ips}
	}
	group := func(name string, span []string, members ...*controlplane.GroupMember) *computed.AddressGroup {
		g := &computed.AddressGroup{Name: name, UID: types.UID("uid-" + name), Members: map[string]*controlplane.GroupMember{}, Span: sets.New(span...)}
		for _, m := range members {
			g.Members[computed.MemberKey(m)] = m
		}
		return g
	}
	for _, g := range []*computed.AddressGroup{
		group("g1", []string{"n2", "n3"}, member("ns", "a", ip("10.0.0.7")), member("ns", "b", ip("10.0.0.8"))),
		group("g2", []string{"n4"}, member("ns", "a", ip("10.0.0.7"))),
		group("g3", []string{"n5"}, member("ns", "b", ip("10.0.0.8"))),
	} {
		if err := stores.AddressGroups.Upsert(g); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		pod  string
		ips  []controlplane.IPAddress
		want []string
	}{
		{"a member of two groups", "a", []controlplane.IPAddress{ip("10.0.0.7")}, []string{"n2", "n3", "n4"}},
		{"a member of one group", "b", []controlplane.IPAddress{ip("10.0.0.8")}, []string{"n2", "n3", "n5"}},
		{"other addresses: not the published member", "a", []controlplane.IPAddress{ip("10.0.0.9")}, nil},
		{"a Pod in no group", "c", []controlplane.IPAddress{ip("10.0.0.10")}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := stores.PodPeerSpan(controlplane.PodReference{Namespace: "ns", Name: tt.pod}, tt.ips)
			if !got.Equal(sets.New(tt.want...)) {
				t.Fatalf("PodPeerSpan = %v, want %v", sets.List(got), tt.want)
			}
		})
	}
}
