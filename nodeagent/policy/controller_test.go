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

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/nodeagent/types"
)

// fixture is a small Node state: p1 (two rules: from ag1, from ag2) and p2 (one
// rule from ag1) apply to atg1; k1 is a K8s NetworkPolicy isolating atg2.
type fixture struct {
	p1, p2, k1 *v1beta2.NetworkPolicy
	atgs       []*v1beta2.AppliedToGroup
	ags        []*v1beta2.AddressGroup
}

func newFixture() fixture {
	return fixture{
		p1:   acnp("p1", 1, []string{"atg1"}, ingress(0, 80, "ag1"), ingress(1, 81, "ag2")),
		p2:   acnp("p2", 1, []string{"atg1"}, ingress(0, 90, "ag1")),
		k1:   k8sNP("k1", []string{"atg2"}, v1beta2.NetworkPolicyRule{Direction: v1beta2.DirectionIn}),
		atgs: []*v1beta2.AppliedToGroup{atg("atg1", pod("ns1", "web-1")), atg("atg2", pod("ns1", "db-1"))},
		ags: []*v1beta2.AddressGroup{ag("ag1", pod("ns2", "client-1", "10.0.1.1")),
			ag("ag2", pod("ns2", "client-2", "10.0.2.1"))},
	}
}

func (f fixture) policies() []*v1beta2.NetworkPolicy {
	return []*v1beta2.NetworkPolicy{f.p1, f.p2, f.k1}
}

func (f fixture) allRules() []types.RuleID {
	return sorted(append(append(ruleIDsOf(f.p1), ruleIDsOf(f.p2)...), ruleIDsOf(f.k1)...)...)
}

func TestControllerInitialSyncIsOneBatch(t *testing.T) {
	f := newFixture()
	h := newHarness(t, func(c *Config) { c.BatchSize = 1 })
	h.start()
	h.initial(kindPolicies, objects(f.policies())...)
	h.initial(kindAppliedToGroups, objects(f.atgs)...)
	assert.False(t, h.ctrl.Synced())
	h.initial(kindAddressGroups, objects(f.ags)...)
	eventually(t, func(c *assert.CollectT) { assert.True(c, h.ctrl.Synced()) })

	calls := h.rec.callLog()
	require.NotEmpty(t, calls)
	assert.Equal(t, reconcileCall{op: "reconcile", ids: f.allRules()}, calls[0], "first call: every rule, despite BatchSize 1")
	assert.Len(t, calls, 1)
	assert.Equal(t, f.allRules(), h.rec.installedIDs())
	h.mu.Lock()
	defer h.mu.Unlock()
	assert.Equal(t, []string{"nodeName=node-a", "nodeName=node-a", "nodeName=node-a"}, h.selectors)
}

func TestControllerEvents(t *testing.T) {
	f := newFixture()
	p1, p2 := ruleIDsOf(f.p1), ruleIDsOf(f.p2)
	p1Changed := acnp("p1", 2, []string{"atg1"}, ingress(0, 80, "ag1"), ingress(1, 8081, "ag2"))
	p3 := acnp("p3", 1, []string{"atg1"}, ingress(0, 70, "ag3"))
	tests := []struct {
		name          string
		do            func(h *harness, ws watchers)
		wantCalls     []reconcileCall
		wantInstalled []types.RuleID
		check         func(t *testing.T, h *harness)
	}{
		{
			name: "AddressGroup patch re-reconciles only the rules using it",
			do: func(h *harness, ws watchers) {
				ws[kindAddressGroups].Modify(&v1beta2.AddressGroupPatch{ObjectMeta: metav1.ObjectMeta{Name: "ag2"},
					AddedGroupMembers: []v1beta2.GroupMember{pod("ns2", "client-3", "10.0.2.3")}})
			},
			wantCalls:     []reconcileCall{{op: "reconcile", ids: []types.RuleID{p1[1]}}},
			wantInstalled: f.allRules(),
			check: func(t *testing.T, h *harness) {
				assert.Equal(t, []types.Address{{CIDR: "10.0.2.1/32"}, {CIDR: "10.0.2.3/32"}}, h.rec.rule(p1[1]).Peers)
			},
		},
		{
			name: "AppliedToGroup patch removes a target",
			do: func(h *harness, ws watchers) {
				ws[kindAppliedToGroups].Modify(&v1beta2.AppliedToGroupPatch{ObjectMeta: metav1.ObjectMeta{Name: "atg2"},
					RemovedGroupMembers: []v1beta2.GroupMember{pod("ns1", "db-1")}})
			},
			wantCalls:     []reconcileCall{{op: "reconcile", ids: ruleIDsOf(f.k1)}},
			wantInstalled: f.allRules(),
			check: func(t *testing.T, h *harness) {
				assert.Empty(t, h.rec.rule(ruleIDsOf(f.k1)[0]).Targets)
			},
		},
		{
			name:          "NetworkPolicy DELETED forgets its rules",
			do:            func(h *harness, ws watchers) { ws[kindPolicies].Delete(acnp("p2", 1, nil)) },
			wantCalls:     []reconcileCall{{op: "forget", ids: p2}},
			wantInstalled: sorted(append(ruleIDsOf(f.p1), ruleIDsOf(f.k1)...)...),
		},
		{
			name:      "NetworkPolicy MODIFIED: the changed rule is installed, then the old one forgotten",
			do:        func(h *harness, ws watchers) { ws[kindPolicies].Modify(p1Changed) },
			wantCalls: []reconcileCall{{op: "reconcile", ids: ruleIDsOf(p1Changed)[1:]}, {op: "forget", ids: p1[1:]}},
			wantInstalled: sorted(append(append(ruleIDsOf(p1Changed), ruleIDsOf(f.p2)...),
				ruleIDsOf(f.k1)...)...),
		},
		{
			name:          "AddressGroup DELETED: its rules are incomplete and forgotten",
			do:            func(h *harness, ws watchers) { ws[kindAddressGroups].Delete(ag("ag1")) },
			wantCalls:     []reconcileCall{{op: "forget", ids: sorted(p1[0], p2[0])}},
			wantInstalled: sorted(p1[1], ruleIDsOf(f.k1)[0]),
		},
		{
			name: "a rule waits for its AddressGroup",
			do: func(h *harness, ws watchers) {
				ws[kindPolicies].Add(p3)
				ws[kindAddressGroups].Add(ag("ag3", pod("ns3", "x", "10.3.0.1")))
			},
			wantCalls:     []reconcileCall{{op: "reconcile", ids: ruleIDsOf(p3)}},
			wantInstalled: sorted(append(f.allRules(), ruleIDsOf(p3)...)...),
		},
		{
			name:          "PodChanged re-reconciles the rules targeting the Pod",
			do:            func(h *harness, ws watchers) { h.ctrl.PodChanged(types.PodRef{Namespace: "ns1", Name: "web-1"}) },
			wantCalls:     []reconcileCall{{op: "reconcile", ids: sorted(append(p1, p2...)...)}},
			wantInstalled: f.allRules(),
		},
		{
			name:          "PodChanged re-reconciles the rules with the Pod as peer",
			do:            func(h *harness, ws watchers) { h.ctrl.PodChanged(types.PodRef{Namespace: "ns2", Name: "client-2"}) },
			wantCalls:     []reconcileCall{{op: "reconcile", ids: p1[1:]}},
			wantInstalled: f.allRules(),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, nil)
			h.start()
			ws := h.syncAll(f.policies(), f.atgs, f.ags)
			mark := len(h.rec.callLog())
			tc.do(h, ws)
			eventually(t, func(c *assert.CollectT) {
				assert.Equal(c, tc.wantCalls, h.rec.callsSince(mark))
				assert.Equal(c, tc.wantInstalled, h.rec.installedIDs())
			})
			if tc.check != nil {
				tc.check(t, h)
			}
		})
	}
}

func TestControllerRewatchReplacesState(t *testing.T) {
	f := newFixture()
	h := newHarness(t, nil)
	h.start()
	ws := h.syncAll(f.policies(), f.atgs, f.ags)
	mark := len(h.rec.callLog())

	// The AddressGroup watch fails; ag2 was deleted while it was down.
	ws[kindAddressGroups].Error(&metav1.Status{Status: metav1.StatusFailure, Code: 500, Message: "boom"})
	h.initial(kindAddressGroups, f.ags[0])
	// The NetworkPolicy watch is closed; p2 was deleted while it was down.
	ws[kindPolicies].Stop()
	h.initial(kindPolicies, f.p1, f.k1)

	p1, p2 := ruleIDsOf(f.p1), ruleIDsOf(f.p2)
	eventually(t, func(c *assert.CollectT) {
		assert.Equal(c, sorted(p1[0], ruleIDsOf(f.k1)[0]), h.rec.installedIDs())
		var forgotten []types.RuleID
		for _, call := range h.rec.callsSince(mark) {
			assert.Equal(c, "forget", call.op, "unchanged rules are not reconciled again")
			forgotten = append(forgotten, call.ids...)
		}
		assert.ElementsMatch(c, []types.RuleID{p1[1], p2[0]}, forgotten)
	})
}

func TestControllerBatches(t *testing.T) {
	f := newFixture()
	h := newHarness(t, func(c *Config) { c.BatchSize = 2 })
	h.start()
	var nps []*v1beta2.NetworkPolicy
	var want []types.RuleID
	for _, name := range []string{"q1", "q2", "q3", "q4", "q5"} {
		np := acnp(name, 1, []string{"atg1"}, ingress(0, 80, "ag1"))
		nps = append(nps, np)
		want = append(want, ruleIDsOf(np)...)
	}
	ws := h.syncAll(nps, f.atgs, f.ags)
	mark := len(h.rec.callLog())
	ws[kindAddressGroups].Modify(&v1beta2.AddressGroupPatch{ObjectMeta: metav1.ObjectMeta{Name: "ag1"},
		AddedGroupMembers: []v1beta2.GroupMember{pod("ns2", "client-9", "10.0.9.9")}})
	eventually(t, func(c *assert.CollectT) {
		var got []types.RuleID
		for _, call := range h.rec.callsSince(mark) {
			assert.Equal(c, "reconcile", call.op)
			assert.LessOrEqual(c, len(call.ids), 2)
			got = append(got, call.ids...)
		}
		assert.ElementsMatch(c, want, got)
	})
}

func TestControllerReconcileFailures(t *testing.T) {
	f := newFixture()
	p1 := ruleIDsOf(f.p1)
	h := newHarness(t, nil)
	h.rec.setFail(func(r *types.CompletedRule) error {
		if r.ID == p1[1] {
			return errOVS
		}
		return nil
	})
	h.start()
	h.syncAll(f.policies(), f.atgs, f.ags)
	eventually(t, func(c *assert.CollectT) {
		calls := h.rec.callLog()
		if !assert.GreaterOrEqual(c, len(calls), 1+len(f.allRules())+1) {
			return
		}
		assert.Equal(c, f.allRules(), calls[0].ids, "the whole batch first")
		var singles []types.RuleID
		for _, call := range calls[1 : 1+len(f.allRules())] {
			assert.Len(c, call.ids, 1)
			singles = append(singles, call.ids...)
		}
		assert.Equal(c, f.allRules(), singles, "then rule by rule")
		assert.Equal(c, []types.RuleID{p1[1]}, calls[1+len(f.allRules())].ids, "then the failed rule, with backoff")
	})
	assert.NotContains(t, h.rec.installedIDs(), p1[1])
	h.rec.setFail(nil)
	eventually(t, func(c *assert.CollectT) { assert.Equal(c, f.allRules(), h.rec.installedIDs()) })
}

func TestControllerForgetFailureRetried(t *testing.T) {
	f := newFixture()
	h := newHarness(t, nil)
	h.start()
	ws := h.syncAll(f.policies(), f.atgs, f.ags)
	h.rec.setFailForget(errOVS)
	mark := len(h.rec.callLog())
	ws[kindPolicies].Delete(acnp("p2", 1, nil))
	eventually(t, func(c *assert.CollectT) { assert.GreaterOrEqual(c, len(h.rec.callsSince(mark)), 2) }, "retried")
	assert.Contains(t, h.rec.installedIDs(), ruleIDsOf(f.p2)[0])
	h.rec.setFailForget(nil)
	eventually(t, func(c *assert.CollectT) {
		assert.NotContains(c, h.rec.installedIDs(), ruleIDsOf(f.p2)[0])
	})
}

func TestControllerRunTwice(t *testing.T) {
	h := newHarness(t, nil)
	h.start()
	h.nextWatch(kindPolicies) // running
	require.EqualError(t, h.ctrl.Run(t.Context()), "policy controller already ran")
}
