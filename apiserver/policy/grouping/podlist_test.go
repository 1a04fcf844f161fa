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
	"slices"
	"testing"
)

func TestPodList(t *testing.T) {
	pod := func(name, node string) *Pod { return &Pod{Name: name, NodeName: node} }
	type op struct {
		put    *Pod
		remove string
	}
	cases := []struct {
		name string
		ops  []op
		want []string // name@node, in list order
	}{
		{name: "empty"},
		{name: "puts keep their order", ops: []op{{put: pod("a", "n1")}, {put: pod("b", "n1")}, {put: pod("c", "n2")}},
			want: []string{"a@n1", "b@n1", "c@n2"}},
		{name: "a put of a known name replaces in place", ops: []op{{put: pod("a", "n1")}, {put: pod("b", "n1")}, {put: pod("a", "n2")}},
			want: []string{"a@n2", "b@n1"}},
		{name: "removing the first moves the last into its place",
			ops:  []op{{put: pod("a", "n1")}, {put: pod("b", "n1")}, {put: pod("c", "n1")}, {remove: "a"}},
			want: []string{"c@n1", "b@n1"}},
		{name: "removing the last", ops: []op{{put: pod("a", "n1")}, {put: pod("b", "n1")}, {remove: "b"}},
			want: []string{"a@n1"}},
		{name: "removing an unknown name changes nothing", ops: []op{{put: pod("a", "n1")}, {remove: "x"}},
			want: []string{"a@n1"}},
		{name: "a moved Pod can still be replaced and removed",
			ops: []op{{put: pod("a", "n1")}, {put: pod("b", "n1")}, {put: pod("c", "n1")}, {remove: "a"},
				{put: pod("c", "n3")}, {remove: "b"}},
			want: []string{"c@n3"}},
		{name: "remove everything, then add again", ops: []op{{put: pod("a", "n1")}, {remove: "a"}, {put: pod("b", "n2")}},
			want: []string{"b@n2"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := newPodList()
			for _, o := range tc.ops {
				if o.put != nil {
					l.put(o.put)
				} else {
					l.remove(o.remove)
				}
			}
			var got []string
			for _, p := range l.pods {
				got = append(got, p.Name+"@"+p.NodeName)
				if l.get(p.Name) != p {
					t.Errorf("get(%q) does not return the listed Pod", p.Name)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("pods = %v, want %v", got, tc.want)
			}
			if l.len() != len(l.at) {
				t.Errorf("%d Pods but %d positions", l.len(), len(l.at))
			}
		})
	}
}
