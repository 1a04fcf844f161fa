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

package grouping

import (
	"testing"

	"k8s.io/apimachinery/pkg/labels"
)

func TestPodSameAs(t *testing.T) {
	base := func() *Pod {
		return &Pod{Namespace: "ns", Name: "web", UID: "u", Labels: labels.Set{"app": "web"}, NodeName: "n1",
			IPs: [][]byte{{10, 0, 0, 1}}, Ports: []NamedPort{{Name: "http", Port: 80, Protocol: "TCP"}}}
	}
	cases := []struct {
		name   string
		change func(p *Pod)
		same   bool
	}{
		{name: "equal", change: func(*Pod) {}, same: true},
		{name: "memo only", change: func(p *Pod) { p.Memo = 1 }, same: true},
		{name: "labels", change: func(p *Pod) { p.Labels = labels.Set{"app": "db"} }},
		{name: "node", change: func(p *Pod) { p.NodeName = "n2" }},
		{name: "IP", change: func(p *Pod) { p.IPs = [][]byte{{10, 0, 0, 2}} }},
		{name: "no IP", change: func(p *Pod) { p.IPs = nil }},
		{name: "port", change: func(p *Pod) { p.Ports[0].Port = 8080 }},
		{name: "host network", change: func(p *Pod) { p.HostNetwork = true }},
		{name: "terminated", change: func(p *Pod) { p.Terminated = true }},
		{name: "UID", change: func(p *Pod) { p.UID = "v" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := base()
			tc.change(p)
			if got := base().sameAs(p); got != tc.same {
				t.Fatalf("sameAs = %v, want %v", got, tc.same)
			}
		})
	}
}
