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
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/strata-net/strata/nodeagent/ovs/ovstest"
)

// The gateway test node: Pods in 10.77.0.0/24 behind the gateway
// 10.77.0.1 (port gwTestOFPort, in the ovs-vswitchd namespace, the node's
// "host"), and an outside namespace "ext" at 192.168.77.2 routed through
// the host, standing for other nodes.
const (
	gwTestOFPort = 10
	gwTestIP     = "10.77.0.1"
	gwTestMAC    = "0a:58:0a:4d:00:01"
	extHostIP    = "192.168.77.1"
	extIP        = "192.168.77.2"
)

// sh runs a command and fails the test with its output on error.
func sh(t testing.TB, argv ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput()
	require.NoError(t, err, "%s: %s", strings.Join(argv, " "), out)
}

// startGatewayNode is startNode with the gateway port, the host as an
// endpoint ("host") and an outside namespace ("ext") behind it; every Pod
// has its default route via the gateway.
func startGatewayNode(t testing.TB, npods int, allowHost bool) *testNode {
	return startGatewayNodeWith(t, npods, allowHost, nil)
}

// startGatewayNodeWith is startGatewayNode with a hook that runs before the
// agent starts.
func startGatewayNodeWith(t testing.TB, npods int, allowHost bool, beforeAgent func(n *testNode)) *testNode {
	n := startNodeWith(t, npods, func(n *testNode) {
		if beforeAgent != nil {
			beforeAgent(n)
		}
		n.gateway = &Gateway{OFPort: gwTestOFPort, MAC: mac(gwTestMAC), IPs: ips(gwTestIP),
			PodCIDRs: []netip.Prefix{netip.MustParsePrefix("10.77.0.0/24")}, AllowHostIngress: allowHost}
		addGatewayPort(t, n)
		n.hosts["host"] = &ovstest.Pod{Name: "host", NetNS: n.ovs.NetNS(), IP: gwTestIP + "/24"}
		n.hosts["ext"] = addOutside(t, n.ovs.NetNS())
	})
	for _, p := range n.pods {
		sh(t, "ip", "-n", p.NetNS, "route", "add", "default", "via", gwTestIP)
	}
	return n
}

// addGatewayPort adds the internal gateway port, as nodenet does, with the
// gateway address, and lets the host forward.
func addGatewayPort(t testing.TB, n *testNode) {
	_, err := n.ovs.VSCtl("add-port", n.br, "gw0", "--", "set", "Interface", "gw0", "type=internal",
		fmt.Sprintf("ofport_request=%d", gwTestOFPort), fmt.Sprintf("mac=%q", gwTestMAC))
	require.NoError(t, err)
	host := n.ovs.NetNS()
	sh(t, "ip", "-n", host, "addr", "add", gwTestIP+"/24", "dev", "gw0")
	sh(t, "ip", "-n", host, "link", "set", "gw0", "up")
	// As nodenet.EnableForwarding: the kernel must not answer the Pods' ARP
	// for the gateway IP from the host end of their veths.
	sh(t, "ip", "netns", "exec", host, "sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv4.conf.all.arp_ignore=1")
}

// addOutside creates a namespace connected to the host by a veth pair,
// 192.168.77.1 (host) – 192.168.77.2 (outside, default route via the host).
func addOutside(t testing.TB, host string) *ovstest.Pod {
	name := ovstest.UniqueName("gwext")
	sh(t, "ip", "netns", "add", name)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "delete", name).Run() })
	hostIf := ovstest.UniqueName("ext")
	sh(t, "ip", "-n", host, "link", "add", hostIf, "type", "veth", "peer", "name", "eth0", "netns", name)
	for _, step := range [][]string{
		{"ip", "-n", host, "addr", "add", extHostIP + "/24", "dev", hostIf},
		{"ip", "-n", host, "link", "set", hostIf, "up"},
		{"ip", "netns", "exec", host, "ethtool", "-K", hostIf, "tx", "off"},
		{"ip", "-n", name, "link", "set", "lo", "up"},
		{"ip", "-n", name, "addr", "add", extIP + "/24", "dev", "eth0"},
		{"ip", "-n", name, "link", "set", "eth0", "up"},
		{"ip", "netns", "exec", name, "ethtool", "-K", "eth0", "tx", "off"},
		{"ip", "-n", name, "route", "add", "default", "via", extHostIP},
	} {
		sh(t, step...)
	}
	return &ovstest.Pod{Name: "ext", NetNS: name, IP: extIP + "/24"}
}

// serveUDP starts (once) a UDP echo server on an endpoint.
func (n *testNode) serveUDP(name string, port int) {
	n.t.Helper()
	key := fmt.Sprintf("udp/%s:%d", name, port)
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.servers[key] {
		return
	}
	var pc net.PacketConn
	err := n.endpoint(name).Do(func() (err error) {
		pc, err = net.ListenPacket("udp", fmt.Sprintf(":%d", port))
		return err
	})
	require.NoError(n.t, err)
	n.root.Cleanup(func() { _ = pc.Close() })
	n.servers[key] = true
	go func() {
		buf := make([]byte, 1500)
		for {
			m, addr, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			_, _ = pc.WriteTo(buf[:m], addr)
		}
	}()
}

// udpEcho sends datagrams from one endpoint to another's echo server until
// one comes back or timeout passes.
func (n *testNode) udpEcho(from, to string, port int, timeout time.Duration) error {
	n.serveUDP(to, port)
	c, err := n.endpoint(from).Dial(n.ctx, "udp", fmt.Sprintf("%s:%d", n.ip(to), port))
	if err != nil {
		return err
	}
	defer c.Close()
	deadline := time.Now().Add(timeout)
	buf := make([]byte, 16)
	for time.Now().Before(deadline) {
		if _, err := c.Write([]byte("ping")); err != nil {
			return err
		}
		// Resend every 300ms: the first datagram may wait for ARP.
		next := time.Now().Add(300 * time.Millisecond)
		if next.After(deadline) {
			next = deadline
		}
		_ = c.SetReadDeadline(next)
		if m, err := c.Read(buf); err == nil && string(buf[:m]) == "ping" {
			return nil
		} else if err != nil && !isTimeout(err) {
			return err
		}
	}
	return fmt.Errorf("no UDP echo from %s:%d within %s: %w", n.ip(to), port, timeout, context.DeadlineExceeded)
}

func (n *testNode) expectUDP(from, to string, port int) {
	n.t.Helper()
	require.NoError(n.t, n.udpEcho(from, to, port, allowTimeout), "udp %s -> %s:%d should answer", from, to, port)
}

func (n *testNode) expectUDPBlocked(from, to string, port int) {
	n.t.Helper()
	err := n.udpEcho(from, to, port, blockTimeout)
	require.True(n.t, errors.Is(err, context.DeadlineExceeded), "udp %s -> %s:%d should be dropped, got %v", from, to, port, err)
}

// TestOVSGateway runs TCP and UDP through the gateway flows: Pods reach the
// gateway, the host and the outside; the host and the outside reach Pods;
// ingress policy applies to what enters through the gateway and egress
// policy to what Pods send through it.
func TestOVSGateway(t *testing.T) {
	n := startGatewayNode(t, 3, true)
	t.Run("forwarding", func(t *testing.T) {
		n.t = t
		for _, c := range [][2]string{{"pod1", "pod2"}, {"pod1", "host"}, {"host", "pod1"}, {"pod1", "ext"}, {"ext", "pod2"}} {
			n.expectConnect(c[0], c[1], 1100)
			n.expectUDP(c[0], c[1], 1100)
		}
		n.requireInstalled()
	})
	t.Run("ingress Drop applies to traffic from the gateway", func(t *testing.T) {
		n.t = t
		r := rule(acnp("gw-in", 250, 5, 0, in, drop), targets("pod2"), n.peer("ext"), tcp(1200))
		n.reconcile(r)
		defer n.forget(r)
		n.expectBlocked("ext", "pod2", 1200)
		n.expectConnect("ext", "pod3", 1200)  // not a target
		n.expectConnect("pod1", "pod2", 1200) // not a peer
	})
	t.Run("K8s isolation blocks the outside, not the node itself", func(t *testing.T) {
		n.t = t
		r := rule(k8snp("gw-iso", in), targets("pod2"), n.peer("pod1"), tcp(1301))
		n.reconcile(r)
		defer n.forget(r)
		n.expectBlocked("ext", "pod2", 1300)
		n.expectUDPBlocked("ext", "pod2", 1300)
		n.expectBlocked("pod3", "pod2", 1300)
		n.expectConnect("host", "pod2", 1300) // AllowHostIngress: probes keep working
		n.expectUDP("host", "pod2", 1300)
		n.expectConnect("pod1", "pod2", 1301)
	})
	t.Run("egress Drop applies to Pod traffic leaving through the gateway", func(t *testing.T) {
		n.t = t
		r := rule(acnp("gw-out", 250, 5, 0, out, drop), targets("pod1"), n.peer("ext"))
		n.reconcile(r)
		defer n.forget(r)
		n.expectBlocked("pod1", "ext", 1400)
		n.expectUDPBlocked("pod1", "ext", 1400)
		n.expectConnect("pod2", "ext", 1400)
		n.expectConnect("ext", "pod1", 1400) // replies are not egress-checked
		n.expectUDP("ext", "pod1", 1400)
	})
	t.Run("established connections through the gateway survive an ingress Drop", func(t *testing.T) {
		n.t = t
		c, err := n.dial("ext", "pod3", 1500, allowTimeout)
		require.NoError(t, err)
		defer c.Close()
		require.NoError(t, echo(c, allowTimeout))
		r := rule(acnp("gw-est", 250, 5, 0, in, drop), targets("pod3"), n.peer("ext"), tcp(1500))
		n.reconcile(r)
		defer n.forget(r)
		require.NoError(t, echo(c, allowTimeout))
		n.expectBlocked("ext", "pod3", 1500)
	})
}

// TestOVSGatewayHostIngressPolicy checks that without AllowHostIngress the
// node's own traffic to a Pod is subject to the Pod's ingress policy.
func TestOVSGatewayHostIngressPolicy(t *testing.T) {
	n := startGatewayNode(t, 2, false)
	n.expectConnect("host", "pod2", 1600)
	r := rule(k8snp("host-iso", in), targets("pod2"), n.peer("pod1"), tcp(1600))
	n.reconcile(r)
	n.expectBlocked("host", "pod2", 1600)
	n.expectConnect("pod1", "pod2", 1600)
	n.expectConnect("host", "pod1", 1600)
}
