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

package explain

import (
	"fmt"
	"math/rand"
	"net/netip"
	"slices"
	"testing"

	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/apiserver/computed"
	"github.com/strata-net/strata/nodeagent/types"
	"github.com/strata-net/strata/registry/controlplane/store"
)

// randomStores is a small universe of Pods, Nodes, AppliedToGroups and
// policies that random changes are drawn from.
type randomStores struct {
	r     *rand.Rand
	nodes []string
	pods  []Pod
	atgs  *store.Store[*computed.AppliedToGroup]
	nps   *store.Store[*store.NetworkPolicy]
	ags   *store.Store[*computed.AddressGroup]
}

const (
	randomATGs     = 12
	randomPolicies = 15
)

func newRandomStores(t *testing.T, seed int64) *randomStores {
	t.Helper()
	s := &randomStores{r: rand.New(rand.NewSource(seed)), nodes: []string{"n1", "n2", "n3"}}
	var err error
	s.nps, err = store.NewNetworkPolicyStore(store.Options{})
	must(t, err)
	s.atgs, err = store.NewAppliedToGroupStore(store.Options{})
	must(t, err)
	s.ags, err = store.NewAddressGroupStore(store.Options{})
	must(t, err)
	t.Cleanup(func() { s.nps.Stop(); s.atgs.Stop(); s.ags.Stop() })
	for i := 0; i < 10; i++ {
		s.pods = append(s.pods, Pod{Namespace: "ns", Name: fmt.Sprintf("p%d", i), NodeName: s.nodes[i%len(s.nodes)],
			IPs: []netip.Addr{netip.AddrFrom4([4]byte{10, 0, 0, byte(i + 1)})}})
	}
	return s
}

// randomATG is AppliedToGroup atg-i holding a random subset of the Pods.
func (s *randomStores) randomATG(i int) *computed.AppliedToGroup {
	g := &computed.AppliedToGroup{Name: fmt.Sprintf("atg-%d", i), MembersByNode: map[string]map[string]*controlplane.GroupMember{}}
	for _, p := range s.pods {
		if s.r.Intn(3) == 0 {
			if g.MembersByNode[p.NodeName] == nil {
				g.MembersByNode[p.NodeName] = computed.MemberSet()
			}
			m := member(p)
			g.MembersByNode[p.NodeName][computed.MemberKey(m)] = m
		}
	}
	return g
}

// randomPolicy is policy np-i applied to random groups (of the policy or of
// its rules) in a random span.
func (s *randomStores) randomPolicy(i int) *store.NetworkPolicy {
	pick := func() []string {
		var out []string
		for n := s.r.Intn(3); n > 0; n-- {
			out = append(out, fmt.Sprintf("atg-%d", s.r.Intn(randomATGs)))
		}
		return out
	}
	np := &controlplane.NetworkPolicy{AppliedToGroups: pick(),
		SourceRef: &controlplane.NetworkPolicyReference{Type: controlplane.K8sNetworkPolicy, Namespace: "ns", Name: fmt.Sprintf("np-%d", i)}}
	np.Name = fmt.Sprintf("np-%d", i)
	for n := s.r.Intn(3); n > 0; n-- {
		np.Rules = append(np.Rules, controlplane.NetworkPolicyRule{Direction: controlplane.DirectionIn, AppliedToGroups: pick()})
	}
	span := sets.New[string]()
	for _, n := range s.nodes {
		if s.r.Intn(2) == 0 {
			span.Insert(n)
		}
	}
	return &store.NetworkPolicy{Policy: np, Span: span}
}

// change applies one random change: an AppliedToGroup or a policy added or
// replaced (a new version), or deleted; or an AddressGroup replaced.
func (s *randomStores) change(t *testing.T) {
	t.Helper()
	switch i := s.r.Intn(randomPolicies); s.r.Intn(5) {
	case 0, 1:
		must(t, s.atgs.Upsert(s.randomATG(i%randomATGs)))
	case 2:
		if _, ok := s.atgs.Get(fmt.Sprintf("atg-%d", i%randomATGs)); ok {
			must(t, s.atgs.Delete(fmt.Sprintf("atg-%d", i%randomATGs)))
		}
	case 3:
		must(t, s.nps.Upsert(s.randomPolicy(i)))
	case 4:
		if _, ok := s.nps.Get(fmt.Sprintf("np-%d", i)); ok {
			must(t, s.nps.Delete(fmt.Sprintf("np-%d", i)))
		} else {
			must(t, s.ags.Upsert(&computed.AddressGroup{Name: "ag", Members: computed.MemberSet(member(s.pods[i%len(s.pods)]))}))
		}
	}
}

// lookups is what lookup answers for every Pod on every Node.
func lookups(x *Explainer, s *randomStores) map[podOnNode]string {
	out := map[podOnNode]string{}
	for _, n := range s.nodes {
		for _, p := range s.pods {
			k := podOnNode{node: n, pod: types.PodRef{Namespace: p.Namespace, Name: p.Name}}
			atgs, nps := x.lookup(n, k.pod)
			names := sets.List(sets.KeySet(atgs))
			for _, sp := range nps {
				names = append(names, sp.Policy.Name)
			}
			out[k] = fmt.Sprint(names)
		}
	}
	return out
}

// TestIncrementalIndexMatchesRebuild applies random sequences of changes to
// the stores, with evaluations between some of them (so one sync may cover
// several changes), and checks after each that the incrementally maintained
// index answers every lookup as an index built from scratch does, and holds
// the same entries.
func TestIncrementalIndexMatchesRebuild(t *testing.T) {
	for seed := int64(1); seed <= 20; seed++ {
		t.Run(fmt.Sprintf("seed-%d", seed), func(t *testing.T) {
			s := newRandomStores(t, seed)
			cfg := Config{Pods: fakePods{}, NetworkPolicies: s.nps, AppliedToGroups: s.atgs, AddressGroups: s.ags}
			x, err := New(cfg)
			must(t, err)
			for step := 0; step < 150; step++ {
				s.change(t)
				if s.r.Intn(3) == 0 {
					continue // several changes before the next sync
				}
				fresh, err := New(cfg)
				must(t, err)
				got, want := lookups(x, s), lookups(fresh, s)
				for k, w := range want {
					if got[k] != w {
						t.Fatalf("step %d: lookup of %s on %s: incremental %s, rebuilt %s", step, k.pod, k.node, got[k], w)
					}
				}
				if diff := indexDiff(&x.index, &fresh.index); diff != "" {
					t.Fatalf("step %d: the incremental index differs from a rebuilt one: %s", step, diff)
				}
			}
		})
	}
}

// indexDiff describes how two synced indexes differ ("" when they hold the
// same entries).
func indexDiff(a, b *index) string {
	if !mapsEqual(a.podATGs, b.podATGs, func(x, y map[string]struct{}) bool { return sets.KeySet(x).Equal(sets.KeySet(y)) }) {
		return fmt.Sprintf("podATGs %v vs %v", a.podATGs, b.podATGs)
	}
	sameNPs := func(x, y map[string]*store.NetworkPolicy) bool {
		return mapsEqual(x, y, func(p, q *store.NetworkPolicy) bool { return p == q })
	}
	if !mapsEqual(a.npsByATG, b.npsByATG, sameNPs) {
		return fmt.Sprintf("npsByATG %v vs %v", a.npsByATG, b.npsByATG)
	}
	if !slices.Equal(sets.List(sets.KeySet(a.atgs)), sets.List(sets.KeySet(b.atgs))) ||
		!slices.Equal(sets.List(sets.KeySet(a.nps)), sets.List(sets.KeySet(b.nps))) {
		return "the objects held differ"
	}
	return ""
}

func mapsEqual[K comparable, V any](a, b map[K]V, eq func(V, V) bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || !eq(v, w) {
			return false
		}
	}
	return true
}
