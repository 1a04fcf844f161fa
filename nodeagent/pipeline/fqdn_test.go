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

	"github.com/stretchr/testify/require"

	"github.com/strata-net/strata/nodeagent/fqdn"
	"github.com/strata-net/strata/nodeagent/ovs/openflow"
	"github.com/strata-net/strata/nodeagent/types"
)

// fakeResolver resolves patterns against a fixed name → addresses map.
type fakeResolver map[string][]string

func (f fakeResolver) Addresses(pattern string) []netip.Addr {
	var out []netip.Addr
	for name, addrs := range f {
		if fqdn.Matches(pattern, name) {
			for _, a := range addrs {
				out = append(out, netip.MustParseAddr(a))
			}
		}
	}
	return out
}

func TestCompileFQDNPeers(t *testing.T) {
	resolver := fakeResolver{"www.example.test": {"192.168.1.1", "fd00::1"}, "api.example.test": {"192.168.1.2"},
		"other.test": {"192.168.9.9"}}
	withFQDNs := func(r *types.CompletedRule, peers []types.Address, names ...string) *types.CompletedRule {
		r = rule(r, targets("pod1", "pod2"), peers, tcp(443))
		r.FQDNs = names
		return r
	}
	cases := []struct {
		name      string
		rule      *types.CompletedRule
		resolver  FQDNResolver
		wantPeers []string // nw_dst values of the peer clause
		wantErr   string
	}{
		{"the learnt addresses of the matching names", withFQDNs(acnp("a", 250, 1, 0, out, allow), []types.Address{}, "*.example.test"),
			resolver, []string{"192.168.1.1/32", "192.168.1.2/32", "fd00::1/128"}, ""},
		{"static addresses and names", withFQDNs(acnp("b", 250, 1, 0, out, drop), addrs("10.0.0.0/8"), "www.EXAMPLE.test"),
			resolver, []string{"10.0.0.0/8", "192.168.1.1/32", "fd00::1/128"}, ""},
		{"nothing learnt yet: no peer value, the rule matches nothing", withFQDNs(acnp("c", 250, 1, 0, out, allow), []types.Address{}, "unknown.test"),
			resolver, nil, ""},
		{"no resolver", withFQDNs(acnp("d", 250, 1, 0, out, allow), []types.Address{}, "www.example.test"),
			nil, nil, "need the DNS interception"},
		{"ingress", withFQDNs(acnp("e", 250, 1, 0, in, allow), []types.Address{}, "www.example.test"),
			resolver, nil, "only valid in egress rules"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cr, err := newCompiler(goldenPods(), tc.resolver).compile(tc.rule)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Len(t, cr.parts, 1)
			var want []openflow.Match
			for _, p := range tc.wantPeers {
				prefix := netip.MustParsePrefix(p)
				want = append(want, openflow.MustMatch(openflow.EthType(familyOf(prefix.Addr()).ethType()), openflow.IPDst(prefix)))
			}
			require.ElementsMatch(t, want, cr.parts[0].clauses[1].values) // targets, peers, services
			require.Equal(t, []uint32{1, 2}, cr.dnsPorts, "the target Pods' DNS responses are intercepted")
			require.Equal(t, len(tc.wantPeers) == 0, cr.parts[0].matchesNothing())
		})
	}
}

func TestDNSInterceptFlows(t *testing.T) {
	flows := baseConfig{round: 1, controllerID: 7, meter: true}.dnsInterceptFlows(5)
	require.Len(t, flows, 4, "UDP and TCP, IPv4 and IPv6")
	got := ofctlFormat{}.flows(flows)
	require.Contains(t, got, "table=Output, priority=205,ct_state=+rpl+trk,udp,reg0=0x200000/0x600000,reg1=0x5,tp_src=53 "+
		"actions=meter:256,controller(id=7,userdata=02,pause),output:NXM_NX_REG1[]")
}
