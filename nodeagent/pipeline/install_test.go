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
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-net/strata/nodeagent/ovs/openflow"
	"github.com/strata-net/strata/nodeagent/types"
)

// offline is a pipeline without a switch: changes are applied to the
// desired state and their diff is read as if it had been installed.
type offline struct {
	t      *testing.T
	p      *Pipeline
	ifaces fakeInterfaces
}

func newOffline(t *testing.T) *offline {
	ifaces := goldenPods()
	p, err := New(Config{Switch: noSwitch{}, Interfaces: ifaces})
	require.NoError(t, err)
	o := &offline{t: t, p: p, ifaces: ifaces}
	o.sync() // the static flows
	return o
}

// reconcile compiles and replaces rules and returns the flow mods sent.
func (o *offline) reconcile(rules ...*types.CompletedRule) []string {
	o.t.Helper()
	c := newCompiler(o.ifaces, nil)
	var compiled []*compiledRule
	for _, r := range rules {
		cr, err := c.compile(r)
		require.NoError(o.t, err)
		compiled = append(compiled, cr)
	}
	require.NoError(o.t, o.p.policies.replace(compiled))
	return o.sync()
}

func (o *offline) forget(ids ...types.RuleID) []string {
	o.p.policies.forget(ids)
	return o.sync()
}

// sync diffs and records the diff as installed; it returns the mods as
// "<COMMAND> <flow>" lines, sorted.
func (o *offline) sync() []string {
	mods, changes := o.p.flows.diff()
	o.p.flows.applied(changes)
	out := make([]string, len(mods))
	for i, m := range mods {
		out[i] = m.Command.String() + " " + ofctlFormat{}.flow(m.Flow)
		if m.Command == openflow.FlowDeleteStrict {
			out[i] = m.Command.String() + " " + m.Flow.Key().String()
		}
	}
	sort.Strings(out)
	return out
}

// policyFlows are the installed policy flows, formatted.
func (o *offline) policyFlows() []string {
	var fs []openflow.Flow
	for _, f := range o.p.flows.installedFlows() {
		if uint8((f.Cookie&categoryMask)>>categoryShift) == categoryPolicy {
			fs = append(fs, f)
		}
	}
	return ofctlFormat{}.flows(fs)
}

func countPrefix(lines []string, prefix string) int {
	n := 0
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			n++
		}
	}
	return n
}

func TestReconcileIsIncremental(t *testing.T) {
	o := newOffline(t)
	a := rule(acnp("a", 250, 5, 0, in, allow), targets("pod2"), addrs("10.77.0.11/32"), tcp(80))
	b := rule(acnp("b", 250, 5, 1, in, drop), targets("pod2"), addrs("10.77.0.11/32"), tcp(81))
	mods := o.reconcile(a, b)
	assert.Equal(t, 11, countPrefix(mods, "ADD"), "%v", mods)
	assert.Empty(t, o.reconcile(a, b), "reconciling the same rules sends nothing")

	// A new peer adds one match flow.
	a2 := rule(acnp("a", 250, 5, 0, in, allow), targets("pod2"), addrs("10.77.0.11/32", "10.77.0.13/32"), tcp(80))
	assert.Equal(t, []string{"ADD table=AntreaPolicyIngressRule, priority=14500,ip,nw_src=10.77.0.13 actions=conjunction(1,1/3)"},
		o.reconcile(a2))

	// Forgetting b deletes its flows only.
	mods = o.forget("b")
	assert.Equal(t, 5, countPrefix(mods, "DEL_STRICT"), "%v", mods)
	assert.Len(t, mods, 5)
	o.forget("a")
	assert.Empty(t, o.policyFlows())
}

func TestSharedMatchFlowsAreUpdated(t *testing.T) {
	o := newOffline(t)
	k1 := rule(k8snp("k1", in), targets("pod2"), addrs("10.77.0.11/32"), tcp(80))
	k2 := rule(k8snp("k2", in), targets("pod2"), addrs("10.77.0.11/32"), tcp(81))
	o.reconcile(k1, k2)
	assert.Contains(t, o.policyFlows(),
		"table=IngressRule, priority=200,ip,nw_src=10.77.0.11 actions=conjunction(1,1/3),conjunction(2,1/3)")
	mods := o.forget("k1")
	assert.Contains(t, mods,
		"MOD_STRICT table=IngressRule, priority=200,ip,nw_src=10.77.0.11 actions=conjunction(2,1/3)")
	assert.Contains(t, o.policyFlows(), "table=IngressDefaultRule, priority=200,reg1=0x2 actions=drop",
		"the isolation stays while a K8s rule selects the Pod")
	o.forget("k2")
	assert.Empty(t, o.policyFlows())
}

func TestIsolationLoggingFollowsItsRules(t *testing.T) {
	o := newOffline(t)
	plain := rule(k8snp("plain", in), targets("pod2"), nil, tcp(80))
	log := logged(rule(k8snp("log", in), targets("pod2"), nil, tcp(81)))
	o.reconcile(plain, log)
	assert.Contains(t, o.policyFlows(), "table=IngressDefaultRule, priority=200,reg1=0x2 actions="+
		"set_field:0x800/0x1800->reg0,set_field:0x400000/0x600000->reg0,set_field:0x2000000/0xfe000000->reg0,"+
		fmt.Sprintf("set_field:%#x/0xff->reg2,goto_table:Output", IngressDefaultRule))
	mods := o.forget("log")
	assert.Contains(t, mods, "MOD_STRICT table=IngressDefaultRule, priority=200,reg1=0x2 actions=drop")
}

func TestPriorityMovesReinstallNeighbours(t *testing.T) {
	o := newOffline(t)
	// 14500 and 14499: adjacent, no room between them.
	a := rule(acnp("a", 250, 5, 0, in, allow), targets("pod2"), addrs("10.77.0.11/32"), tcp(80))
	b := rule(acnp("b", 250, 5.01, 0, in, drop), targets("pod2"), addrs("10.77.0.11/32"), tcp(81))
	o.reconcile(a, b)
	mid := rule(acnp("mid", 250, 5.005, 0, in, drop), targets("pod4"), addrs("10.77.0.12/32"), tcp(82))
	mods := o.reconcile(mid)
	// a moves from 14500 up: its four conjunctive flows go, come back at the new priority.
	assert.Equal(t, 4, countPrefix(mods, fmt.Sprintf("DEL_STRICT table=%d,priority=14500,", AntreaPolicyIngressRule)), "%v", mods)
	for _, f := range o.policyFlows() {
		assert.NotContains(t, f, "priority=14500,", "nothing is left at a's old priority")
	}
	prios := map[types.RuleID]uint16{}
	for id, r := range o.p.policies.rules {
		prios[id] = r.ofPriority
	}
	assert.Greater(t, prios["a"], prios["mid"])
	assert.Greater(t, prios["mid"], prios["b"])
	assert.Equal(t, uint16(14499), prios["b"], "b keeps its priority")
}

func TestUnknownTargetsAreInstalledLater(t *testing.T) {
	o := newOffline(t)
	delete(o.ifaces, podRef("pod2"))
	r := rule(acnp("a", 250, 5, 0, in, allow), targets("pod2", "pod4"), addrs("10.77.0.11/32"), tcp(80))
	o.reconcile(r)
	assert.Contains(t, o.policyFlows(), "table=AntreaPolicyIngressRule, priority=14500,reg1=0x4 actions=conjunction(1,2/3)")
	assert.NotContains(t, o.policyFlows(), "table=AntreaPolicyIngressRule, priority=14500,reg1=0x2 actions=conjunction(1,2/3)")
	o.ifaces[podRef("pod2")] = goldenPods()[podRef("pod2")]
	assert.Equal(t, []string{"ADD table=AntreaPolicyIngressRule, priority=14500,reg1=0x2 actions=conjunction(1,2/3)"},
		o.reconcile(r), "re-reconciling picks up the new Pod")
}

func TestConjIDsAreReused(t *testing.T) {
	o := newOffline(t)
	var rules []*types.CompletedRule
	for i, id := range []string{"a", "b", "c"} {
		rules = append(rules, rule(acnp(id, 250, 5, int32(i), in, drop), targets("pod2"), nil, tcp(int32(80+i))))
	}
	o.reconcile(rules...)
	o.forget("a", "b")
	d := rule(acnp("d", 250, 6, 0, in, drop), targets("pod2"), nil, tcp(90))
	o.reconcile(d)
	assert.Equal(t, uint32(1), o.p.policies.rules["d"].parts[0].conjID, "the smallest free id")
	info, ok := o.p.policies.RuleByConjID(1)
	require.True(t, ok)
	assert.Equal(t, "rule-d", info.RuleName)
	_, ok = o.p.policies.RuleByConjID(2)
	assert.False(t, ok)
}

func TestFailedInstallStaysPending(t *testing.T) {
	o := newOffline(t)
	r := rule(acnp("a", 250, 5, 0, in, drop), targets("pod2"), nil, tcp(80))
	c := newCompiler(o.ifaces, nil)
	cr, err := c.compile(r)
	require.NoError(t, err)
	require.NoError(t, o.p.policies.replace([]*compiledRule{cr}))
	mods, _ := o.p.flows.diff() // "sent" but not applied: the bundle failed
	require.NotEmpty(t, mods)
	assert.Len(t, o.reconcile(r), len(mods), "the next call sends what failed")
}

func TestCookies(t *testing.T) {
	p, err := New(Config{Switch: noSwitch{}, Interfaces: goldenPods(), Round: 7})
	require.NoError(t, err)
	c := newCompiler(goldenPods(), nil)
	cr, err := c.compile(rule(acnp("a", 250, 5, 0, in, drop), targets("pod2"), nil, tcp(80)))
	require.NoError(t, err)
	require.NoError(t, p.policies.replace([]*compiledRule{cr}))
	p.pods.setPod(Pod{Ref: podRef("pod1"), OFPort: 1, MAC: mac("02:00:00:00:00:11"), IPs: ips("10.77.0.11")})
	seen := map[uint64]bool{}
	for _, f := range p.flows.all() {
		assert.Equal(t, uint64(7), f.Cookie>>48, "round of %v", f)
		seen[f.Cookie&^RoundMask] = true
	}
	assert.True(t, seen[0], "static flows: category 0")
	assert.True(t, seen[1<<40|1], "pod flows: category 1, the ofport")
	assert.True(t, seen[2<<40], "shared match flows: category 2")
	assert.True(t, seen[2<<40|1], "action and metric flows: category 2, the conjunction id")
}

func TestRuleErrors(t *testing.T) {
	c := newCompiler(goldenPods(), nil)
	tests := []struct {
		name string
		r    *types.CompletedRule
		want string
	}{
		{name: "Pass in baseline", r: acnp("a", 253, 1, 0, in, pass), want: "Pass is only valid"},
		{name: "bad CIDR", r: rule(acnp("a", 250, 1, 0, in, drop), nil, addrs("10.0.0.300/32")), want: "invalid peer CIDR"},
		{name: "bad direction", r: &types.CompletedRule{ID: "x", Direction: "Sideways"}, want: "unknown direction"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.compile(tc.r)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}
