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
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/nodeagent/types"
)

// dirtyLog records what the cache hooks report.
type dirtyLog struct {
	mu       sync.Mutex
	rules    sets.Set[types.RuleID]
	policies sets.Set[string]
}

func newTestCache() (*ruleCache, *dirtyLog) {
	d := &dirtyLog{rules: sets.New[types.RuleID](), policies: sets.New[string]()}
	c := newRuleCache(cacheHooks{
		rulesDirty: func(ids ...types.RuleID) {
			d.mu.Lock()
			defer d.mu.Unlock()
			d.rules.Insert(ids...)
		},
		policiesChanged: func(names ...string) {
			d.mu.Lock()
			defer d.mu.Unlock()
			d.policies.Insert(names...)
		},
	})
	return c, d
}

// take returns and clears the dirty rules and policies.
func (d *dirtyLog) take() ([]types.RuleID, []string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var rules []types.RuleID
	var policies []string
	if d.rules.Len() > 0 {
		rules = sets.List(d.rules)
	}
	if d.policies.Len() > 0 {
		policies = sets.List(d.policies)
	}
	d.rules, d.policies = sets.New[types.RuleID](), sets.New[string]()
	return rules, policies
}

func group1(g *v1beta2.AddressGroup) *group   { return newGroup(g.Name, g.UID, g.GroupMembers) }
func groupA(g *v1beta2.AppliedToGroup) *group { return newGroup(g.Name, g.UID, g.GroupMembers) }

func stateOf(c *ruleCache, id types.RuleID) ruleState {
	_, st, _ := c.completedRule(id)
	return st
}

func TestRuleCacheCompleteness(t *testing.T) {
	np := acnp("p1", 1, []string{"atg1", "atg2"}, ingress(0, 80, "ag1", "ag2"), ingress(1, 81))
	ids := ruleIDsOf(np)
	tests := []struct {
		name string
		atgs []string
		ags  []string
		want [2]ruleState
	}{
		{name: "no groups", want: [2]ruleState{ruleIneffective, ruleIneffective}},
		{name: "address groups only", ags: []string{"ag1", "ag2"}, want: [2]ruleState{ruleIneffective, ruleIneffective}},
		{name: "one AppliedToGroup, AddressGroups missing", atgs: []string{"atg2"},
			want: [2]ruleState{ruleWaiting, ruleComplete}},
		{name: "one AddressGroup of two", atgs: []string{"atg1"}, ags: []string{"ag2"},
			want: [2]ruleState{ruleWaiting, ruleComplete}},
		{name: "all", atgs: []string{"atg1", "atg2"}, ags: []string{"ag1", "ag2"},
			want: [2]ruleState{ruleComplete, ruleComplete}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newTestCache()
			c.replacePolicies([]*v1beta2.NetworkPolicy{np})
			for _, name := range tc.atgs {
				c.upsertGroup(appliedToGroups, groupA(atg(name, pod("ns1", "web"))))
			}
			for _, name := range tc.ags {
				c.upsertGroup(addressGroups, group1(ag(name, pod("ns2", "client", "10.0.0.1"))))
			}
			assert.Equal(t, tc.want, [2]ruleState{stateOf(c, ids[0]), stateOf(c, ids[1])})
		})
	}
	t.Run("absent rule", func(t *testing.T) {
		c, _ := newTestCache()
		assert.Equal(t, ruleAbsent, stateOf(c, ids[0]))
	})
}

func TestRuleCacheDirtyTracking(t *testing.T) {
	p1 := acnp("p1", 1, []string{"atg1"}, ingress(0, 80, "ag1"), ingress(1, 81, "ag2"))
	p2 := acnp("p2", 1, []string{"atg2"}, ingress(0, 80, "ag1"))
	id1 := ruleIDsOf(p1)
	id2 := ruleIDsOf(p2)
	setup := func() (*ruleCache, *dirtyLog) {
		c, d := newTestCache()
		c.replacePolicies([]*v1beta2.NetworkPolicy{p1, p2})
		c.replaceGroups(appliedToGroups, []*group{groupA(atg("atg1", pod("ns1", "a"))), groupA(atg("atg2", pod("ns1", "b")))})
		c.replaceGroups(addressGroups, []*group{group1(ag("ag1", pod("ns2", "x", "10.0.0.1"))),
			group1(ag("ag2", pod("ns2", "y", "10.0.0.2")))})
		d.take()
		return c, d
	}
	tests := []struct {
		name         string
		change       func(t *testing.T, c *ruleCache)
		wantRules    []types.RuleID
		wantPolicies []string
	}{
		{name: "AddressGroup patch dirties the rules using it",
			change: func(t *testing.T, c *ruleCache) {
				require.NoError(t, c.patchGroup(addressGroups, "ag1", []v1beta2.GroupMember{pod("ns2", "z", "10.0.0.3")}, nil))
			},
			wantRules: sorted(id1[0], id2[0])},
		{name: "AppliedToGroup patch dirties only its rules",
			change: func(t *testing.T, c *ruleCache) {
				require.NoError(t, c.patchGroup(appliedToGroups, "atg2", nil, []v1beta2.GroupMember{pod("ns1", "b")}))
			},
			wantRules: []types.RuleID{id2[0]}},
		{name: "group replace with equal content dirties nothing",
			change: func(t *testing.T, c *ruleCache) {
				c.replaceGroups(addressGroups, []*group{group1(ag("ag1", pod("ns2", "x", "10.0.0.1"))),
					group1(ag("ag2", pod("ns2", "y", "10.0.0.2")))})
			}},
		{name: "group replace drops a missing group",
			change: func(t *testing.T, c *ruleCache) {
				c.replaceGroups(addressGroups, []*group{group1(ag("ag1", pod("ns2", "x", "10.0.0.1")))})
			},
			wantRules: []types.RuleID{id1[1]}},
		{name: "group deleted",
			change:    func(t *testing.T, c *ruleCache) { c.deleteGroup(appliedToGroups, "atg1") },
			wantRules: sorted(id1[0], id1[1])},
		{name: "policy update with a new generation and one changed rule",
			change: func(t *testing.T, c *ruleCache) {
				c.upsertPolicy(acnp("p1", 2, []string{"atg1"}, ingress(0, 80, "ag1"), ingress(1, 8080, "ag2")))
			},
			wantRules:    sorted(id1[1], ruleIDsOf(acnp("p1", 2, []string{"atg1"}, ingress(0, 80, "ag1"), ingress(1, 8080, "ag2")))[1]),
			wantPolicies: []string{"p1"}},
		{name: "policy update with the same content and generation",
			change: func(t *testing.T, c *ruleCache) { c.upsertPolicy(p1.DeepCopy()) }},
		{name: "policy deleted",
			change:       func(t *testing.T, c *ruleCache) { c.deletePolicy("p2") },
			wantRules:    []types.RuleID{id2[0]},
			wantPolicies: []string{"p2"}},
		{name: "policy replace drops missing policies",
			change:       func(t *testing.T, c *ruleCache) { c.replacePolicies([]*v1beta2.NetworkPolicy{p2.DeepCopy()}) },
			wantRules:    sorted(id1[0], id1[1]),
			wantPolicies: []string{"p1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, d := setup()
			tc.change(t, c)
			rules, policies := d.take()
			assert.Equal(t, tc.wantRules, rules)
			assert.Equal(t, tc.wantPolicies, policies)
		})
	}
}

func sorted(ids ...types.RuleID) []types.RuleID { return sets.List(sets.New(ids...)) }

func TestRuleCacheGroupArrivalCompletesWaitingRule(t *testing.T) {
	c, d := newTestCache()
	np := acnp("p1", 1, []string{"atg1"}, ingress(0, 80, "ag1"))
	id := ruleIDsOf(np)[0]
	c.replacePolicies([]*v1beta2.NetworkPolicy{np})
	c.upsertGroup(appliedToGroups, groupA(atg("atg1", pod("ns1", "a"))))
	assert.Equal(t, ruleWaiting, stateOf(c, id))
	d.take()

	c.upsertGroup(addressGroups, group1(ag("ag1", pod("ns2", "x", "10.0.0.1"))))
	rules, _ := d.take()
	assert.Equal(t, []types.RuleID{id}, rules)
	assert.Equal(t, ruleComplete, stateOf(c, id))
}

func TestRuleCachePatch(t *testing.T) {
	web1 := pod("ns1", "web-1", "10.0.0.1")
	web2 := pod("ns1", "web-2", "10.0.0.2")
	tests := []struct {
		name    string
		start   []v1beta2.GroupMember
		added   []v1beta2.GroupMember
		removed []v1beta2.GroupMember
		want    []v1beta2.GroupMember
	}{
		{name: "add", start: []v1beta2.GroupMember{web1}, added: []v1beta2.GroupMember{web2},
			want: []v1beta2.GroupMember{web1, web2}},
		{name: "remove", start: []v1beta2.GroupMember{web1, web2}, removed: []v1beta2.GroupMember{web1},
			want: []v1beta2.GroupMember{web2}},
		{name: "remove unknown member is a no-op", start: []v1beta2.GroupMember{web1},
			removed: []v1beta2.GroupMember{web2}, want: []v1beta2.GroupMember{web1}},
		{name: "IP change is a remove and an add",
			start:   []v1beta2.GroupMember{web1},
			removed: []v1beta2.GroupMember{web1}, added: []v1beta2.GroupMember{pod("ns1", "web-1", "10.0.0.9")},
			want: []v1beta2.GroupMember{pod("ns1", "web-1", "10.0.0.9")}},
		{name: "ports change re-sends the member in added",
			start: []v1beta2.GroupMember{web1},
			added: []v1beta2.GroupMember{withPorts(web1, v1beta2.NamedPort{Name: "http", Port: 8080, Protocol: v1beta2.ProtocolTCP})},
			want:  []v1beta2.GroupMember{withPorts(web1, v1beta2.NamedPort{Name: "http", Port: 8080, Protocol: v1beta2.ProtocolTCP})}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newTestCache()
			c.upsertGroup(addressGroups, group1(ag("ag1", tc.start...)))
			require.NoError(t, c.patchGroup(addressGroups, "ag1", tc.added, tc.removed))
			assert.Equal(t, tc.want, c.snapshot().address[0].GroupMembers)
		})
	}
	t.Run("unknown group", func(t *testing.T) {
		c, _ := newTestCache()
		err := c.patchGroup(appliedToGroups, "nope", []v1beta2.GroupMember{web1}, nil)
		require.EqualError(t, err, "patch for unknown AppliedToGroup nope")
	})
}

func TestRuleCacheRulesForPod(t *testing.T) {
	c, _ := newTestCache()
	p1 := acnp("p1", 1, []string{"atg1"}, ingress(0, 80, "ag1"), ingress(1, 81, "ag2"))
	p2 := acnp("p2", 1, []string{"atg2"}, ingress(0, 80))
	c.replacePolicies([]*v1beta2.NetworkPolicy{p1, p2})
	c.replaceGroups(appliedToGroups, []*group{groupA(atg("atg1", pod("ns1", "a"))), groupA(atg("atg2", pod("ns1", "b")))})
	c.replaceGroups(addressGroups, []*group{group1(ag("ag1", pod("ns1", "b", "10.0.0.2"), pod("ns1", "b", "fd00::2"))),
		group1(ag("ag2", pod("ns2", "c", "10.0.0.3")))})
	id1, id2 := ruleIDsOf(p1), ruleIDsOf(p2)
	tests := []struct {
		name string
		pod  types.PodRef
		want []types.RuleID
	}{
		{name: "target", pod: types.PodRef{Namespace: "ns1", Name: "a"}, want: sorted(id1...)},
		{name: "target and peer", pod: types.PodRef{Namespace: "ns1", Name: "b"}, want: sorted(id1[0], id2[0])},
		{name: "peer", pod: types.PodRef{Namespace: "ns2", Name: "c"}, want: []types.RuleID{id1[1]}},
		{name: "unknown", pod: types.PodRef{Namespace: "ns2", Name: "zzz"}, want: []types.RuleID{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, c.rulesForPod(tc.pod))
		})
	}
	t.Run("removed member", func(t *testing.T) {
		require.NoError(t, c.patchGroup(addressGroups, "ag1", nil, []v1beta2.GroupMember{pod("ns1", "b", "10.0.0.2")}))
		assert.Equal(t, sorted(id1[0], id2[0]), c.rulesForPod(types.PodRef{Namespace: "ns1", Name: "b"}), "one of two members left")
		require.NoError(t, c.patchGroup(addressGroups, "ag1", nil, []v1beta2.GroupMember{pod("ns1", "b", "fd00::2")}))
		assert.Equal(t, []types.RuleID{id2[0]}, c.rulesForPod(types.PodRef{Namespace: "ns1", Name: "b"}))
	})
}

func TestRuleID(t *testing.T) {
	base := acnp("p1", 1, []string{"atg1"}, ingress(0, 80, "ag1"))
	id := ruleIDsOf(base)[0]
	tests := []struct {
		name   string
		modify func(np *v1beta2.NetworkPolicy)
		same   bool
	}{
		{name: "generation", modify: func(np *v1beta2.NetworkPolicy) { np.Generation = 9 }, same: true},
		{name: "resource version", modify: func(np *v1beta2.NetworkPolicy) { np.ResourceVersion = "9" }, same: true},
		{name: "another rule added after it", same: true, modify: func(np *v1beta2.NetworkPolicy) {
			np.Rules = append(np.Rules, ingress(1, 90))
		}},
		{name: "policy UID", modify: func(np *v1beta2.NetworkPolicy) { np.UID = "other" }},
		{name: "tier priority", modify: func(np *v1beta2.NetworkPolicy) { np.TierPriority = ptr(int32(100)) }},
		{name: "policy priority", modify: func(np *v1beta2.NetworkPolicy) { np.Priority = ptr(5.5) }},
		{name: "direction", modify: func(np *v1beta2.NetworkPolicy) {
			np.Rules[0].Direction, np.Rules[0].To, np.Rules[0].From = v1beta2.DirectionOut, np.Rules[0].From, v1beta2.NetworkPolicyPeer{}
		}},
		{name: "rule index", modify: func(np *v1beta2.NetworkPolicy) { np.Rules[0].Priority = 1 }},
		{name: "peers", modify: func(np *v1beta2.NetworkPolicy) { np.Rules[0].From.AddressGroups = []string{"ag2"} }},
		{name: "services", modify: func(np *v1beta2.NetworkPolicy) { np.Rules[0].Services = nil }},
		{name: "action", modify: func(np *v1beta2.NetworkPolicy) { np.Rules[0].Action = ptr(v1beta2.RuleActionDrop) }},
		{name: "policy appliedTo", modify: func(np *v1beta2.NetworkPolicy) { np.AppliedToGroups = []string{"atg2"} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			np := base.DeepCopy()
			tc.modify(np)
			got := ruleIDsOf(np)[0]
			assert.Len(t, string(got), 16)
			if tc.same {
				assert.Equal(t, id, got)
			} else {
				assert.NotEqual(t, id, got)
			}
		})
	}
	t.Run("NaN policy priority", func(t *testing.T) {
		np := base.DeepCopy()
		np.Priority = ptr(nan())
		assert.Equal(t, ruleIDsOf(np)[0], ruleIDsOf(np.DeepCopy())[0])
	})
}
