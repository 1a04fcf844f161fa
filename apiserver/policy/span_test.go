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
	"fmt"
	"testing"

	"k8s.io/apimachinery/pkg/util/sets"
)

func TestSpanUnion(t *testing.T) {
	spans := make([]*nodeSpan, 20)
	for i := range spans {
		spans[i] = newSpan(sets.New(fmt.Sprint("n", i%5), fmt.Sprint("m", i)))
	}
	cases := []struct {
		name  string
		add   []*nodeSpan
		nodes int
		same  *nodeSpan
	}{
		{name: "nothing", add: nil, nodes: 0, same: emptySpan},
		{name: "one span repeated is reused", add: []*nodeSpan{spans[0], spans[0], nil, emptySpan}, nodes: 2, same: spans[0]},
		{name: "a few spans", add: spans[:3], nodes: 6},
		{name: "many spans with repeats", add: append(append([]*nodeSpan{}, spans...), spans...), nodes: 25},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var u spanUnion
			for _, s := range tc.add {
				u.add(s)
			}
			got := u.result()
			if got.nodes.Len() != tc.nodes || (tc.same != nil && got != tc.same) {
				t.Fatalf("union of %d nodes (reused %v), want %d", got.nodes.Len(), got == tc.same, tc.nodes)
			}
		})
	}
}
