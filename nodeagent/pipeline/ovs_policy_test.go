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
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/nodeagent/ovs/openflow"
	"github.com/strata-net/strata/nodeagent/types"
)

func targets(names ...string) []types.Member {
	out := make([]types.Member, len(names))
	for i, n := range names {
		out[i] = member(n)
	}
	return out
}

func (n *testNode) peer(pods ...string) []types.Address {
	out := make([]types.Address, len(pods))
	for i, p := range pods {
		out[i] = types.Address{CIDR: n.ip(p) + "/32"}
	}
	return out
}

// TestOVSPolicies runs real TCP between namespace pods through the pipeline
// in a private OVS (userspace datapath). Each subtest uses its own ports and
// forgets its rules.
func TestOVSPolicies(t *testing.T) {
	n := startNode(t, 3)
	t.Run("base pipeline forwards", func(t *testing.T) {
		n.t = t
		n.expectConnect("pod1", "pod2", 1000)
		n.expectConnect("pod2", "pod3", 1000)
		n.requireInstalled()
	})
	t.Run("ACNP Allow connects, Drop times out", func(t *testing.T) {
		n.t = t
		ruleAllow := rule(acnp("allow", 250, 5, 0, in, allow), targets("pod2"), n.peer("pod1"), tcp(8080))
		ruleDrop := rule(acnp("drop", 250, 5, 1, in, drop), targets("pod2"), n.peer("pod1"), tcp(9090))
		n.reconcile(ruleAllow, ruleDrop)
		defer n.forget(ruleAllow, ruleDrop)
		n.expectConnect("pod1", "pod2", 8080)
		n.expectBlocked("pod1", "pod2", 9090)
		n.expectConnect("pod3", "pod2", 9090) // peer is pod1 only
		n.requireInstalled()
	})
	t.Run("established connection survives a change to Drop", func(t *testing.T) {
		n.t = t
		r := rule(acnp("est", 250, 5, 0, in, allow), targets("pod2"), n.peer("pod1"), tcp(8081))
		n.reconcile(r)
		c, err := n.dial("pod1", "pod2", 8081, allowTimeout)
		require.NoError(t, err)
		defer c.Close()
		require.NoError(t, echo(c, allowTimeout))
		n.forget(r)
		d := rule(acnp("est-drop", 250, 5, 0, in, drop), targets("pod2"), n.peer("pod1"), tcp(8081))
		n.reconcile(d)
		defer n.forget(d)
		require.NoError(t, echo(c, allowTimeout), "the established connection keeps working")
		n.expectBlocked("pod1", "pod2", 8081)
		require.NoError(t, echo(c, allowTimeout))
	})
	t.Run("K8s NetworkPolicy allow list with implicit deny", func(t *testing.T) {
		n.t = t
		k := rule(k8snp("k8s", in), targets("pod2"), nil, tcp(5050))
		n.reconcile(k)
		defer n.forget(k)
		n.expectConnect("pod1", "pod2", 5050)
		n.expectBlocked("pod1", "pod2", 4040)
		n.expectConnect("pod2", "pod1", 4040) // pod1 is not isolated; pod2's egress is not
	})
	t.Run("securityops Allow overrides K8s isolation", func(t *testing.T) {
		n.t = t
		k := rule(k8snp("k8s", in), targets("pod2"), nil, tcp(5050))
		sec := rule(acnp("sec", 100, 1, 0, in, allow), targets("pod2"), n.peer("pod1"), tcp(4041))
		n.reconcile(k, sec)
		defer n.forget(k, sec)
		n.expectConnect("pod1", "pod2", 4041)
		n.expectBlocked("pod3", "pod2", 4041)
	})
	t.Run("Pass in a higher tier, then Drop in baseline", func(t *testing.T) {
		n.t = t
		p := rule(acnp("pass", 100, 1, 0, in, pass), targets("pod1"), nil, tcp(3030), tcp(3031))
		appDrop := rule(acnp("app-drop", 250, 1, 0, in, drop), targets("pod1"), nil, tcp(3030), tcp(3031))
		base := rule(acnp("base-drop", 253, 1, 0, in, drop), targets("pod1"), nil, tcp(3030))
		n.reconcile(p, appDrop, base)
		defer n.forget(p, appDrop, base)
		n.expectBlocked("pod2", "pod1", 3030) // Pass skips the application Drop; baseline drops
		n.expectConnect("pod2", "pod1", 3031) // Pass skips the application Drop; nothing else
	})
	t.Run("baseline Drop only applies to Pods without K8s isolation", func(t *testing.T) {
		n.t = t
		k := rule(k8snp("k8s", in), targets("pod2"), nil, tcp(6000))
		base := rule(acnp("base", 253, 1, 0, in, drop), targets("pod2", "pod3"), nil, tcp(6000))
		n.reconcile(k, base)
		defer n.forget(k, base)
		n.expectConnect("pod1", "pod2", 6000) // K8s allow decides before baseline
		n.expectBlocked("pod1", "pod3", 6000) // not isolated: baseline applies
	})
	t.Run("egress rules", func(t *testing.T) {
		n.t = t
		d := rule(acnp("egress-drop", 250, 5, 0, out, drop), targets("pod1"), n.peer("pod2"), tcp(2020))
		a := rule(acnp("egress-allow", 250, 5, 1, out, allow), targets("pod1"), n.peer("pod2"), tcp(2021))
		n.reconcile(d, a)
		n.expectBlocked("pod1", "pod2", 2020)
		n.expectConnect("pod1", "pod2", 2021)
		n.expectConnect("pod3", "pod2", 2020)
		n.forget(d, a)
		k := rule(k8snp("k8s-egress", out), targets("pod1"), n.peer("pod3"))
		n.reconcile(k)
		defer n.forget(k)
		n.expectConnect("pod1", "pod3", 2022)
		n.expectBlocked("pod1", "pod2", 2022) // egress isolation of pod1
		n.expectConnect("pod2", "pod1", 2022) // replies to an ingress connection are not egress-checked
	})
	t.Run("ipBlock with except", func(t *testing.T) {
		n.t = t
		block := addrs(exceptCIDRs(t, "10.77.0.0/24", "10.77.0.11/32")...)
		r := rule(acnp("ipblock", 250, 5, 0, in, drop), targets("pod3"), block, tcp(7000))
		n.reconcile(r)
		defer n.forget(r)
		n.expectConnect("pod1", "pod3", 7000) // in except
		n.expectBlocked("pod2", "pod3", 7000)
	})
	t.Run("port range", func(t *testing.T) {
		n.t = t
		svc := tcp(7100)
		svc.EndPort = ptr[int32](7199)
		r := rule(acnp("range", 250, 5, 0, in, drop), targets("pod3"), nil, svc)
		n.reconcile(r)
		defer n.forget(r)
		n.expectBlocked("pod1", "pod3", 7100)
		n.expectBlocked("pod1", "pod3", 7150)
		n.expectBlocked("pod1", "pod3", 7199)
		n.expectConnect("pod1", "pod3", 7200)
		n.expectConnect("pod1", "pod3", 7099)
	})
	t.Run("named port", func(t *testing.T) {
		n.t = t
		r := rule(acnp("named", 250, 5, 0, in, drop),
			[]types.Member{member("pod2", v1beta2.NamedPort{Name: "web", Port: 7300}), member("pod3", v1beta2.NamedPort{Name: "web", Port: 7301})},
			nil, named(v1beta2.ProtocolTCP, "web"))
		n.reconcile(r)
		defer n.forget(r)
		n.expectBlocked("pod1", "pod2", 7300)
		n.expectConnect("pod1", "pod2", 7301)
		n.expectBlocked("pod1", "pod3", 7301)
		n.expectConnect("pod1", "pod3", 7300)
	})
	t.Run("rule stats", func(t *testing.T) {
		n.t = t
		a := rule(acnp("stats-allow", 250, 5, 0, in, allow), targets("pod2"), n.peer("pod1"), tcp(8180))
		d := rule(acnp("stats-drop", 250, 5, 1, in, drop), targets("pod2"), n.peer("pod1"), tcp(8181))
		n.reconcile(a, d)
		defer n.forget(a, d)
		n.expectConnect("pod1", "pod2", 8180)
		n.expectConnect("pod1", "pod2", 8180)
		n.expectBlocked("pod1", "pod2", 8181)
		stats, err := n.agent.pl.Policies().RuleStats(n.ctx)
		require.NoError(t, err)
		assert.Equal(t, uint64(2), stats[a.ID].Sessions)
		assert.Greater(t, stats[a.ID].Packets, uint64(6)) // handshake, data, close, both ways
		assert.Positive(t, stats[a.ID].Bytes)
		assert.GreaterOrEqual(t, stats[d.ID].Sessions, uint64(1)) // SYN and retransmits
		assert.Equal(t, stats[d.ID].Sessions, stats[d.ID].Packets)
		counters, err := n.agent.pl.Policies().RuleCounters(n.ctx)
		require.NoError(t, err)
		assert.Equal(t, a.Policy, counters[a.ID].Policy)
		assert.Equal(t, stats[a.ID], counters[a.ID].RuleMetric)
		assert.Equal(t, in, counters[d.ID].Direction)
		assert.Equal(t, int32(1), counters[d.ID].RuleIndex)
		perTable := n.agent.pl.FlowsPerTable()
		assert.GreaterOrEqual(t, perTable["IngressMetric"], 2) // a metric flow per rule at least
		assert.Positive(t, perTable["AntreaPolicyIngressRule"])
	})
	t.Run("table names", func(t *testing.T) {
		n.t = t
		out, err := n.ovs.OFCtl("-O", "OpenFlow15", "--names", "dump-flows", n.br, "table=AntreaPolicyIngressRule")
		require.NoError(t, err, out)
		assert.Contains(t, out, "table=AntreaPolicyIngressRule")
		assert.Contains(t, out, "goto_table:IngressMetric")
	})
	n.t = t
	n.requireInstalled()
	// Only the static and Pod flows are left once every rule is forgotten.
	for _, fs := range n.dumpFlows(openflow.FlowDescRequest{Table: openflow.TableAll}) {
		require.NotEqual(t, uint64(categoryPolicy), (fs.Cookie&categoryMask)>>categoryShift, "left over: %v", fs.Flow)
	}
}

// exceptCIDRs returns cidr minus the except networks, as CIDRs (what the
// agent's policy package hands over for an ipBlock).
func exceptCIDRs(t *testing.T, cidr string, except ...string) []string {
	t.Helper()
	var excl []netip.Prefix
	for _, e := range except {
		excl = append(excl, netip.MustParsePrefix(e))
	}
	var out []string
	var split func(p netip.Prefix)
	split = func(p netip.Prefix) {
		for _, e := range excl {
			if e.Bits() <= p.Bits() && e.Contains(p.Addr()) {
				return // fully excluded
			}
		}
		for _, e := range excl {
			if p.Contains(e.Addr()) { // partly excluded: halve
				lo := netip.PrefixFrom(p.Addr(), p.Bits()+1)
				hiAddr := p.Addr().As4()
				bit := p.Bits()
				hiAddr[bit/8] |= 0x80 >> (bit % 8)
				split(lo)
				split(netip.PrefixFrom(netip.AddrFrom4(hiAddr), p.Bits()+1))
				return
			}
		}
		out = append(out, p.String())
	}
	split(netip.MustParsePrefix(cidr))
	return out
}
