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
	"github.com/google/go-cmp/cmp/cmpopts"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/strata-net/strata/apiserver/policy/grouping"
)

// recordingListener records the groups a groupState reports, by groupLabel; a
// removal reported for a group not marked removed fails t.
type recordingListener struct {
	t              testing.TB
	stale, removed sets.Set[string]
}

func newRecordingListener(t testing.TB) *recordingListener {
	return &recordingListener{t: t, stale: sets.New[string](), removed: sets.New[string]()}
}

func (l *recordingListener) groupStale(g *group) { l.stale.Insert(groupLabel(g.id)) }

func (l *recordingListener) groupRemoved(g *group) {
	if !g.removed {
		l.t.Errorf("groupRemoved told of a group not marked removed: %s", groupLabel(g.id))
	}
	l.removed.Insert(groupLabel(g.id))
}

func groupLabel(id groupID) string {
	if id.kind == appliedToKind {
		return "appliedTo/" + id.name
	}
	return "address/" + id.name
}

func mustSelector(t *testing.T, ns string, nsSel, podSel map[string]string) *grouping.Selector {
	t.Helper()
	var n, p []string
	for k, v := range nsSel {
		n = append(n, k, v)
	}
	for k, v := range podSel {
		p = append(p, k, v)
	}
	s, err := grouping.NewSelector(ns, selOrNil(n), selOrNil(p))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func selOrNil(kv []string) *metav1.LabelSelector {
	if kv == nil {
		return nil
	}
	return sel(kv...)
}

// groupStateFixture is a group state over two Namespaces ("web", team=a; "db",
// team=b) with a Pod each, used by seven groups; the listener is reset after setup.
type groupStateFixture struct {
	index    *grouping.Index
	cgs      clusterGroupSet
	listener *recordingListener
	state    *groupState
	web, db  *grouping.Selector // app=web in web, app=db in db
	teamA    *grouping.Selector // every Pod of the Namespaces labelled team=a
}

func newGroupStateFixture(t *testing.T) *groupStateFixture {
	t.Helper()
	f := &groupStateFixture{
		index:    grouping.New(),
		listener: newRecordingListener(t),
		web:      mustSelector(t, "web", nil, map[string]string{"app": "web"}),
		db:       mustSelector(t, "db", nil, map[string]string{"app": "db"}),
		teamA:    mustSelector(t, "", map[string]string{"team": "a"}, nil),
	}
	f.cgs = clusterGroupSet{
		"cg-web":   {name: "cg-web", uid: "uid-web", selector: f.web},
		"cg-nodes": {name: "cg-nodes", uid: "uid-nodes", nodes: newNodeSelector(sel("role", "edge"))},
	}
	f.state = newGroupState(f.index, f.cgs, f.listener)
	f.index.UpsertNamespace("web", labels.Set{"team": "a"})
	f.index.UpsertNamespace("db", labels.Set{"team": "b"})
	f.index.UpsertPod(gpod("web", "w1", "n1", "10.0.0.1", "app", "web"))
	f.index.UpsertPod(gpod("db", "d1", "n2", "10.0.0.2", "app", "db"))
	f.state.acquire(groupID{appliedToKind, "web"}, groupSource{selector: f.web}, "p1")
	f.state.acquire(groupID{addressKind, "web"}, groupSource{selector: f.web}, "p2")
	f.state.acquire(groupID{addressKind, "db"}, groupSource{selector: f.db}, "p1")
	f.state.acquire(groupID{addressKind, "team-a"}, groupSource{selector: f.teamA}, "p2")
	f.state.acquire(groupID{appliedToKind, "cg-web"}, groupSource{clusterGroup: "cg-web"}, "p3")
	f.state.acquire(groupID{addressKind, "cg-nodes"}, groupSource{clusterGroup: "cg-nodes"}, "p3")
	f.state.acquire(groupID{addressKind, "edge"}, groupSource{nodes: newNodeSelector(sel("role", "edge"))}, "p1")
	f.listener.stale, f.listener.removed = sets.New[string](), sets.New[string]()
	return f
}

func TestGroupStateReportsChangedGroups(t *testing.T) {
	cases := []struct {
		name        string
		act         func(t *testing.T, f *groupStateFixture)
		wantStale   []string
		wantRemoved []string
		check       func(t *testing.T, f *groupStateFixture)
	}{
		{
			name: "first user of a new group",
			act: func(t *testing.T, f *groupStateFixture) {
				f.state.acquire(groupID{addressKind, "new"}, groupSource{selector: mustSelector(t, "db", nil, nil)}, "p9")
			},
			wantStale: []string{"address/new"},
		},
		{
			name: "second user of a group",
			act: func(_ *testing.T, f *groupStateFixture) {
				f.state.acquire(groupID{addressKind, "db"}, groupSource{selector: f.db}, "p2")
			},
		},
		{
			name: "one of two users releases",
			act: func(_ *testing.T, f *groupStateFixture) {
				f.state.acquire(groupID{addressKind, "db"}, groupSource{selector: f.db}, "p2")
				f.state.release(groupID{addressKind, "db"}, "p1")
			},
			check: func(t *testing.T, f *groupStateFixture) {
				if g := f.state.get(groupID{addressKind, "db"}); g == nil || g.refs.Len() != 1 || !g.refs.Has("p2") {
					t.Fatalf("address/db after one release: %+v", g)
				}
			},
		},
		{
			name: "last user releases",
			act: func(_ *testing.T, f *groupStateFixture) {
				f.state.release(groupID{addressKind, "db"}, "p1")
			},
			wantRemoved: []string{"address/db"},
			check: func(t *testing.T, f *groupStateFixture) {
				if f.state.get(groupID{addressKind, "db"}) != nil {
					t.Fatal("address/db still in the state")
				}
				if _, ok := f.index.Selector(f.db.Key()); ok {
					t.Fatal("the selector of address/db is still registered in the index")
				}
			},
		},
		{
			name: "release by a policy that does not use the group",
			act: func(_ *testing.T, f *groupStateFixture) {
				f.state.release(groupID{addressKind, "db"}, "p2")
				f.state.release(groupID{addressKind, "absent"}, "p1")
			},
		},
		{
			name: "Pod of a removed group's selector",
			act: func(_ *testing.T, f *groupStateFixture) {
				f.state.release(groupID{addressKind, "db"}, "p1")
				f.index.UpsertPod(gpod("db", "d2", "n2", "10.0.0.3", "app", "db"))
			},
			wantRemoved: []string{"address/db"},
		},
		{
			name: "Pod added under a selector three groups share",
			act: func(_ *testing.T, f *groupStateFixture) {
				f.index.UpsertPod(gpod("web", "w2", "n1", "10.0.0.4", "app", "web"))
			},
			wantStale: []string{"address/team-a", "address/web", "appliedTo/cg-web", "appliedTo/web"},
		},
		{
			name: "Pod deleted",
			act: func(_ *testing.T, f *groupStateFixture) {
				f.index.DeletePod("db", "d1")
			},
			wantStale: []string{"address/db"},
		},
		{
			name: "Pod no selector selects",
			act: func(_ *testing.T, f *groupStateFixture) {
				f.index.UpsertPod(gpod("db", "x", "n2", "10.0.0.5", "app", "other"))
			},
		},
		{
			name: "Namespace relabelled into a namespaceSelector",
			act: func(_ *testing.T, f *groupStateFixture) {
				f.index.UpsertNamespace("db", labels.Set{"team": "a"})
			},
			wantStale: []string{"address/team-a"},
		},
		{
			name: "one of two groups sharing a selector released",
			act: func(_ *testing.T, f *groupStateFixture) {
				f.state.release(groupID{appliedToKind, "web"}, "p1")
				f.index.UpsertPod(gpod("web", "w2", "n1", "10.0.0.4", "app", "web"))
			},
			wantStale:   []string{"address/team-a", "address/web", "appliedTo/cg-web"},
			wantRemoved: []string{"appliedTo/web"},
		},
		{
			name: "ClusterGroup takes another selector and UID",
			act: func(_ *testing.T, f *groupStateFixture) {
				f.cgs["cg-web"] = &clusterGroup{name: "cg-web", uid: "uid-web-2", selector: f.db}
				f.state.reselect("cg-web")
				f.index.UpsertPod(gpod("web", "w2", "n1", "10.0.0.4", "app", "web"))
			},
			wantStale: []string{"address/team-a", "address/web", "appliedTo/cg-web", "appliedTo/web"},
			check: func(t *testing.T, f *groupStateFixture) {
				g := f.state.get(groupID{appliedToKind, "cg-web"})
				if g.uid != "uid-web-2" || len(g.selectorKeys) != 1 || g.selectorKeys[0] != f.db.Key() {
					t.Fatalf("appliedTo/cg-web after reselect: uid %q, selectors %q", g.uid, g.selectorKeys)
				}
				f.listener.stale = sets.New[string]()
				f.index.UpsertPod(gpod("db", "d2", "n2", "10.0.0.3", "app", "db"))
				if want := sets.New("address/db", "appliedTo/cg-web"); !f.listener.stale.Equal(want) {
					t.Fatalf("a Pod under the new selector reported %v, want %v", sets.List(f.listener.stale), sets.List(want))
				}
			},
		},
		{
			name: "ClusterGroup no group is built from",
			act: func(_ *testing.T, f *groupStateFixture) {
				f.cgs["cg-unused"] = &clusterGroup{name: "cg-unused", selector: f.db}
				f.state.reselect("cg-unused")
			},
		},
		{
			name: "Nodes changed",
			act: func(_ *testing.T, f *groupStateFixture) {
				f.state.nodesChanged()
			},
			wantStale: []string{"address/cg-nodes", "address/edge"},
		},
		{
			name: "every group released",
			act: func(_ *testing.T, f *groupStateFixture) {
				for _, id := range []groupID{{appliedToKind, "web"}, {addressKind, "db"}, {addressKind, "edge"}} {
					f.state.release(id, "p1")
				}
				for _, id := range []groupID{{addressKind, "web"}, {addressKind, "team-a"}} {
					f.state.release(id, "p2")
				}
				for _, id := range []groupID{{appliedToKind, "cg-web"}, {addressKind, "cg-nodes"}} {
					f.state.release(id, "p3")
				}
			},
			wantRemoved: []string{"address/cg-nodes", "address/db", "address/edge", "address/team-a", "address/web",
				"appliedTo/cg-web", "appliedTo/web"},
			check: func(t *testing.T, f *groupStateFixture) {
				if len(f.state.groups) != 0 || len(f.state.selectorUsers) != 0 {
					t.Fatalf("left behind: %d groups, %d selector users", len(f.state.groups), len(f.state.selectorUsers))
				}
				for _, s := range []*grouping.Selector{f.web, f.db, f.teamA} {
					if _, ok := f.index.Selector(s.Key()); ok {
						t.Fatalf("selector %s still registered in the index", s.Key())
					}
				}
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newGroupStateFixture(t)
			tc.act(t, f)
			sorted := cmpopts.SortSlices(func(a, b string) bool { return a < b })
			if diff := cmp.Diff(tc.wantStale, sets.List(f.listener.stale), sorted, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("stale groups (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantRemoved, sets.List(f.listener.removed), sorted, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("removed groups (-want +got):\n%s", diff)
			}
			if tc.check != nil {
				tc.check(t, f)
			}
		})
	}
}

func TestGroupStateNewGroupTakesClusterGroupUID(t *testing.T) {
	f := newGroupStateFixture(t)
	if g := f.state.get(groupID{appliedToKind, "cg-web"}); g == nil || g.uid != "uid-web" {
		t.Fatalf("appliedTo/cg-web: %+v, want UID uid-web", g)
	}
	f.state.acquire(groupID{addressKind, "cg-absent"}, groupSource{clusterGroup: "cg-absent"}, "p1")
	if g := f.state.get(groupID{addressKind, "cg-absent"}); g == nil || g.uid != "" || len(g.selectorKeys) != 0 {
		t.Fatalf("a group of a missing ClusterGroup: %+v, want no UID and no selector", g)
	}
}

func TestGroupStatePodsOnceAcrossSelectors(t *testing.T) {
	f := newGroupStateFixture(t)
	f.cgs["cg-parent"] = &clusterGroup{name: "cg-parent", selector: f.web, children: []string{"cg-team-a"}}
	f.cgs["cg-team-a"] = &clusterGroup{name: "cg-team-a", selector: f.teamA}
	id := groupID{addressKind, "cg-parent"}
	f.state.acquire(id, groupSource{clusterGroup: "cg-parent"}, "p1")
	var got []string
	for _, p := range f.state.pods(f.state.get(id)) {
		got = append(got, p.Namespace+"/"+p.Name)
	}
	if want := []string{"web/w1"}; !cmp.Equal(want, got) {
		t.Fatalf("pods %v, want %v (each once across the group's two selectors)", got, want)
	}
}
