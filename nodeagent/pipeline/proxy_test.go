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
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/strata-net/strata/nodeagent/ovs/openflow"
	"github.com/strata-net/strata/nodeagent/proxy"
)

func goldenServicePort(name string, proto proxy.Protocol, port uint16, eps ...string) proxy.ServicePort {
	sp := proxy.ServicePort{Key: proxy.PortKey{Service: proxy.ServiceRef{Namespace: "default", Name: name},
		PortName: "p", Protocol: proto}, Port: port,
		ClusterIPs: []netip.Addr{netip.MustParseAddr("10.96.0.10"), netip.MustParseAddr("fd96::10")}}
	for _, ep := range eps {
		ap := netip.MustParseAddrPort(ep)
		sp.ClusterEndpoints = append(sp.ClusterEndpoints, proxy.Endpoint{IP: ap.Addr(), Port: ap.Port()})
	}
	return sp
}

// goldenServices is a pipeline holding a TCP Service with two endpoints,
// a UDP one without, an SCTP one (not proxied), and a TCP Service with
// sessionAffinity ClientIP.
func goldenServices(t *testing.T) *Pipeline {
	p, err := New(Config{Switch: noSwitch{}})
	require.NoError(t, err)
	p.services.replace(proxy.ServiceRef{Namespace: "default", Name: "web"}, []proxy.ServicePort{
		goldenServicePort("web", proxy.TCP, 80, "10.77.0.12:8080", "10.77.0.13:8080"),
		goldenServicePort("web", proxy.UDP, 53),
		goldenServicePort("web", proxy.SCTP, 9),
	})
	sticky := goldenServicePort("sticky", proxy.TCP, 443, "10.77.0.14:8443", "10.77.0.15:8443")
	sticky.ClusterIPs = []netip.Addr{netip.MustParseAddr("10.96.0.11")}
	sticky.AffinityTimeout = 10800 * time.Second
	p.services.replace(proxy.ServiceRef{Namespace: "default", Name: "sticky"}, []proxy.ServicePort{sticky})
	return p
}

func TestGoldenServices(t *testing.T) {
	p := goldenServices(t)
	compareGolden(t, "services", ofctlFormat{}.flows(flowsOfCategory(p.flows.all(), categoryService)))
	var groups []string
	for _, g := range p.groups.all() {
		groups = append(groups, formatGroup(g))
	}
	compareGolden(t, "services-groups", groups)
}

func formatGroup(g openflow.GroupMod) string {
	var buckets []string
	for _, b := range g.Buckets {
		var acts []string
		for _, a := range b.Actions {
			acts = append(acts, ofctlFormat{}.action(a))
		}
		buckets = append(buckets, fmt.Sprintf("bucket=bucket_id:%d,weight:%d,actions=%s", b.ID, b.Weight, strings.Join(acts, ",")))
	}
	sel := ""
	if g.Selection != nil {
		sel = g.Selection.String() + ","
	}
	return fmt.Sprintf("group_id=%d,type=select,%s%s", g.GroupID, sel, strings.Join(buckets, ","))
}

// TestGoldenNodePorts: the frontends of a NodePort Service with
// externalTrafficPolicy Cluster (SNAT) and one with Local and no local
// endpoint (drop), on a node that serves NodePorts.
func TestGoldenNodePorts(t *testing.T) {
	p, err := New(Config{Switch: noSwitch{}, Gateway: &Gateway{OFPort: 9, MAC: mac("0a:58:0a:f4:01:01"),
		IPs: ips("10.244.1.1"), NodeIPs: []netip.Addr{netip.MustParseAddr("172.30.0.11")}}})
	require.NoError(t, err)
	cluster := goldenServicePort("np", proxy.TCP, 80, "10.77.0.12:8080")
	cluster.ClusterIPs, cluster.NodePort = []netip.Addr{netip.MustParseAddr("10.96.0.20")}, 30080
	local := goldenServicePort("np-local", proxy.TCP, 80, "10.77.0.12:8080")
	local.ClusterIPs, local.NodePort, local.ExternalLocal = []netip.Addr{netip.MustParseAddr("10.96.0.21")}, 30081, true
	p.services.replace(proxy.ServiceRef{Namespace: "default", Name: "np"}, []proxy.ServicePort{cluster})
	p.services.replace(proxy.ServiceRef{Namespace: "default", Name: "np-local"}, []proxy.ServicePort{local})
	compareGolden(t, "services-nodeports", ofctlFormat{}.flows(flowsOfCategory(p.flows.all(), categoryService)))
	id, ok := p.services.ServiceID(cluster.Key, netip.IPv4Unspecified())
	require.True(t, ok, "the NodePort frontend's id")
	require.NotZero(t, id)
}

// TestAffinitySeconds: whole seconds rounded up, capped at OpenFlow's
// 16-bit hard_timeout.
func TestAffinitySeconds(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   time.Duration
		want uint16
	}{
		{"none", 0, 0},
		{"default 3h", 10800 * time.Second, 10800},
		{"fraction rounds up", 1500 * time.Millisecond, 2},
		{"Kubernetes' maximum is capped", 86400 * time.Second, 65535},
	} {
		t.Run(tc.name, func(t *testing.T) { require.Equal(t, tc.want, affinitySeconds(tc.in)) })
	}
}

// TestServiceIDsStay: a Service's frontends keep their ids (and so their
// groups and cookies) across syncs; ids of removed frontends are reused.
func TestServiceIDsStay(t *testing.T) {
	p, err := New(Config{Switch: noSwitch{}})
	require.NoError(t, err)
	web := proxy.ServiceRef{Namespace: "default", Name: "web"}
	api := proxy.ServiceRef{Namespace: "default", Name: "api"}
	port := func(name string) proxy.ServicePort {
		sp := goldenServicePort(name, proxy.TCP, 80, "10.77.0.12:8080")
		sp.Key.Service.Name = name
		return sp
	}
	id := func(name string) uint32 {
		id, ok := p.services.ids.ids[frontendKey{port: port(name).Key, ip: netip.MustParseAddr("10.96.0.10")}]
		require.True(t, ok, "no id for %s", name)
		return id
	}
	p.services.replace(web, []proxy.ServicePort{port("web")})
	p.services.replace(api, []proxy.ServicePort{port("api")})
	webID, apiID := id("web"), id("api")
	require.NotEqual(t, webID, apiID)
	p.services.replace(web, []proxy.ServicePort{port("web")})
	require.Equal(t, webID, id("web"), "a resync keeps the id")
	p.services.replace(web, nil)
	_, ok := p.services.ids.ids[frontendKey{port: port("web").Key, ip: netip.MustParseAddr("10.96.0.10")}]
	require.False(t, ok, "a deleted Service's id is released")
	p.services.replace(web, []proxy.ServicePort{port("web")})
	require.Equal(t, webID, id("web"), "the smallest free id is reused")
}
