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
	"net"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
)

// goldenGateway is a dual-stack gateway on port 2 of a node with the Pod
// CIDRs 10.77.0.0/24 and fd77::/64.
func goldenGateway(allowHost bool) *Gateway {
	return &Gateway{OFPort: 2, MAC: mac("0a:58:0a:4d:00:01"), IPs: ips("10.77.0.1", "fd77::1"),
		PodCIDRs:         []netip.Prefix{netip.MustParsePrefix("10.77.0.0/24"), netip.MustParsePrefix("fd77::/64")},
		AllowHostIngress: allowHost}
}

// TestGoldenGateway compares the gateway flows with
// testdata/golden/gateway*.txt; the base and Pod flows are unchanged by a
// gateway.
func TestGoldenGateway(t *testing.T) {
	for _, tc := range []struct {
		name string
		gw   *Gateway
	}{
		{"gateway", goldenGateway(false)},
		{"gateway-allow-host", goldenGateway(true)},
		{"gateway-ipv4", &Gateway{OFPort: 9, MAC: mac("0a:58:0a:f4:01:01"), IPs: ips("10.244.1.1"),
			PodCIDRs: []netip.Prefix{netip.MustParsePrefix("10.244.1.0/24")}}},
		{"gateway-nodeports", &Gateway{OFPort: 9, MAC: mac("0a:58:0a:f4:01:01"), IPs: ips("10.244.1.1"),
			PodCIDRs: []netip.Prefix{netip.MustParsePrefix("10.244.1.0/24")}, AllowHostIngress: true,
			NodeIPs: []netip.Addr{netip.MustParseAddr("172.30.0.11"), netip.MustParseAddr("fd30::11")}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := New(Config{Switch: noSwitch{}, Gateway: tc.gw})
			require.NoError(t, err)
			p.pods.setPod(Pod{Ref: podRef("pod1"), OFPort: 1, MAC: mac("02:00:00:00:00:11"), IPs: ips("10.77.0.11")})
			all := p.flows.all()
			compareGolden(t, tc.name, ofctlFormat{}.flows(flowsOfCategory(all, categoryGateway)))
			compareGolden(t, "base", ofctlFormat{}.flows(flowsOfCategory(all, categoryBase)))
		})
	}
}

func TestGatewayValidate(t *testing.T) {
	good := func() *Gateway { return goldenGateway(false) }
	for _, tc := range []struct {
		name   string
		change func(g *Gateway)
		want   string // "" means valid
	}{
		{"valid", func(*Gateway) {}, ""},
		{"no CIDRs", func(g *Gateway) { g.PodCIDRs = nil }, ""},
		{"zero ofport", func(g *Gateway) { g.OFPort = 0 }, "Gateway.OFPort 0"},
		{"reserved ofport", func(g *Gateway) { g.OFPort = 0xff00 }, "Gateway.OFPort 65280"},
		{"short MAC", func(g *Gateway) { g.MAC = net.HardwareAddr{1, 2} }, "Gateway.MAC"},
		{"invalid node IP", func(g *Gateway) { g.NodeIPs = []netip.Addr{{}} }, "Gateway.NodeIPs has an invalid address"},
		{"no IPs", func(g *Gateway) { g.IPs = nil }, "Gateway.IPs is empty"},
		{"bad IP", func(g *Gateway) { g.IPs = []net.IP{{1, 2, 3}} }, "Gateway.IPs has an invalid address"},
		{"unmasked CIDR", func(g *Gateway) { g.PodCIDRs = []netip.Prefix{netip.MustParsePrefix("10.77.0.1/24")} },
			"Gateway.PodCIDRs has an invalid CIDR \"10.77.0.1/24\""},
		{"zero CIDR", func(g *Gateway) { g.PodCIDRs = []netip.Prefix{{}} }, "Gateway.PodCIDRs has an invalid CIDR"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := good()
			tc.change(g)
			_, err := New(Config{Switch: noSwitch{}, Gateway: g})
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tc.want)
		})
	}
}

// TestGatewayConfigCopied checks that the pipeline keeps its own copy of
// the gateway: later changes to the caller's slices change no flow.
func TestGatewayConfigCopied(t *testing.T) {
	g := goldenGateway(false)
	p, err := New(Config{Switch: noSwitch{}, Gateway: g})
	require.NoError(t, err)
	before := ofctlFormat{}.flows(flowsOfCategory(p.flows.all(), categoryGateway))
	g.MAC[5], g.IPs[0][15] = 0x99, 0x99
	require.Equal(t, before, ofctlFormat{}.flows(flowsOfCategory(p.flows.all(), categoryGateway)))
}
