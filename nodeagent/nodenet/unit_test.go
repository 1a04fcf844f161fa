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

package nodenet

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/vishvananda/netlink"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// node builds a Node with Pod CIDRs and InternalIPs.
func node(name string, cidrs []string, internalIPs ...string) *corev1.Node {
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if len(cidrs) > 0 {
		n.Spec.PodCIDR, n.Spec.PodCIDRs = cidrs[0], cidrs
	}
	n.Status.Addresses = append(n.Status.Addresses, corev1.NodeAddress{Type: corev1.NodeHostName, Address: "127.0.0.1"})
	for _, ip := range internalIPs {
		n.Status.Addresses = append(n.Status.Addresses, corev1.NodeAddress{Type: corev1.NodeInternalIP, Address: ip})
	}
	return n
}

func cidrs(s ...string) []string { return s }

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }

// routeStrings renders routes as "dst via ip (node)", sorted.
func routeStrings(m map[netip.Prefix]peerRoute) []string {
	var out []string
	for _, r := range m {
		out = append(out, r.Dst.String()+" via "+r.Via.String()+" ("+r.Node+")")
	}
	sort.Strings(out)
	return out
}

func TestDesiredRoutes(t *testing.T) {
	for _, tc := range []struct {
		name        string
		nodes       []*corev1.Node
		local       []netip.Prefix
		want        []string
		wantSkipped []string // substrings, in order
	}{
		{
			name: "two peers",
			nodes: []*corev1.Node{
				node("n1", cidrs("10.244.1.0/24"), "172.30.0.11"),
				node("n2", cidrs("10.244.2.0/24"), "172.30.0.12"),
				node("n3", cidrs("10.244.3.0/24"), "172.30.0.13"),
			},
			want: []string{"10.244.2.0/24 via 172.30.0.12 (n2)", "10.244.3.0/24 via 172.30.0.13 (n3)"},
		},
		{
			name: "singular podCIDR only",
			nodes: []*corev1.Node{func() *corev1.Node {
				n := node("n2", nil, "172.30.0.12")
				n.Spec.PodCIDR = "10.244.2.0/24"
				return n
			}()},
			want: []string{"10.244.2.0/24 via 172.30.0.12 (n2)"},
		},
		{
			name:        "peer without CIDR or InternalIP",
			nodes:       []*corev1.Node{node("n2", nil, "172.30.0.12"), node("n3", cidrs("10.244.3.0/24"))},
			wantSkipped: []string{"node n3: no InternalIP of the family of 10.244.3.0/24"},
		},
		{
			name: "dual stack",
			nodes: []*corev1.Node{node("n2", cidrs("10.244.2.0/24", "fd00:10:244:2::/64"),
				"fd00:172:30::12", "172.30.0.12")},
			want: []string{"10.244.2.0/24 via 172.30.0.12 (n2)", "fd00:10:244:2::/64 via fd00:172:30::12 (n2)"},
		},
		{
			name:        "IPv6 CIDR, IPv4 InternalIP only",
			nodes:       []*corev1.Node{node("n2", cidrs("10.244.2.0/24", "fd00:10:244:2::/64"), "172.30.0.12")},
			want:        []string{"10.244.2.0/24 via 172.30.0.12 (n2)"},
			wantSkipped: []string{"no InternalIP of the family of fd00:10:244:2::/64"},
		},
		{
			name: "conflicting CIDRs: first by name wins",
			nodes: []*corev1.Node{
				node("n3", cidrs("10.244.2.0/24"), "172.30.0.13"),
				node("n2", cidrs("10.244.2.0/23"), "172.30.0.12"),
			},
			want:        []string{"10.244.2.0/23 via 172.30.0.12 (n2)"},
			wantSkipped: []string{"node n3: 10.244.2.0/24 overlaps 10.244.2.0/23 of node n2"},
		},
		{
			name:        "peer overlapping the local CIDR",
			nodes:       []*corev1.Node{node("n2", cidrs("10.244.1.0/24"), "172.30.0.12")},
			local:       []netip.Prefix{pfx("10.244.1.0/24")},
			wantSkipped: []string{"overlaps this node's Pod CIDR 10.244.1.0/24"},
		},
		{
			name:        "invalid CIDR",
			nodes:       []*corev1.Node{node("n2", cidrs("10.244.2.1/24"), "172.30.0.12"), node("n3", cidrs("10.244.3.0/24"), "172.30.0.13")},
			want:        []string{"10.244.3.0/24 via 172.30.0.13 (n3)"},
			wantSkipped: []string{"node n2: spec.podCIDRs"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, skipped := desiredRoutes(tc.nodes, "n1", tc.local)
			require.Equal(t, tc.want, routeStrings(got))
			require.Len(t, skipped, len(tc.wantSkipped), "%q", skipped)
			for i, s := range tc.wantSkipped {
				require.Contains(t, skipped[i], s)
			}
		})
	}
}

// fakeRoutes is a RouteHandle over an in-memory route list.
type fakeRoutes struct {
	routes  []netlink.Route
	failDel bool
	ops     []string
}

func (f *fakeRoutes) RouteListFiltered(family int, filter *netlink.Route, mask uint64) ([]netlink.Route, error) {
	var out []netlink.Route
	for _, r := range f.routes {
		if r.Family == family && (mask&netlink.RT_FILTER_TABLE == 0 || r.Table == filter.Table) {
			out = append(out, r)
		}
	}
	return out, nil
}

func (f *fakeRoutes) RouteReplace(r *netlink.Route) error {
	dst, _ := routeDst(*r)
	f.ops = append(f.ops, "replace "+dst.String()+" via "+routeVia(*r).String())
	rr := *r
	rr.Family = netlink.FAMILY_V4
	if dst.Addr().Is6() {
		rr.Family = netlink.FAMILY_V6
	}
	f.routes = append(f.routes, rr)
	return nil
}

func (f *fakeRoutes) RouteDel(r *netlink.Route) error {
	dst, _ := routeDst(*r)
	f.ops = append(f.ops, "del "+dst.String()+" via "+routeVia(*r).String())
	if f.failDel {
		return errors.New("operation not permitted")
	}
	f.routes = slices.DeleteFunc(f.routes, func(x netlink.Route) bool {
		d, _ := routeDst(x)
		return d == dst && x.Protocol == r.Protocol && x.Table == r.Table
	})
	return nil
}

func route(dst, via string, proto, table int) netlink.Route {
	p := pfx(dst)
	fam := netlink.FAMILY_V4
	if p.Addr().Is6() {
		fam = netlink.FAMILY_V6
	}
	return netlink.Route{Dst: prefixNet(p), Gw: netip.MustParseAddr(via).AsSlice(), Protocol: netlink.RouteProtocol(proto),
		Table: table, Family: fam}
}

func TestReconcileRoutes(t *testing.T) {
	const ours, main = RouteProtocol, 254
	tbl := routeTable{table: main, protocol: ours}
	want := func(rs ...string) map[netip.Prefix]peerRoute {
		m := map[netip.Prefix]peerRoute{}
		for _, r := range rs {
			dst, via, _ := strings.Cut(r, " via ")
			m[pfx(dst)] = peerRoute{Node: "n", Dst: pfx(dst), Via: netip.MustParseAddr(via)}
		}
		return m
	}
	for _, tc := range []struct {
		name    string
		have    []netlink.Route
		want    map[netip.Prefix]peerRoute
		failDel bool
		wantOps []string
		wantErr string
	}{
		{
			name:    "adds missing routes",
			want:    want("10.244.2.0/24 via 172.30.0.12"),
			wantOps: []string{"replace 10.244.2.0/24 via 172.30.0.12"},
		},
		{
			name:    "keeps what is right",
			have:    []netlink.Route{route("10.244.2.0/24", "172.30.0.12", ours, main)},
			want:    want("10.244.2.0/24 via 172.30.0.12"),
			wantOps: nil,
		},
		{
			name: "deletes stale routes of ours only",
			have: []netlink.Route{
				route("10.244.9.0/24", "172.30.0.19", ours, main),
				route("10.99.0.0/16", "172.30.0.1", 4, main),     // static, someone else's
				route("10.244.8.0/24", "172.30.0.18", ours, 100), // other table
			},
			want:    want(),
			wantOps: []string{"del 10.244.9.0/24 via 172.30.0.19"},
		},
		{
			name:    "moves a route whose InternalIP changed",
			have:    []netlink.Route{route("10.244.2.0/24", "172.30.0.99", ours, main)},
			want:    want("10.244.2.0/24 via 172.30.0.12"),
			wantOps: []string{"del 10.244.2.0/24 via 172.30.0.99", "replace 10.244.2.0/24 via 172.30.0.12"},
		},
		{
			name:    "leaves a foreign route to a wanted destination",
			have:    []netlink.Route{route("10.244.2.0/24", "172.30.0.1", 4, main)},
			want:    want("10.244.2.0/24 via 172.30.0.12"),
			wantErr: "has a route of protocol 4 that is not ours",
		},
		{
			name:    "IPv6",
			have:    []netlink.Route{route("fd00:10:244:9::/64", "fd00:172:30::19", ours, main)},
			want:    want("fd00:10:244:2::/64 via fd00:172:30::12"),
			wantOps: []string{"del fd00:10:244:9::/64 via fd00:172:30::19", "replace fd00:10:244:2::/64 via fd00:172:30::12"},
		},
		{
			name:    "a failed delete is reported, the rest still done",
			have:    []netlink.Route{route("10.244.9.0/24", "172.30.0.19", ours, main)},
			want:    want("10.244.2.0/24 via 172.30.0.12"),
			failDel: true,
			wantOps: []string{"del 10.244.9.0/24 via 172.30.0.19", "replace 10.244.2.0/24 via 172.30.0.12"},
			wantErr: "deleting the stale route to 10.244.9.0/24",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := &fakeRoutes{routes: tc.have, failDel: tc.failDel}
			err := reconcileRoutes(context.Background(), h, tbl, tc.want)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
			} else {
				require.NoError(t, err)
			}
			require.Equal(t, tc.wantOps, h.ops)
		})
	}
}

func TestGatewayConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  GatewayConfig
		want []string
	}{
		{"valid", GatewayConfig{Bridge: "br-int", PodCIDRs: []netip.Prefix{pfx("10.244.1.0/24")}}, nil},
		{"empty", GatewayConfig{}, []string{"GatewayConfig.Bridge is required", "GatewayConfig.PodCIDRs is empty"}},
		{"bad values", GatewayConfig{Bridge: "b", Name: "a-name-longer-than-15", OFPortRequest: 70000, MTU: 100,
			PodCIDRs: []netip.Prefix{pfx("10.244.1.1/24"), pfx("10.244.1.0/31")}},
			[]string{"GatewayConfig.Name", "GatewayConfig.OFPortRequest 70000", "GatewayConfig.MTU 100",
				`"10.244.1.1/24" is not a CIDR`, "10.244.1.0/31 is too small"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			cfg.Defaults()
			err := cfg.Validate()
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			for _, w := range tc.want {
				require.ErrorContains(t, err, w)
			}
		})
	}
}

func TestGatewayAddresses(t *testing.T) {
	g := newGateway(GatewayConfig{Name: "gw", MTU: 1500, PodCIDRs: []netip.Prefix{pfx("10.244.1.0/24"), pfx("fd00:10:244:1::/64")}})
	require.Equal(t, "0a:58:0a:f4:01:01", g.MAC.String())
	require.Equal(t, []netip.Prefix{pfx("10.244.1.1/24"), pfx("fd00:10:244:1::1/64")}, g.IPNets())
	require.True(t, g.HasIPv6())
	pn := g.PodNetwork()
	gw, ok := pn.GatewayFor(netip.MustParseAddr("fd00:10:244:1::5"))
	require.True(t, ok)
	require.Equal(t, "fd00:10:244:1::1", gw.String())
	gw, ok = pn.GatewayFor(netip.MustParseAddr("10.244.1.7"))
	require.True(t, ok)
	require.Equal(t, "10.244.1.1", gw.String())
}

func TestRouteControllerConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  RouteControllerConfig
		want []string
	}{
		{"missing", RouteControllerConfig{}, []string{"NodeName is required", "Kube is required"}},
		{"kernel protocol", RouteControllerConfig{Protocol: 4}, []string{"Protocol 4 out of range"}},
		{"local table", RouteControllerConfig{Table: 255}, []string{"Table 255 is not a usable table"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewRouteController(tc.cfg)
			for _, w := range tc.want {
				require.ErrorContains(t, err, w)
			}
		})
	}
}

func TestNetNSPath(t *testing.T) {
	for in, want := range map[string]string{"": "", "strata-n1": "/run/netns/strata-n1", "/proc/1/ns/net": "/proc/1/ns/net"} {
		require.Equal(t, want, NetNSPath(in), in)
	}
}
