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

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/strata-net/strata/apiserver/policy/grouping"
)

type selectorArgs struct {
	namespace     string
	nsSel, podSel *metav1.LabelSelector
}

func TestSelectorInterner(t *testing.T) {
	expr := func(op metav1.LabelSelectorOperator, values ...string) *metav1.LabelSelector {
		return &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "app", Operator: op, Values: values}}}
	}
	cases := []struct {
		name       string
		a, b       selectorArgs
		sameEntry  bool // b is served from a's entry
		sameGroups bool // a and b name the same group
	}{
		{name: "same selector", a: selectorArgs{"ns", nil, sel("app", "web")}, b: selectorArgs{"ns", nil, sel("app", "web")},
			sameEntry: true, sameGroups: true},
		{name: "other namespace", a: selectorArgs{"ns", nil, sel("app", "web")}, b: selectorArgs{"other", nil, sel("app", "web")}},
		{name: "namespace selector or pod selector", a: selectorArgs{"", sel("app", "web"), nil}, b: selectorArgs{"", nil, sel("app", "web")}},
		{name: "nil or empty selector", a: selectorArgs{"", nil, &metav1.LabelSelector{}}, b: selectorArgs{"", &metav1.LabelSelector{}, nil}},
		{name: "labels in another order", a: selectorArgs{"ns", nil, sel("a", "1", "b", "2")}, b: selectorArgs{"ns", nil, sel("b", "2", "a", "1")},
			sameEntry: true, sameGroups: true},
		{name: "label value and key run together", a: selectorArgs{"ns", nil, sel("ab", "c")}, b: selectorArgs{"ns", nil, sel("a", "bc")}},
		// Named apart by the selector's normal form, as before the cache.
		{name: "In instead of matchLabels", a: selectorArgs{"ns", nil, sel("app", "web")}, b: selectorArgs{"ns", nil, expr(metav1.LabelSelectorOpIn, "web")}},
		{name: "operators", a: selectorArgs{"ns", nil, expr(metav1.LabelSelectorOpIn, "web")}, b: selectorArgs{"ns", nil, expr(metav1.LabelSelectorOpNotIn, "web")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var c selectorInterner
			selA, nameA, errA := c.get(tc.a.namespace, tc.a.nsSel, tc.a.podSel)
			selB, nameB, errB := c.get(tc.b.namespace, tc.b.nsSel, tc.b.podSel)
			if errA != nil || errB != nil {
				t.Fatalf("errors: %v, %v", errA, errB)
			}
			if (selA == selB) != tc.sameEntry {
				t.Errorf("same entry = %v, want %v", selA == selB, tc.sameEntry)
			}
			if (nameA == nameB) != tc.sameGroups {
				t.Errorf("same group = %v (%s, %s), want %v", nameA == nameB, nameA, nameB, tc.sameGroups)
			}
			want, err := grouping.NewSelector(tc.b.namespace, tc.b.nsSel, tc.b.podSel)
			if err != nil || want.Key() != selB.Key() || want.Name() != nameB {
				t.Errorf("cached %s (%s), want %s (%s)", selB.Key(), nameB, want.Key(), want.Name())
			}
		})
	}
}

func TestSelectorInternerInvalidAndReset(t *testing.T) {
	var c selectorInterner
	bad := &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "app", Operator: "Bogus"}}}
	for i := 0; i < 2; i++ {
		if _, _, err := c.get("ns", nil, bad); err == nil {
			t.Fatalf("get %d of an invalid selector: no error", i)
		}
	}
	first, _, _ := c.get("ns", nil, sel("app", "web"))
	c.reset()
	if again, _, _ := c.get("ns", nil, sel("app", "web")); again == first {
		t.Fatal("reset kept the entry")
	}
}

func TestSelectorInternerConcurrent(t *testing.T) {
	var c selectorInterner
	const callers = 8
	got := make([]*grouping.Selector, callers)
	done := make(chan int)
	for i := range callers {
		go func() {
			got[i], _, _ = c.get("ns", nil, sel("app", "web"))
			done <- i
		}()
	}
	for range callers {
		<-done
	}
	for i, s := range got {
		if s == nil || s != got[0] {
			t.Fatalf("caller %d got selector %p, caller 0 got %p: every caller must share one", i, s, got[0])
		}
	}
}
