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
	"io"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/strata-net/strata/nodeagent/ovs/openflow"
	"github.com/strata-net/strata/nodeagent/packetin"
	"github.com/strata-net/strata/nodeagent/proxy"
	"github.com/strata-net/strata/nodeagent/types"
)

const testVIP = "10.96.0.10"

// serveName starts (once) a TCP server on pod:port that writes the pod's
// name and the client address it saw, then closes.
func (n *testNode) serveName(pod string, port int) {
	n.t.Helper()
	key := fmt.Sprintf("name/%s:%d", pod, port)
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.servers[key] {
		return
	}
	l, err := n.endpoint(pod).Listen("tcp", fmt.Sprintf(":%d", port))
	require.NoError(n.t, err)
	n.root.Cleanup(func() { _ = l.Close() })
	n.servers[key] = true
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			_, _ = fmt.Fprintf(c, "%s %s\n", pod, c.RemoteAddr())
			_ = c.Close()
		}
	}()
}

// askVIP connects from a pod to addr and returns the server's line.
func (n *testNode) askVIP(from, addr string, timeout time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(n.ctx, timeout)
	defer cancel()
	c, err := n.endpoint(from).Dial(ctx, "tcp", addr)
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(timeout))
	b, err := io.ReadAll(c)
	return strings.TrimSpace(string(b)), err
}

// svc is a TCP Service port at testVIP:80 with the given endpoint pods on
// port 8080.
func (n *testNode) svc(name string, port uint16, proto proxy.Protocol, endpoints ...string) proxy.ServicePort {
	sp := proxy.ServicePort{Key: proxy.PortKey{Service: proxy.ServiceRef{Namespace: "default", Name: name}, Protocol: proto},
		ClusterIPs: []netip.Addr{netip.MustParseAddr(testVIP)}, Port: port}
	for _, pod := range endpoints {
		sp.ClusterEndpoints = append(sp.ClusterEndpoints, proxy.Endpoint{IP: netip.MustParseAddr(n.ip(pod)), Port: 8080})
	}
	return sp
}

func (n *testNode) syncService(ports ...proxy.ServicePort) {
	n.t.Helper()
	require.NoError(n.t, n.agent.pl.Services().SyncService(n.ctx, ports[0].Key.Service, ports))
	n.settle()
}

// TestOVSServiceProxy sends real TCP and UDP through ClusterIP Services in a
// private OVS: load-balancing over the endpoints, un-NATed replies, hairpin,
// endpoint removal, Services without endpoints, policies on the endpoint
// after DNAT, and a restarted agent.
func TestOVSServiceProxy(t *testing.T) {
	n := startGatewayNode(t, 4, false)
	vip := testVIP + ":80"
	for _, p := range []string{"pod2", "pod3", "pod4"} {
		n.serveName(p, 8080)
	}
	web := n.svc("web", 80, proxy.TCP, "pod2", "pod3", "pod4")

	t.Run("spread over every endpoint, replies from the ClusterIP", func(t *testing.T) {
		n.t = t
		n.syncService(web)
		counts := n.spread("pod1", vip, 90)
		for _, p := range []string{"pod2", "pod3", "pod4"} {
			require.GreaterOrEqual(t, counts[p], 10, "connections to %s among 90: %v", p, counts)
		}
		n.requireInstalled()
	})
	t.Run("the endpoint sees the client Pod as the source", func(t *testing.T) {
		n.t = t
		line, err := n.askVIP("pod1", vip, allowTimeout)
		require.NoError(t, err)
		require.Contains(t, line, n.ip("pod1")+":", "the server's view of the client: %q", line)
	})
	t.Run("hairpin: a Pod reaches itself through its Service", func(t *testing.T) {
		n.t = t
		n.syncService(n.svc("web", 80, proxy.TCP, "pod2"))
		line, err := n.askVIP("pod2", vip, allowTimeout)
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(line, "pod2 "+HairpinIPv4.String()+":"), "hairpin answer %q", line)
	})
	t.Run("an endpoint removed: new connections avoid it, established ones keep going", func(t *testing.T) {
		n.t = t
		n.serveNameEcho("pod3", 9090)
		echoSvc := n.svc("echo", 90, proxy.TCP, "pod3", "pod4")
		for i := range echoSvc.ClusterEndpoints {
			echoSvc.ClusterEndpoints[i].Port = 9090
		}
		n.serveNameEcho("pod4", 9090)
		n.syncService(echoSvc)
		conn := n.dialVIPTo(t, "pod1", testVIP+":90", "pod3")
		defer conn.Close()
		echoSvc.ClusterEndpoints = echoSvc.ClusterEndpoints[1:] // pod4 only
		n.syncService(echoSvc)
		require.NoError(t, echo(conn, allowTimeout), "the connection to pod3 established before its removal")
		n.syncService(web)
	})
	t.Run("rejects: no endpoints, and Reject rules on Service traffic, answered from the ClusterIP", func(t *testing.T) {
		n.t = t
		stop := n.handlePacketIns(t)
		defer stop()
		n.syncService(n.svc("empty", 81, proxy.TCP))
		n.expectRefused("pod1", testVIP+":81")
		n.syncService(n.svc("web", 80, proxy.TCP, "pod2"))
		for _, r := range []*types.CompletedRule{
			rule(acnp("svc-reject-in", 250, 5, 0, in, reject), targets("pod2"), n.peer("pod1"), tcp(8080)),
			rule(acnp("svc-reject-out", 250, 5, 0, out, reject), targets("pod1"), n.peer("pod2"), tcp(8080)),
		} {
			n.reconcile(r)
			n.expectRefused("pod1", vip)
			n.forget(r)
		}
		_, err := n.askVIP("pod1", vip, allowTimeout)
		require.NoError(t, err)
		n.syncService(web)
	})
	t.Run("UDP", func(t *testing.T) {
		n.t = t
		n.serveUDP("pod3", 8080)
		n.syncService(n.svc("dns", 53, proxy.UDP, "pod3"))
		require.NoError(t, n.udpEchoAddr("pod1", testVIP+":53", allowTimeout))
	})
	t.Run("policy applies to the endpoint after DNAT", func(t *testing.T) {
		n.t = t
		n.syncService(n.svc("web", 80, proxy.TCP, "pod2"))
		ingressDrop := rule(acnp("svc-drop", 250, 5, 0, in, drop), targets("pod2"), n.peer("pod1"), tcp(8080))
		n.reconcile(ingressDrop)
		_, err := n.askVIP("pod1", vip, blockTimeout)
		require.Error(t, err, "pod1 -> %s with pod2's ingress Drop", vip)
		_, err = n.askVIP("pod3", vip, allowTimeout)
		require.NoError(t, err, "pod3 -> %s: the Drop names pod1 only", vip)
		n.forget(ingressDrop)
		egress := rule(acnp("svc-egress", 250, 5, 0, out, drop), targets("pod1"), n.peer("pod2"), tcp(8080))
		n.reconcile(egress)
		_, err = n.askVIP("pod1", vip, blockTimeout)
		require.Error(t, err, "pod1 -> %s with pod1's egress Drop to pod2", vip)
		n.forget(egress)
		_, err = n.askVIP("pod1", vip, allowTimeout)
		require.NoError(t, err)
	})
	t.Run("a restarted agent (next round) keeps the Services", func(t *testing.T) {
		n.t = t
		n.syncService(web)
		old := n.agent
		n.agent = n.startAgent(2)
		n.addPods(n.agent)
		n.syncService(web)
		old.stop()
		require.NoError(t, n.agent.pl.DeleteRound(n.ctx, 1))
		n.settle()
		counts := n.spread("pod1", vip, 30)
		require.Len(t, counts, 3, "endpoints reached after the restart: %v", counts)
		n.requireInstalled()
	})
}

// handlePacketIns runs the agent's packet-in handler (rejects) on the
// node's OpenFlow client until stop.
func (n *testNode) handlePacketIns(t *testing.T) (stop func()) {
	t.Helper()
	return n.handlePacketInsLogging(t, t.TempDir()+"/np.log")
}

// handlePacketInsLogging is handlePacketIns writing np.log at path.
func (n *testNode) handlePacketInsLogging(t *testing.T, path string) (stop func()) {
	t.Helper()
	pl, client := n.agent.pl, n.agent.client
	h, err := packetin.NewHandler(packetin.Config{Rules: pl.Policies(), Pods: pl.Pods(), Sender: clientSender{client},
		Log: packetin.NewAuditLog(packetin.AuditLogConfig{Path: path}), TableName: TableName,
		RemoteRejectTable: L3Forwarding, TranslatedRejectTable: ConntrackZone})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(n.ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.Run(ctx, client.PacketIns())
	}()
	return func() { cancel(); <-done }
}

type clientSender struct{ c *openflow.Client }

func (s clientSender) SendPacketOut(ctx context.Context, po openflow.PacketOut) error {
	conn, err := s.c.Conn(ctx)
	if err != nil {
		return err
	}
	return conn.Send(ctx, po)
}

// expectRefused: a connection from a pod to addr is refused (a reset
// from addr), well before a drop's timeout.
func (n *testNode) expectRefused(from, addr string) {
	n.t.Helper()
	ctx, cancel := context.WithTimeout(n.ctx, allowTimeout)
	defer cancel()
	start := time.Now()
	c, err := n.endpoint(from).Dial(ctx, "tcp", addr)
	if err == nil {
		c.Close()
	}
	require.ErrorIs(n.t, err, syscall.ECONNREFUSED, "%s -> %s should be refused", from, addr)
	require.Less(n.t, time.Since(start), blockTimeout, "%s -> %s: refused only after %s", from, addr, time.Since(start))
}

// spread makes k connections from a pod to addr and counts the answering
// endpoints.
func (n *testNode) spread(from, addr string, k int) map[string]int {
	n.t.Helper()
	counts := map[string]int{}
	for i := range k {
		line, err := n.askVIP(from, addr, allowTimeout)
		require.NoError(n.t, err, "connection %d to %s", i, addr)
		counts[strings.Fields(line)[0]]++
	}
	return counts
}

// dialVIPTo opens connections to an echo Service until one lands on want.
func (n *testNode) dialVIPTo(t *testing.T, from, addr, want string) net.Conn {
	t.Helper()
	var got net.Conn
	err := wait.PollUntilContextTimeout(n.ctx, 10*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		c, err := n.endpoint(from).Dial(ctx, "tcp", addr)
		if err != nil {
			return false, nil
		}
		if strings.HasPrefix(c.RemoteAddr().String(), testVIP) && landsOn(c, want) {
			got = c
			return true, nil
		}
		c.Close()
		return false, nil
	})
	require.NoError(t, err, "a connection to %s landing on %s", addr, want)
	return got
}

// serveNameEcho starts (once) a TCP server on pod:port that writes the
// pod's name on a line, then echoes.
func (n *testNode) serveNameEcho(pod string, port int) {
	n.t.Helper()
	key := fmt.Sprintf("nameecho/%s:%d", pod, port)
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.servers[key] {
		return
	}
	l, err := n.endpoint(pod).Listen("tcp", fmt.Sprintf(":%d", port))
	require.NoError(n.t, err)
	n.root.Cleanup(func() { _ = l.Close() })
	n.servers[key] = true
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_, _ = fmt.Fprintf(c, "%s\n", pod)
				_, _ = io.Copy(c, c)
			}()
		}
	}()
}

// landsOn reads the server's name line of a serveNameEcho connection.
func landsOn(c net.Conn, want string) bool {
	_ = c.SetReadDeadline(time.Now().Add(allowTimeout))
	buf := make([]byte, len(want)+1)
	_, err := io.ReadFull(c, buf)
	_ = c.SetReadDeadline(time.Time{})
	return err == nil && string(buf) == want+"\n"
}

// udpEchoAddr sends datagrams to addr until one comes back.
func (n *testNode) udpEchoAddr(from, addr string, timeout time.Duration) error {
	c, err := n.endpoint(from).Dial(n.ctx, "udp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	buf := make([]byte, 16)
	return wait.PollUntilContextTimeout(n.ctx, 10*time.Millisecond, timeout, true, func(context.Context) (bool, error) {
		if _, err := c.Write([]byte("ping")); err != nil {
			return false, err
		}
		_ = c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		m, err := c.Read(buf)
		if err != nil && errors.Is(err, syscall.ECONNREFUSED) {
			return false, err
		}
		return err == nil && string(buf[:m]) == "ping", nil
	})
}
