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
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/strata-net/strata/nodeagent/nodenet"
	"github.com/strata-net/strata/nodeagent/ovs/ovstest"
	"github.com/strata-net/strata/nodeagent/proxy"
)

const (
	testNodePort = 30080
	// peerIP is an endpoint on "another node": a namespace routed by the
	// host, as a remote node's Pod is.
	peerHostIP = "192.168.78.1"
	peerIP     = "192.168.78.2"
)

// startNodePortNode is startGatewayNode whose host serves NodePorts on its
// address towards the outside namespace (extHostIP), steered by nodenet as
// the agent does, with a "peer" endpoint behind the host.
func startNodePortNode(t *testing.T, npods int) *testNode {
	n := startNodeWith(t, npods, func(n *testNode) {
		n.gateway = &Gateway{OFPort: gwTestOFPort, MAC: mac(gwTestMAC), IPs: ips(gwTestIP),
			PodCIDRs: []netip.Prefix{netip.MustParsePrefix("10.77.0.0/24")}, AllowHostIngress: true,
			NodeIPs: []netip.Addr{netip.MustParseAddr(extHostIP)}}
		addGatewayPort(t, n)
		n.hosts["host"] = &ovstest.Pod{Name: "host", NetNS: n.ovs.NetNS(), IP: gwTestIP + "/24"}
		n.hosts["ext"] = addOutside(t, n.ovs.NetNS())
		n.hosts["peer"] = addNamespaceBehindHost(t, n.ovs.NetNS(), "peer", peerHostIP, peerIP)
		require.NoError(t, nodenet.SetupNodePorts(nodenet.NodePortConfig{NetNS: n.ovs.NetNS(), Gateway: "gw0",
			GatewayMAC: mac(gwTestMAC), GatewayIP: netip.MustParseAddr(gwTestIP),
			NodeIPs: []netip.Addr{netip.MustParseAddr(extHostIP)}}))
	})
	for _, p := range n.pods {
		sh(t, "ip", "-n", p.NetNS, "route", "add", "default", "via", gwTestIP)
	}
	return n
}

// addNamespaceBehindHost creates a namespace on a /24 of its own, linked
// to the host by a veth pair, with its default route via the host.
func addNamespaceBehindHost(t *testing.T, host, name, hostIP, ip string) *ovstest.Pod {
	ns := ovstest.UniqueName(name)
	sh(t, "ip", "netns", "add", ns)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "delete", ns).Run() })
	hostIf := ovstest.UniqueName(name)
	for _, step := range [][]string{
		{"ip", "-n", host, "link", "add", hostIf, "type", "veth", "peer", "name", "eth0", "netns", ns},
		{"ip", "-n", host, "addr", "add", hostIP + "/24", "dev", hostIf},
		{"ip", "-n", host, "link", "set", hostIf, "up"},
		{"ip", "netns", "exec", host, "ethtool", "-K", hostIf, "tx", "off"},
		{"ip", "netns", "exec", host, "sysctl", "-qw", "net.ipv4.conf." + hostIf + ".rp_filter=0"},
		{"ip", "-n", ns, "link", "set", "lo", "up"},
		{"ip", "-n", ns, "addr", "add", ip + "/24", "dev", "eth0"},
		{"ip", "-n", ns, "link", "set", "eth0", "up"},
		{"ip", "netns", "exec", ns, "ethtool", "-K", "eth0", "tx", "off"},
		{"ip", "-n", ns, "route", "add", "default", "via", hostIP},
	} {
		sh(t, step...)
	}
	return &ovstest.Pod{Name: name, NetNS: ns, IP: ip + "/24"}
}

// nodePortSvc is a TCP Service port 80 / NodePort 30080 whose cluster
// endpoints are the given pods and hosts on port 8080; those marked local
// are this node's.
func (n *testNode) nodePortSvc(name string, local []string, remote ...string) proxy.ServicePort {
	sp := n.svc(name, 80, proxy.TCP)
	sp.NodePort = testNodePort
	for _, ep := range append(append([]string{}, local...), remote...) {
		e := proxy.Endpoint{IP: netip.MustParseAddr(n.ip(ep)), Port: 8080}
		e.Local = !strings.HasPrefix(ep, "peer")
		sp.ClusterEndpoints = append(sp.ClusterEndpoints, e)
		if e.Local {
			sp.LocalEndpoints = append(sp.LocalEndpoints, e)
		}
	}
	return sp
}

// splitAnswers maps endpoint name to the client addresses it saw.
func (n *testNode) askMany(from, addr string, k int) map[string][]string {
	n.t.Helper()
	out := map[string][]string{}
	for i := range k {
		line, err := n.askVIP(from, addr, allowTimeout)
		require.NoError(n.t, err, "connection %d from %s to %s", i, from, addr)
		f := strings.Fields(line)
		require.Len(n.t, f, 2, "answer %q", line)
		host, _, _ := strings.Cut(f[1], ":")
		out[f[0]] = append(out[f[0]], host)
	}
	return out
}

// TestOVSNodePort sends real TCP from an outside namespace to the node's
// address and a NodePort, steered into OVS by nodenet's policy routing:
// externalTrafficPolicy Cluster reaches local and remote endpoints with
// the gateway IP as source, Local only local ones with the client's
// source, and drops without local endpoints; internalTrafficPolicy Local
// keeps Pods' ClusterIP traffic on local endpoints; other ports of the
// NodePort range still reach the host.
func TestOVSNodePort(t *testing.T) {
	n := startNodePortNode(t, 3)
	for _, p := range []string{"pod2", "pod3", "peer"} {
		n.serveName(p, 8080)
	}
	nodePort := extHostIP + ":30080"

	t.Run("eTP Cluster: local and remote endpoints, source the gateway IP", func(t *testing.T) {
		n.t = t
		n.syncService(n.nodePortSvc("np", []string{"pod2"}, "peer"))
		got := n.askMany("ext", nodePort, 30)
		require.Len(t, got, 2, "endpoints reached from outside: %v", got)
		for ep, sources := range got {
			for _, src := range sources {
				require.Equal(t, gwTestIP, src, "the source %s saw", ep)
			}
		}
		n.requireInstalled()
	})
	t.Run("eTP Cluster with ClientIP affinity: one endpoint for the outside client", func(t *testing.T) {
		n.t = t
		sp := n.nodePortSvc("np", []string{"pod2", "pod3"}, "peer")
		sp.AffinityTimeout = affinityTestTimeout
		n.syncService(sp)
		got := n.askMany("ext", nodePort, 20)
		require.Len(t, got, 1, "endpoints of 20 connections from one client with affinity: %v", got)
		n.syncService(n.nodePortSvc("np", []string{"pod2"}, "peer"))
	})
	t.Run("eTP Local: local endpoints only, the client's source", func(t *testing.T) {
		n.t = t
		sp := n.nodePortSvc("np", []string{"pod3"}, "peer")
		sp.ExternalLocal = true
		n.syncService(sp)
		got := n.askMany("ext", nodePort, 20)
		require.Equal(t, map[string][]string{"pod3": repeat(extIP, 20)}, got)
	})
	t.Run("eTP Local without local endpoints: dropped", func(t *testing.T) {
		n.t = t
		sp := n.nodePortSvc("np", nil, "peer")
		sp.ExternalLocal = true
		n.syncService(sp)
		_, err := n.askVIP("ext", nodePort, blockTimeout)
		require.Error(t, err, "ext -> %s with no local endpoint", nodePort)
		require.True(t, isTimeout(err), "dropped, not refused: %v", err)
	})
	t.Run("iTP Local: Pods reach local endpoints only", func(t *testing.T) {
		n.t = t
		sp := n.nodePortSvc("np", []string{"pod2"}, "peer")
		sp.InternalLocal = true
		n.syncService(sp)
		got := n.askMany("pod1", testVIP+":80", 20)
		require.Equal(t, []string{"pod2"}, keys(got), "endpoints reached through the ClusterIP")
		sp = n.nodePortSvc("np", nil, "peer")
		sp.InternalLocal = true
		n.syncService(sp)
		_, err := n.askVIP("pod1", testVIP+":80", blockTimeout)
		require.True(t, isTimeout(err), "iTP Local without local endpoints drops: %v", err)
	})
	t.Run("a K8s policy allowing only pod1: eTP Cluster is the node's traffic, eTP Local the client's", func(t *testing.T) {
		n.t = t
		onlyPod1 := rule(k8snp("np-only-pod1", in), targets("pod2"), n.peer("pod1"), tcp(8080))
		n.reconcile(onlyPod1)
		defer n.forget(onlyPod1)
		n.syncService(n.nodePortSvc("np", []string{"pod2"}))
		got := n.askMany("ext", nodePort, 5)
		require.Equal(t, map[string][]string{"pod2": repeat(gwTestIP, 5)}, got,
			"eTP Cluster to a local endpoint: SNATed to the gateway IP, exempt as the node's own traffic")
		sp := n.nodePortSvc("np", []string{"pod2"})
		sp.ExternalLocal = true
		n.syncService(sp)
		_, err := n.askVIP("ext", nodePort, blockTimeout)
		require.True(t, isTimeout(err), "eTP Local keeps the client's address, which the policy does not allow: %v", err)
	})
	t.Run("other ports of the range still reach the host", func(t *testing.T) {
		n.t = t
		n.serveName("host", 30999)
		line, err := n.askVIP("ext", extHostIP+":30999", allowTimeout)
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(line, "host "+extIP+":"), "answer %q", line)
	})
}

func repeat(s string, k int) []string {
	out := make([]string, k)
	for i := range out {
		out[i] = s
	}
	return out
}

func keys(m map[string][]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
