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
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-net/strata/nodeagent/ovs/openflow"
	"github.com/strata-net/strata/nodeagent/proxy"
	"github.com/strata-net/strata/nodeagent/types"
)

// pipelineState is everything a rollback restores, comparable.
type pipelineState struct {
	Desired, Installed, Dirty []string
	Entries                   int
	Rules                     map[types.RuleID]string // OF priority and conjunction ids
	ByPrio                    map[string][]types.RuleID
	Assigners                 []string
	UsedIDs, ToFree           []uint32
	ConjIdx                   map[uint32]types.RuleID
	Pods                      map[types.PodRef]string
	ByIP                      map[string]types.PodRef
	BySvc                     map[string][]types.RuleID
	Frontends                 map[string]uint32
}

func (o *offline) state() pipelineState {
	p, pf := o.p, o.p.policies
	st := pipelineState{
		Desired:   ofctlFormat{cookie: true}.flows(p.flows.all()),
		Installed: ofctlFormat{cookie: true}.flows(p.flows.installedFlows()),
		Entries:   len(p.flows.entries),
		Rules:     map[types.RuleID]string{}, ByPrio: map[string][]types.RuleID{},
		ToFree:  slices.Sorted(slices.Values(pf.toFree)),
		ConjIdx: map[uint32]types.RuleID{},
		Pods:    map[types.PodRef]string{}, ByIP: map[string]types.PodRef{},
		BySvc: map[string][]types.RuleID{}, Frontends: map[string]uint32{},
	}
	for ref, set := range pf.bySvc {
		st.BySvc[ref.String()] = slices.Sorted(maps.Keys(set))
	}
	for k, id := range p.services.ids.ids {
		st.Frontends[fmt.Sprint(k.port, " ", k.ip)] = id
	}
	for _, e := range p.flows.dirty {
		st.Dirty = append(st.Dirty, e.key.String())
	}
	slices.Sort(st.Dirty)
	for id, r := range pf.rules {
		s := fmt.Sprint(r.ofPriority)
		for _, part := range r.parts {
			s += fmt.Sprintf(" conj=%d", part.conjID)
			if part.svcClause > 0 {
				s += fmt.Sprintf(" frontends=%d", len(part.clauses[part.svcClause-1].values))
			}
		}
		st.Rules[id] = s
	}
	for k, set := range pf.byPrio {
		st.ByPrio[fmt.Sprint(k)] = slices.Sorted(maps.Keys(set))
	}
	for dir := range pf.assign {
		for _, a := range pf.assign[dir] {
			if a == nil { // K8s rules have fixed priorities
				continue
			}
			st.Assigners = append(st.Assigners, fmt.Sprint(a.entries))
		}
	}
	// The allocator is compared by the ids in use: an undone allocation
	// frees its id rather than rewinding the counter.
	for id := uint32(1); id <= pf.ids.next; id++ {
		if !slices.Contains(pf.ids.free, id) {
			st.UsedIDs = append(st.UsedIDs, id)
		}
	}
	for id, c := range pf.conjIdx.byID {
		st.ConjIdx[id] = c.rule
	}
	for ref, pod := range p.pods.pods {
		st.Pods[ref] = fmt.Sprint(pod.OFPort, pod.MAC, pod.IPs)
	}
	for ip, ref := range p.pods.byIP {
		st.ByIP[ip.String()] = ref
	}
	return st
}

// compileAll compiles rules with the offline pipeline's interfaces.
func (o *offline) compileAll(rules ...*types.CompletedRule) []*compiledRule {
	o.t.Helper()
	c := newCompiler(o.ifaces, nil)
	out := make([]*compiledRule, len(rules))
	for i, r := range rules {
		cr, err := c.compile(r)
		require.NoError(o.t, err)
		out[i] = cr
	}
	return out
}

// TestRollbackRestoresEverything records a change as update does, rolls it
// back as after a refused bundle, and checks that the desired state and the
// bookkeeping are exactly as before, that nothing is pending, and that the
// change then applies as on a pipeline that never saw it.
func TestRollbackRestoresEverything(t *testing.T) {
	a := rule(acnp("a", 250, 5, 0, in, allow), targets("pod2"), addrs("10.77.0.11/32"), tcp(80))
	b := rule(acnp("b", 250, 5.01, 0, in, drop), targets("pod2"), addrs("10.77.0.11/32"), tcp(81))
	c := rule(acnp("c", 250, 6, 0, out, drop), targets("pod1"), addrs("10.77.0.12/32"), tcp(82))
	k1 := rule(k8snp("k1", in), targets("pod2"), addrs("10.77.0.11/32"), tcp(80))
	pod5 := Pod{Ref: podRef("pod5"), OFPort: 5, MAC: mac("02:00:00:00:00:15"), IPs: ips("10.77.0.15")}
	toWeb := toServices(rule(acnp("to-web", 250, 5, 1, out, drop), targets("pod1"), nil), "web")
	webRef := proxy.ServiceRef{Namespace: "default", Name: "web"}
	webPorts := []proxy.ServicePort{goldenServicePort("web", proxy.TCP, 80, "10.77.0.12:8080"),
		goldenServicePort("web", proxy.UDP, 53, "10.77.0.12:53")}
	webPorts[1].Key.PortName = "dns"
	tests := []struct {
		name string
		// history is applied (and installed) first.
		history func(o *offline)
		change  func(o *offline) error
	}{
		{
			name:    "new rules",
			history: func(o *offline) { o.reconcile(a) },
			change: func(o *offline) error {
				return o.p.policies.replace(o.compileAll(b, c))
			},
		},
		{
			name:    "new version of an installed rule",
			history: func(o *offline) { o.reconcile(a, b) },
			change: func(o *offline) error {
				a2 := rule(acnp("a", 250, 5, 0, in, allow), targets("pod2", "pod3"), addrs("10.77.0.11/32", "10.77.0.14/32"), tcp(80))
				return o.p.policies.replace(o.compileAll(a2))
			},
		},
		{
			name:    "neighbours moved to make room",
			history: func(o *offline) { o.reconcile(a, b) },
			change: func(o *offline) error {
				mid := rule(acnp("mid", 250, 5.005, 0, in, drop), targets("pod4"), addrs("10.77.0.12/32"), tcp(82))
				return o.p.policies.replace(o.compileAll(mid))
			},
		},
		{
			name:    "forget",
			history: func(o *offline) { o.reconcile(a, b, k1) },
			change:  func(o *offline) error { o.p.policies.forget([]types.RuleID{"a", "k1"}); return nil },
		},
		{
			name: "conjunction ids freed by the previous call",
			history: func(o *offline) {
				o.reconcile(a, b, c)
				o.forget("a", "b")
			},
			change: func(o *offline) error {
				return o.p.policies.replace(o.compileAll(k1, rule(acnp("d", 250, 7, 0, in, drop), targets("pod2"), nil, tcp(90))))
			},
		},
		{
			name:    "shared K8s match flows and isolation",
			history: func(o *offline) { o.reconcile(k1) },
			change: func(o *offline) error {
				o.p.policies.forget([]types.RuleID{"k1"})
				return o.p.policies.replace(o.compileAll(logged(rule(k8snp("k2", in), targets("pod2"), addrs("10.77.0.11/32"), tcp(81)))))
			},
		},
		{
			name: "pods",
			history: func(o *offline) {
				o.p.pods.setPod(Pod{Ref: podRef("pod1"), OFPort: 1, MAC: mac("02:00:00:00:00:11"), IPs: ips("10.77.0.11")})
				o.sync()
			},
			change: func(o *offline) error {
				o.p.pods.setPod(pod5)
				o.p.pods.setPod(Pod{Ref: podRef("pod1"), OFPort: 7, MAC: mac("02:00:00:00:00:11"), IPs: ips("10.77.0.17")})
				return nil
			},
		},
		{
			name:    "a Service named by a toServices rule appears",
			history: func(o *offline) { o.reconcile(toWeb) },
			change:  func(o *offline) error { o.p.services.replace(webRef, webPorts); return nil },
		},
		{
			name: "a Service named by a toServices rule gains a port",
			history: func(o *offline) {
				o.p.services.replace(webRef, webPorts[:1])
				o.reconcile(toWeb)
			},
			change: func(o *offline) error { o.p.services.replace(webRef, webPorts); return nil },
		},
		{
			name: "a Service named by a toServices rule is deleted",
			history: func(o *offline) {
				o.p.services.replace(webRef, webPorts)
				o.reconcile(toWeb)
			},
			change: func(o *offline) error { o.p.services.replace(webRef, nil); return nil },
		},
		{
			name: "a toServices rule forgotten",
			history: func(o *offline) {
				o.p.services.replace(webRef, webPorts)
				o.reconcile(toWeb, a)
			},
			change: func(o *offline) error { o.p.policies.forget([]types.RuleID{"to-web"}); return nil },
		},
		{
			name:    "a change that fails half way",
			history: func(o *offline) { o.reconcile(a) },
			change: func(o *offline) error {
				if err := o.p.policies.replace(o.compileAll(b)); err != nil {
					return err
				}
				return errors.New("conjunction ids exhausted")
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, twin := newOffline(t), newOffline(t)
			tc.history(o)
			tc.history(twin)
			before := o.state()

			log := o.p.begin()
			_ = tc.change(o)
			o.p.end()
			require.NotEqual(t, before, o.state(), "the change changes something")
			o.p.rollback(log)
			assert.Equal(t, before, o.state())
			mods, _ := o.p.flows.diff()
			assert.Empty(t, mods, "nothing is pending after the rollback")

			_ = tc.change(o)
			_ = tc.change(twin)
			assert.Equal(t, twin.state(), o.state(), "the change applies as if it had never been rolled back")
			assert.Equal(t, twin.sync(), o.sync())
		})
	}
}

// TestRollbackOfStackedChanges rolls back a change on top of an unconfirmed
// one (its install broke off), then that one too, as a refused replay does.
func TestRollbackOfStackedChanges(t *testing.T) {
	o := newOffline(t)
	a := rule(acnp("a", 250, 5, 0, in, allow), targets("pod2"), addrs("10.77.0.11/32"), tcp(80))
	o.reconcile(a)
	installed := o.state()

	first := o.p.begin()
	a2 := rule(acnp("a", 250, 5, 0, in, allow), targets("pod2"), addrs("10.77.0.11/32", "10.77.0.12/32"), tcp(80))
	require.NoError(t, o.p.policies.replace(o.compileAll(a2, rule(acnp("b", 250, 5, 1, in, drop), targets("pod2"), nil, tcp(81)))))
	o.p.end()
	unconfirmed := o.state()

	second := o.p.begin()
	o.p.policies.forget([]types.RuleID{"a"})
	require.NoError(t, o.p.policies.replace(o.compileAll(rule(acnp("c", 250, 5, 2, in, drop), targets("pod2"), nil, tcp(82)))))
	o.p.end()

	o.p.rollback(second)
	assert.Equal(t, unconfirmed, o.state(), "the unconfirmed change stays pending")
	o.p.rollback(first)
	assert.Equal(t, installed, o.state())
	mods, _ := o.p.flows.diff()
	assert.Empty(t, mods)
}

// TestRefusalNamesTheOwners checks the error of a refused bundle: the rules
// and Pods of the flows OVS named, and OVS's error.
func TestRefusalNamesTheOwners(t *testing.T) {
	o := newOffline(t)
	big := rule(acnp("big", 250, 5, 0, in, drop), targets("pod2"), addrs("10.77.0.11/32"), tcp(80))
	k1 := rule(k8snp("k1", in), targets("pod2"), addrs("10.77.0.11/32"), tcp(80))
	o.reconcile(big, k1)
	o.p.pods.setPod(Pod{Ref: podRef("pod1"), OFPort: 1, MAC: mac("02:00:00:00:00:11"), IPs: ips("10.77.0.11")})
	o.sync()
	flowOf := func(prefix string) openflow.FlowMod {
		for _, f := range o.p.flows.all() {
			if strings.HasPrefix(ofctlFormat{}.flow(f), prefix) {
				return openflow.AddFlow(f)
			}
		}
		t.Fatalf("no flow %q", prefix)
		return openflow.FlowMod{}
	}
	tableFull := openflow.ErrorMsg{Type: 5, Code: 1}
	tests := []struct {
		name string
		mod  openflow.FlowMod
		want string
	}{
		{name: "match flow", mod: flowOf("table=AntreaPolicyIngressRule, priority=14500,tcp"),
			want: `Open vSwitch refused the flows of rule big "rule-big" of AntreaClusterNetworkPolicy:acnp-big: ` +
				`OFPFMFC_TABLE_FULL (flow not added because of full table(s)), for ADD table=` +
				fmt.Sprint(AntreaPolicyIngressRule) + `,priority=14500,`},
		{name: "action flow", mod: flowOf("table=AntreaPolicyIngressRule, priority=14500,conj_id"),
			want: `the flows of rule big "rule-big" of AntreaClusterNetworkPolicy:acnp-big: OFPFMFC_TABLE_FULL`},
		{name: "isolation drop", mod: flowOf("table=IngressDefaultRule, priority=200,reg1=0x2"),
			want: `the flows of rule k1 of K8sNetworkPolicy:default/np-k1: `},
		{name: "pod flow", mod: flowOf("table=Classifier, priority=190,in_port=1"),
			want: `the flows of Pod default/pod1: `},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bundleErr := &openflow.BatchError{
				Errors: []*openflow.RequestError{{Xid: 9, Index: 3, Msg: tc.mod, Err: tableFull}},
				Commit: &openflow.RequestError{Index: -1, Err: openflow.ErrorMsg{Type: 17, Code: 13}},
			}
			err := fmt.Errorf("installing 4 flow changes: %w", bundleErr)
			require.True(t, ovsRefused(err))
			refused := o.p.refusal(err)
			assert.Contains(t, refused.Error(), tc.want)
			assert.ErrorIs(t, refused, tableFull)
		})
	}
	assert.False(t, ovsRefused(fmt.Errorf("installing: %w", errors.New("use of closed network connection"))),
		"a broken connection is no refusal")
}
