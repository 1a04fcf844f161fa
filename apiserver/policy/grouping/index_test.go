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
	"fmt"
	"math/rand"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/sets"
)

func mustSelector(t testing.TB, ns string, nsSel, podSel *metav1.LabelSelector) *Selector {
	t.Helper()
	s, err := NewSelector(ns, nsSel, podSel)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func match(kv ...string) *metav1.LabelSelector {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return &metav1.LabelSelector{MatchLabels: m}
}

func podNames(pods []*Pod) []string {
	var out []string
	for _, p := range pods {
		out = append(out, p.Namespace+"/"+p.Name)
	}
	sort.Strings(out)
	return out
}

func pod(ns, name string, kv ...string) *Pod {
	l := labels.Set{}
	for i := 0; i+1 < len(kv); i += 2 {
		l[kv[i]] = kv[i+1]
	}
	return &Pod{Namespace: ns, Name: name, Labels: l}
}

func TestSelectorMembers(t *testing.T) {
	idx := New()
	idx.UpsertNamespace("default", labels.Set{"project": "prod"})
	idx.UpsertNamespace("test", labels.Set{"project": "test"})
	for _, p := range []*Pod{
		pod("default", "guestbook-1", "app", "guestbook"), pod("default", "redis-1", "app", "redis", "role", "master"),
		pod("test", "guestbook-2", "app", "guestbook"), pod("test", "other", "app", "other"),
	} {
		idx.UpsertPod(p)
	}
	cases := []struct {
		name string
		sel  *Selector
		want []string
	}{
		{name: "podSelector in all namespaces", sel: mustSelector(t, "", nil, match("app", "guestbook")),
			want: []string{"default/guestbook-1", "test/guestbook-2"}},
		{name: "podSelector in one namespace", sel: mustSelector(t, "test", nil, match("app", "guestbook")),
			want: []string{"test/guestbook-2"}},
		{name: "namespaceSelector alone", sel: mustSelector(t, "", match("project", "test"), nil),
			want: []string{"test/guestbook-2", "test/other"}},
		{name: "both selectors", sel: mustSelector(t, "", match("project", "prod"), match("app", "guestbook")),
			want: []string{"default/guestbook-1"}},
		{name: "empty podSelector of a namespace", sel: mustSelector(t, "default", nil, &metav1.LabelSelector{}),
			want: []string{"default/guestbook-1", "default/redis-1"}},
		{name: "expression only", sel: mustSelector(t, "", nil, &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
			{Key: "role", Operator: metav1.LabelSelectorOpExists}}}), want: []string{"default/redis-1"}},
		{name: "In over two values", sel: mustSelector(t, "", nil, &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
			{Key: "app", Operator: metav1.LabelSelectorOpIn, Values: []string{"redis", "other"}}}}), want: []string{"default/redis-1", "test/other"}},
		{name: "nothing", sel: mustSelector(t, "", nil, match("app", "nope")), want: nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			key := idx.AddSelector(tc.sel)
			if diff := cmp.Diff(tc.want, podNames(idx.Pods(key))); diff != "" {
				t.Fatalf("members (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSelectorNames(t *testing.T) {
	a := mustSelector(t, "", nil, match("app", "guestbook"))
	b := mustSelector(t, "", nil, match("app", "guestbook"))
	c := mustSelector(t, "default", nil, match("app", "guestbook"))
	if a.Key() != b.Key() || a.Name() != b.Name() {
		t.Fatal("equal selectors must share key and name")
	}
	if a.Name() == c.Name() {
		t.Fatal("a namespaced selector must not share the cluster-wide selector's name")
	}
	if want := "podSelector=app=guestbook"; a.Key() != want {
		t.Fatalf("key %q, want %q", a.Key(), want)
	}
}

// TestNotifications checks that exactly the selectors whose members change are
// reported, for each kind of change.
func TestNotifications(t *testing.T) {
	idx := New()
	var got []string
	idx.AddHandler(func(keys []string) { got = append(got, keys...) })
	guestbook := idx.AddSelector(mustSelector(t, "", nil, match("app", "guestbook")))
	prod := idx.AddSelector(mustSelector(t, "", match("project", "prod"), nil))
	redis := idx.AddSelector(mustSelector(t, "default", nil, match("app", "redis")))
	steps := []struct {
		name string
		do   func()
		want []string
	}{
		{name: "namespace without pods", do: func() { idx.UpsertNamespace("default", labels.Set{}) }},
		{name: "guestbook pod", do: func() { idx.UpsertPod(pod("default", "g", "app", "guestbook")) }, want: []string{guestbook}},
		{name: "same pod again", do: func() { idx.UpsertPod(pod("default", "g", "app", "guestbook")) }},
		{name: "pod gets an IP", do: func() {
			p := pod("default", "g", "app", "guestbook")
			p.IPs = [][]byte{{10, 0, 0, 1}}
			idx.UpsertPod(p)
		}, want: []string{guestbook}},
		{name: "label change", do: func() { idx.UpsertPod(pod("default", "g", "app", "redis")) }, want: []string{guestbook, redis}},
		{name: "namespace labelled prod", do: func() { idx.UpsertNamespace("default", labels.Set{"project": "prod"}) }, want: []string{prod}},
		{name: "namespace unlabelled", do: func() { idx.UpsertNamespace("default", labels.Set{}) }, want: []string{prod}},
		{name: "pod deleted", do: func() { idx.DeletePod("default", "g") }, want: []string{redis}},
	}
	for _, step := range steps {
		got = nil
		step.do()
		sort.Strings(got)
		sort.Strings(step.want)
		if diff := cmp.Diff(step.want, got); diff != "" {
			t.Fatalf("%s: notified (-want +got):\n%s", step.name, diff)
		}
	}
}

// TestRandomAgainstBruteForce applies random changes and compares every selector's
// members with a brute-force evaluation, and the notifications with the selectors
// whose members changed.
func TestRandomAgainstBruteForce(t *testing.T) {
	for seed := int64(1); seed <= 20; seed++ {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) { runRandom(t, rand.New(rand.NewSource(seed))) })
	}
}

type model struct {
	ns   map[string]labels.Set
	pods map[string]*Pod
}

func (m *model) members(sel *Selector) []string {
	var out []string
	for _, p := range m.pods {
		nsLabels, ok := m.ns[p.Namespace]
		if !ok {
			nsLabels = nil
		}
		if sel.matchesNamespace(p.Namespace, nsLabels) && sel.matchesPodLabels(p.Labels) {
			out = append(out, p.Namespace+"/"+p.Name)
		}
	}
	sort.Strings(out)
	return out
}

func randLabels(r *rand.Rand) labels.Set {
	l := labels.Set{}
	for _, k := range []string{"app", "tier", "env"} {
		if r.Intn(2) == 0 {
			l[k] = fmt.Sprint("v", r.Intn(3))
		}
	}
	return l
}

func randSelector(r *rand.Rand) *metav1.LabelSelector {
	switch r.Intn(5) {
	case 0:
		return nil
	case 1:
		return &metav1.LabelSelector{}
	case 2:
		return &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
			{Key: "tier", Operator: metav1.LabelSelectorOpNotIn, Values: []string{"v0"}}}}
	case 3:
		return &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
			{Key: "app", Operator: metav1.LabelSelectorOpIn, Values: []string{"v1", fmt.Sprint("v", r.Intn(3))}}}}
	default:
		return match("app", fmt.Sprint("v", r.Intn(3)), "env", fmt.Sprint("v", r.Intn(3)))
	}
}

func runRandom(t *testing.T, r *rand.Rand) {
	idx := New()
	m := &model{ns: map[string]labels.Set{}, pods: map[string]*Pod{}}
	notified := sets.New[string]()
	idx.AddHandler(func(keys []string) { notified.Insert(keys...) })
	namespaces := []string{"a", "b", "c"}
	var keys []string
	for i := 0; i < 12; i++ {
		ns := ""
		if r.Intn(2) == 0 {
			ns = namespaces[r.Intn(3)]
		}
		keys = append(keys, idx.AddSelector(mustSelector(t, ns, randSelector(r), randSelector(r))))
	}
	before := map[string][]string{}
	for step := 0; step < 300; step++ {
		for _, k := range keys {
			sel, _ := idx.Selector(k)
			before[k] = m.members(sel)
		}
		notified = sets.New[string]()
		randomChange(r, idx, m, namespaces)
		for _, k := range keys {
			sel, _ := idx.Selector(k)
			want := m.members(sel)
			if diff := cmp.Diff(want, podNames(idx.Pods(k))); diff != "" {
				t.Fatalf("step %d, selector %s (-want +got):\n%s", step, k, diff)
			}
			if changed := !cmp.Equal(want, before[k]); changed && !notified.Has(k) {
				t.Fatalf("step %d: members of %s changed without a notification", step, k)
			}
		}
	}
}

func randomChange(r *rand.Rand, idx *Index, m *model, namespaces []string) {
	ns := namespaces[r.Intn(len(namespaces))]
	name := fmt.Sprint("p", r.Intn(15))
	switch r.Intn(6) {
	case 0:
		l := randLabels(r)
		idx.UpsertNamespace(ns, l)
		m.ns[ns] = l
	case 1:
		idx.DeleteNamespace(ns)
		delete(m.ns, ns)
	case 2:
		idx.DeletePod(ns, name)
		delete(m.pods, ns+"/"+name)
	default:
		p := &Pod{Namespace: ns, Name: name, Labels: randLabels(r), NodeName: fmt.Sprint("n", r.Intn(2))}
		idx.UpsertPod(p)
		m.pods[ns+"/"+name] = p
	}
}
