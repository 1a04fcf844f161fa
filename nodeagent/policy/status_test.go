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
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clienttesting "k8s.io/client-go/testing"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/generated/clientset/versioned/fake"
	"github.com/strata-net/strata/nodeagent/types"
)

func realized(gen int64) v1beta2.NetworkPolicyNodeStatus {
	return v1beta2.NetworkPolicyNodeStatus{NodeName: testNode, Generation: gen}
}

func TestStatusReportedOnceAllRulesInstalled(t *testing.T) {
	f := newFixture()
	h := newHarness(t, nil)
	h.start()
	// p1 waits for ag2; p9 (sorted after p1) is complete.
	p9 := acnp("p9", 4, []string{"atg1"}, ingress(0, 80, "ag1"))
	ws := h.syncAll([]*v1beta2.NetworkPolicy{f.p1, p9, f.k1}, f.atgs, f.ags[:1])
	eventually(t, func(c *assert.CollectT) {
		assert.Equal(c, []v1beta2.NetworkPolicyNodeStatus{realized(4)}, h.reporter.of("p9"))
	})
	assert.Empty(t, h.reporter.of("p1"), "a rule of p1 waits for ag2")

	ws[kindAddressGroups].Add(f.ags[1])
	eventually(t, func(c *assert.CollectT) {
		assert.Equal(c, []v1beta2.NetworkPolicyNodeStatus{realized(1)}, h.reporter.of("p1"))
	})
	assert.Empty(t, h.reporter.of("k1"), "K8s NetworkPolicies are not reported")
}

// TestStatusReportedForUpstreamClusterNetworkPolicy: the realization of an upstream
// ClusterNetworkPolicy (policy.networking.k8s.io) is reported like an ACNP's: its
// Realized condition is computed from it.
func TestStatusReportedForUpstreamClusterNetworkPolicy(t *testing.T) {
	f := newFixture()
	h := newHarness(t, nil)
	h.start()
	cnp := acnp("c1", 3, []string{"atg1"}, ingress(0, 80, "ag1"))
	cnp.SourceRef.Type = v1beta2.K8sClusterNetworkPolicyType
	h.syncAll([]*v1beta2.NetworkPolicy{cnp}, f.atgs, f.ags[:1])
	eventually(t, func(c *assert.CollectT) {
		assert.Equal(c, []v1beta2.NetworkPolicyNodeStatus{realized(3)}, h.reporter.of("c1"))
	})
}

func TestStatusUpdates(t *testing.T) {
	f := newFixture()
	tests := []struct {
		name string
		do   func(t *testing.T, h *harness, ws watchers)
		want []v1beta2.NetworkPolicyNodeStatus // the reports of p1 after the first one
	}{
		{
			name: "generation change",
			do: func(t *testing.T, h *harness, ws watchers) {
				np := f.p1.DeepCopy()
				np.Generation = 2
				ws[kindPolicies].Modify(np)
			},
			want: []v1beta2.NetworkPolicyNodeStatus{realized(2)},
		},
		{
			name: "generation change with a changed rule",
			do: func(t *testing.T, h *harness, ws watchers) {
				ws[kindPolicies].Modify(acnp("p1", 3, []string{"atg1"}, ingress(0, 80, "ag1"), ingress(1, 8081, "ag2")))
			},
			want: []v1beta2.NetworkPolicyNodeStatus{realized(3)},
		},
		{
			name: "re-reported after a resync of NetworkPolicies",
			do: func(t *testing.T, h *harness, ws watchers) {
				ws[kindPolicies].Stop()
				h.initial(kindPolicies, objects(f.policies())...)
			},
			want: []v1beta2.NetworkPolicyNodeStatus{realized(1)},
		},
		{
			name: "re-reported after a resync of AddressGroups",
			do: func(t *testing.T, h *harness, ws watchers) {
				ws[kindAddressGroups].Error(&metav1.Status{Status: metav1.StatusFailure, Code: 500})
				h.initial(kindAddressGroups, objects(f.ags)...)
			},
			want: []v1beta2.NetworkPolicyNodeStatus{realized(1)},
		},
		{
			name: "member changes are not reported",
			do: func(t *testing.T, h *harness, ws watchers) {
				ws[kindAddressGroups].Modify(&v1beta2.AddressGroupPatch{ObjectMeta: metav1.ObjectMeta{Name: "ag1"},
					AddedGroupMembers: []v1beta2.GroupMember{pod("ns2", "client-9", "10.0.9.9")}})
				eventually(t, func(c *assert.CollectT) {
					assert.Len(c, h.rec.rule(ruleIDsOf(f.p1)[0]).Peers, 2)
				})
				// p1 was checked again after that reconcile; p2 gets a new generation
				// after it: once p2 is reported, p1 was checked and not reported.
				np := f.p2.DeepCopy()
				np.Generation = 7
				ws[kindPolicies].Modify(np)
				eventually(t, func(c *assert.CollectT) { assert.Contains(c, h.reporter.of("p2"), realized(7)) })
			},
			want: []v1beta2.NetworkPolicyNodeStatus{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, nil)
			h.start()
			ws := h.syncAll(f.policies(), f.atgs, f.ags)
			eventually(t, func(c *assert.CollectT) {
				assert.Equal(c, []v1beta2.NetworkPolicyNodeStatus{realized(1)}, h.reporter.of("p1"))
			})
			tc.do(t, h, ws)
			eventually(t, func(c *assert.CollectT) {
				assert.Equal(c, tc.want, h.reporter.of("p1")[1:])
			})
		})
	}
}

func TestStatusFailure(t *testing.T) {
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
		reports := h.reporter.of("p1")
		if assert.NotEmpty(c, reports) {
			assert.Equal(c, v1beta2.NetworkPolicyNodeStatus{NodeName: testNode, Generation: 1, RealizationFailure: true,
				Message: "In rule 1: OFPBMC_BAD_PREREQ (a prerequisite was not met)"}, reports[0])
		}
		assert.Equal(c, []v1beta2.NetworkPolicyNodeStatus{realized(1)}, h.reporter.of("p2"))
	})
	h.rec.setFail(nil)
	eventually(t, func(c *assert.CollectT) {
		reports := h.reporter.of("p1")
		assert.Equal(c, realized(1), reports[len(reports)-1], "realized once the retry succeeds")
	})
}

// TestStatusNotEnforcedRule: an Allow rule with l7Protocols is never handed to
// the Reconciler nor retried, and its policy is reported failed naming the rule
// and the field; the policy's other rule is installed. An egress Drop rule with
// fqdns besides an AddressGroup is installed with both and its policy
// realized; an ingress Drop rule from fqdns only (FQDN peers are egress only)
// is reported failed.
func TestStatusNotEnforcedRule(t *testing.T) {
	h := newHarness(t, nil)
	h.start()
	allowGET := ingress(0, 80, "ag1")
	allowGET.Name, allowGET.L7Protocols = "AllowGET", []v1beta2.L7Protocol{{HTTP: &v1beta2.HTTPProtocol{Method: "GET", Path: "/api"}}}
	dropWeb := ingress(1, 80, "ag1")
	dropWeb.Name, dropWeb.Action = "DropWeb", ptr(v1beta2.RuleActionDrop)
	l7 := acnp("l7", 1, []string{"atg1"}, allowGET, dropWeb)
	dropOut := func(index int32, to v1beta2.NetworkPolicyPeer) v1beta2.NetworkPolicyRule {
		return v1beta2.NetworkPolicyRule{Direction: v1beta2.DirectionOut, Priority: index, Action: ptr(v1beta2.RuleActionDrop), To: to}
	}
	partial := acnp("partial", 1, []string{"atg1"}, dropOut(0, v1beta2.NetworkPolicyPeer{AddressGroups: []string{"ag1"}, FQDNs: []string{"example.com"}}))
	fqdnOnly := acnp("fqdn-only", 1, []string{"atg1"}, v1beta2.NetworkPolicyRule{Direction: v1beta2.DirectionIn,
		Action: ptr(v1beta2.RuleActionDrop), From: v1beta2.NetworkPolicyPeer{FQDNs: []string{"example.com"}}})
	h.syncAll([]*v1beta2.NetworkPolicy{l7, partial, fqdnOnly}, []*v1beta2.AppliedToGroup{atg("atg1", pod("ns1", "web-1"))},
		[]*v1beta2.AddressGroup{ag("ag1", pod("ns2", "client-1", "10.0.1.1"))})
	l7IDs := ruleIDsOf(l7)
	eventually(t, func(c *assert.CollectT) {
		reports := h.reporter.of("l7")
		if assert.Len(c, reports, 1) {
			st := reports[0]
			assert.True(c, st.RealizationFailure)
			assert.Contains(c, st.Message, `In rule 0 "AllowGET": rule `+string(l7IDs[0]))
			assert.Contains(c, st.Message, "l7Protocols is not enforced by this Strata version: the Allow rule is not installed")
			assert.NotContains(c, st.Message, "rule 1", "the Drop rule is installed")
		}
		assert.Equal(c, []v1beta2.NetworkPolicyNodeStatus{realized(1)}, h.reporter.of("partial"))
		reports = h.reporter.of("fqdn-only")
		if assert.Len(c, reports, 1) {
			assert.True(c, reports[0].RealizationFailure)
			assert.Contains(c, reports[0].Message, `In rule 0: rule `)
			assert.Contains(c, reports[0].Message, "from.fqdns is not enforced by this Strata version: the Drop rule is not installed (its peer has nothing else to match)")
		}
	})
	assert.Nil(t, h.rec.rule(l7IDs[0]), "the Allow with l7Protocols is not installed")
	assert.NotNil(t, h.rec.rule(l7IDs[1]), "the Drop of the same policy is installed")
	if r := h.rec.rule(ruleIDsOf(partial)[0]); assert.NotNil(t, r) {
		assert.Equal(t, []types.Address{{CIDR: "10.0.1.1/32"}}, r.Peers, "the AddressGroup part of the Drop")
		assert.Equal(t, []string{"example.com"}, r.FQDNs, "the FQDN part of the Drop")
	}
	assert.Nil(t, h.rec.rule(ruleIDsOf(fqdnOnly)[0]))
	for _, call := range h.rec.callLog() {
		assert.NotContains(t, call.ids, l7IDs[0], "the rule was handed to the Reconciler")
		assert.NotContains(t, call.ids, ruleIDsOf(fqdnOnly)[0], "the rule was handed to the Reconciler")
	}
	assert.Zero(t, h.ctrl.reconcile.limiter.NumRequeues(l7IDs[0]), "a rule that is not enforced is not retried")
}

// TestNotEnforcedK8sRuleIsolates: a K8s NetworkPolicy rule with l7Protocols is
// handed to the Reconciler matching no peer, so its Pods stay isolated (a K8s
// NetworkPolicy isolates whatever its rules allow), and is recorded failed.
func TestNotEnforcedK8sRuleIsolates(t *testing.T) {
	h := newHarness(t, nil)
	h.start()
	rule := ingress(0, 80, "ag1")
	rule.Action, rule.L7Protocols = nil, []v1beta2.L7Protocol{{HTTP: &v1beta2.HTTPProtocol{Method: "GET"}}}
	np := k8sNP("k8s-l7", []string{"atg1"}, rule)
	h.syncAll([]*v1beta2.NetworkPolicy{np}, []*v1beta2.AppliedToGroup{atg("atg1", pod("ns1", "web-1"))},
		[]*v1beta2.AddressGroup{ag("ag1", pod("ns2", "client-1", "10.0.1.1"))})
	id := ruleIDsOf(np)[0]
	eventually(t, func(c *assert.CollectT) {
		if r := h.rec.rule(id); assert.NotNil(c, r) {
			assert.Equal(c, []types.Address{}, r.Peers, "matching no peer")
			assert.Equal(c, []types.Member{{Pod: types.PodRef{Namespace: "ns1", Name: "web-1"}}}, r.Targets, "isolating web-1")
		}
		known, err := h.ctrl.reconcile.result(id)
		assert.True(c, known)
		assert.ErrorContains(c, err, "l7Protocols is not enforced by this Strata version: the K8s NetworkPolicy allow rule is not installed")
	})
	assert.Empty(t, h.reporter.of("k8s-l7"), "K8s NetworkPolicies are not reported")
}

func TestStatusReportRetried(t *testing.T) {
	f := newFixture()
	h := newHarness(t, nil)
	h.reporter.setFail(errors.New("connection refused"))
	h.start()
	h.syncAll(f.policies(), f.atgs, f.ags)
	h.reporter.setFail(nil)
	eventually(t, func(c *assert.CollectT) {
		assert.Equal(c, []v1beta2.NetworkPolicyNodeStatus{realized(1)}, h.reporter.of("p1"))
		assert.Equal(c, []v1beta2.NetworkPolicyNodeStatus{realized(1)}, h.reporter.of("p2"))
	})
}

func TestFailureMessage(t *testing.T) {
	tests := []struct {
		name     string
		failures []string
		want     string
	}{
		{name: "one", failures: []string{"a"}, want: "a"},
		{name: "five", failures: []string{"a", "b", "c", "d", "e"}, want: "a; b; c; d; e"},
		{name: "seven", failures: []string{"a", "b", "c", "d", "e", "f", "g"}, want: "a; b; c; d; e; and 2 more failed rules"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, failureMessage(tc.failures))
		})
	}
}

func TestClientStatusReporter(t *testing.T) {
	client := fake.NewSimpleClientset()
	var got clienttesting.CreateAction
	client.PrependReactor("create", "networkpolicies", func(action clienttesting.Action) (bool, runtime.Object, error) {
		got = action.(clienttesting.CreateAction)
		return true, got.GetObject(), nil
	})
	st := &v1beta2.NetworkPolicyStatus{ObjectMeta: metav1.ObjectMeta{Name: "uid-1"},
		Nodes: []v1beta2.NetworkPolicyNodeStatus{{NodeName: testNode, Generation: 3, RealizationFailure: true, Message: "m"}}}
	require.NoError(t, NewClientStatusReporter(client).ReportStatus(t.Context(), st))
	require.NotNil(t, got)
	assert.Equal(t, "status", got.GetSubresource())
	assert.Equal(t, v1beta2.SchemeGroupVersion.WithResource("networkpolicies"), got.GetResource())
	assert.Equal(t, st, got.GetObject())

	client.PrependReactor("create", "networkpolicies", func(clienttesting.Action) (bool, runtime.Object, error) {
		return true, nil, errors.New("forbidden")
	})
	err := NewClientStatusReporter(client).ReportStatus(t.Context(), st)
	require.EqualError(t, err, "posting the status of NetworkPolicy uid-1: forbidden")
}
