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

package pipeline

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-net/strata/nodeagent/ovs/openflow"
	"github.com/strata-net/strata/nodeagent/types"
)

// TestAuditRulesNeverDecide: whatever its action (and its tier, baseline
// included), an audit rule's flows are all in the audit table of its
// direction, none commits, drops, sets the deny bit or jumps past the
// enforcing tables, and its action flow goes through the audit group, which
// continues in the policy table.
func TestAuditRulesNeverDecide(t *testing.T) {
	cases := []struct {
		name  string
		rule  *types.CompletedRule
		table uint8
		group uint32
	}{
		{"ingress drop", rule(acnp("a", 250, 5, 0, in, drop), targets("pod2"), addrs("10.77.0.11/32"), tcp(80)), AuditIngressRule, groupIngressAudit},
		{"ingress reject", rule(acnp("a", 250, 5, 0, in, reject), targets("pod2"), nil), AuditIngressRule, groupIngressAudit},
		{"egress allow", rule(acnp("a", 100, 1, 0, out, allow), targets("pod1"), addrs("10.77.0.12/32")), AuditEgressRule, groupEgressAudit},
		{"egress pass", rule(acnp("a", 100, 1, 0, out, pass), targets("pod1"), nil, tcp(53)), AuditEgressRule, groupEgressAudit},
		{"baseline drop", rule(acnp("a", 253, 1, 0, in, drop), targets("pod2"), nil), AuditIngressRule, groupIngressAudit},
		{"logged drop", logged(rule(acnp("a", 250, 5, 0, out, drop), targets("pod1"), nil)), AuditEgressRule, groupEgressAudit},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			flows := computeFlows(t, goldenPods(), audited(tc.rule))
			require.NotEmpty(t, flows)
			actionFlows := 0
			for _, f := range flows {
				assert.Equal(t, tc.table, f.Table, "every flow in the audit table: %s", ofctlFormat{}.flow(f))
				text := ofctlFormat{}.flow(f)
				for _, forbidden := range []string{"ct(", "drop", "0x400/0x400", "goto_table", "controller"} {
					assert.NotContains(t, text, forbidden, "an audit rule never decides")
				}
				if _, ok := f.Match.Get(openflow.FieldConjID); ok {
					actionFlows++
					assert.Contains(t, text, "group:"+strconv.Itoa(int(tc.group)))
				}
			}
			assert.Equal(t, 1, actionFlows)
		})
	}
	for _, g := range auditGroups() {
		require.Len(t, g.Buckets, 2)
		d := directions[ingress]
		if g.GroupID == groupEgressAudit {
			d = directions[egress]
		}
		assert.Equal(t, []openflow.Action{openflow.ResubmitTable(d.policy)}, g.Buckets[0].Actions,
			"bucket 0 goes on in the enforcing tables, untouched")
		assert.Contains(t, g.Buckets[1].Actions, openflow.Action(PacketInOperationField.Load(PacketInOpAudit)))
	}
}

// TestAuditSwitchReplacesOnlyItsRules: switching a policy from audit to
// enforce (its rules get new IDs: the agent forgets the audited ones and
// reconciles the enforced ones) changes the flows of that policy only; the
// flows of the other rules, base flows included, and their cookies are
// untouched, and the enforced rule lands in the policy tables.
func TestAuditSwitchReplacesOnlyItsRules(t *testing.T) {
	o := newOffline(t)
	other := rule(acnp("b", 250, 5, 1, in, allow), targets("pod2"), addrs("10.77.0.11/32"), tcp(81))
	k8s := rule(k8snp("k", in), targets("pod4"), addrs("10.77.0.11/32"), tcp(82))
	auditA := audited(rule(acnp("a-audit", 250, 5, 0, in, drop), targets("pod2"), addrs("10.77.0.11/32"), tcp(80)))
	o.reconcile(other, k8s, auditA)
	before := o.p.flows.installedFlows()

	mods := o.forget("a-audit")
	mods = append(mods, o.reconcile(rule(acnp("a", 250, 5, 0, in, drop), targets("pod2"), addrs("10.77.0.11/32"), tcp(80)))...)
	after := o.p.flows.installedFlows()
	var aCookies, aConjs []string
	for _, part := range o.p.policies.rules["a"].parts {
		aCookies = append(aCookies, strconv.FormatUint(o.p.build.policyCookie(part.conjID), 16))
		aConjs = append(aConjs, "conjunction("+strconv.Itoa(int(part.conjID))+",")
	}
	// ownedByA: the rule's action and metric flows carry its cookie, its
	// (shared) match flows name its conjunction.
	ownedByA := func(f openflow.Flow) bool {
		text := ofctlFormat{}.flow(f)
		return slices.Contains(aCookies, strconv.FormatUint(f.Cookie, 16)) ||
			slices.ContainsFunc(aConjs, func(c string) bool { return strings.Contains(text, c) })
	}
	removed, added := 0, 0
	for _, f := range before {
		if !containsFlow(after, f) {
			removed++
			assert.Equal(t, AuditIngressRule, f.Table, "only the audited rule's flows go: %s", ofctlFormat{}.flow(f))
			assert.NotContains(t, []uint16{bypassPriority, missPriority}, f.Priority)
		}
	}
	for _, f := range after {
		if !containsFlow(before, f) {
			added++
			assert.True(t, ownedByA(f), "only the enforced rule's flows come: %s", ofctlFormat{}.flow(f))
			assert.NotEqual(t, AuditIngressRule, f.Table)
		}
	}
	assert.Positive(t, removed)
	assert.Positive(t, added)
	assert.Len(t, mods, removed+added, "one mod per changed flow, none for the others: %v", mods)
	flows := o.policyFlows()
	assert.True(t, slices.ContainsFunc(flows, func(s string) bool {
		return strings.HasPrefix(s, "table=AntreaPolicyIngressRule, priority=14500,conj_id=") && strings.Contains(s, "0x400/0x400")
	}), "the enforced drop is in the policy table: %v", flows)
	assert.False(t, slices.ContainsFunc(flows, func(s string) bool { return strings.HasPrefix(s, "table=AuditIngressRule") }))
}

// TestAuditRuleKind: the pipeline puts audit rules of every tier in the
// audit kind, K8s rules never.
func TestAuditRuleKind(t *testing.T) {
	cases := []struct {
		name string
		rule *types.CompletedRule
		want ruleKind
	}{
		{"tiered audit", audited(acnp("a", 250, 5, 0, in, drop)), kindAudit},
		{"baseline audit", audited(acnp("a", 253, 5, 0, in, drop)), kindAudit},
		{"tiered enforced", acnp("a", 250, 5, 0, in, drop), kindPolicy},
		{"k8s (never audited)", audited(k8snp("k", in)), kindK8s},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cr, err := ruleShape(tc.rule)
			require.NoError(t, err)
			assert.Equal(t, tc.want, cr.kind)
		})
	}
}

// containsFlow tells whether flows hold f with the same cookie, match and
// actions.
func containsFlow(flows []openflow.Flow, f openflow.Flow) bool {
	id := func(f openflow.Flow) string { return strconv.FormatUint(f.Cookie, 16) + " " + ofctlFormat{}.flow(f) }
	want := id(f)
	return slices.ContainsFunc(flows, func(g openflow.Flow) bool { return id(g) == want })
}
