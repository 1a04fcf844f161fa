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

package startingpods

import (
	"context"
	"fmt"
	"net"
	"slices"
	"testing"

	clientv3 "go.etcd.io/etcd/client/v3"
	"k8s.io/apimachinery/pkg/types"

	"github.com/strata-net/strata/apiserver/etcd/etcdtest"
	"github.com/strata-net/strata/apiserver/policy"
)

func startStore(t *testing.T) (*Store, *clientv3.Client) {
	t.Helper()
	client := etcdtest.Client(t)
	s, err := New(client, "/registry/strata")
	if err != nil {
		t.Fatal(err)
	}
	return s, client
}

// loaded renders the saved Pods as sorted "ns/name/uid@node ips".
func loaded(t *testing.T, s *Store) []string {
	t.Helper()
	pods, err := s.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range pods {
		out = append(out, fmt.Sprintf("%s/%s/%s@%s %v", p.Namespace, p.Name, p.UID, p.NodeName, p.IPs))
	}
	slices.Sort(out)
	return out
}

func TestStore(t *testing.T) {
	s, client := startStore(t)
	ctx := context.Background()
	pod := func(name, uid, ip string) policy.StartingPod {
		return policy.StartingPod{Namespace: "ns", Name: name, UID: types.UID(uid), NodeName: "n1", IPs: []net.IP{net.ParseIP(ip)}}
	}
	for _, p := range []policy.StartingPod{pod("a", "u1", "10.0.0.1"), pod("a", "u2", "10.0.0.2"), pod("b", "u3", "fd00::3")} {
		if err := s.Save(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Save(ctx, pod("c", "", "10.0.0.4")); err == nil {
		t.Fatal("a Pod without UID was saved")
	}
	if err := s.Save(ctx, pod("c", "x/y", "10.0.0.4")); err == nil {
		t.Fatal("a UID with '/' was saved")
	}
	if _, err := client.Put(ctx, "/registry/strata/podstartup/addresses/ns/bad/u9", "{not json"); err != nil {
		t.Fatal(err)
	}
	want := []string{"ns/a/u1@n1 [10.0.0.1]", "ns/a/u2@n1 [10.0.0.2]", "ns/b/u3@n1 [fd00::3]"}
	if got := loaded(t, s); !slices.Equal(got, want) {
		t.Fatalf("Load = %v, want %v (the undecodable key skipped)", got, want)
	}
	tests := []struct {
		name, pod, uid string
		want           []string
	}{
		{name: "one sandbox of a Pod", pod: "a", uid: "u1", want: []string{"ns/a/u2@n1 [10.0.0.2]", "ns/b/u3@n1 [fd00::3]"}},
		{name: "every sandbox of a Pod (no UID)", pod: "b", want: []string{"ns/a/u2@n1 [10.0.0.2]"}},
		{name: "a Pod never saved", pod: "z", uid: "u0", want: []string{"ns/a/u2@n1 [10.0.0.2]"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := s.Delete(ctx, "ns", tc.pod, types.UID(tc.uid)); err != nil {
				t.Fatal(err)
			}
			if got := loaded(t, s); !slices.Equal(got, tc.want) {
				t.Fatalf("after Delete, Load = %v, want %v", got, tc.want)
			}
		})
	}
}
