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
	"fmt"
	"io"
	"net"
	"net/netip"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/vishvananda/netlink"
	"k8s.io/client-go/kubernetes"

	"github.com/strata-net/strata/nodeagent/ovs/openflow"
	"github.com/strata-net/strata/nodeagent/ovs/ovsdb"
	"github.com/strata-net/strata/nodeagent/ovs/ovstest"
	"github.com/strata-net/strata/nodeagent/packetin"
	"github.com/strata-net/strata/nodeagent/pipeline"
	"github.com/strata-net/strata/nodeagent/types"
)

const (
	allowTimeout = 5 * time.Second
	// blockTimeout is how long an exchange must fail to count as dropped.
	blockTimeout = 1500 * time.Millisecond
	testTimeout  = 5 * time.Minute
)

// sh runs a command and fails the test with its output on error.
func sh(t testing.TB, argv ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput()
	require.NoError(t, err, "%s: %s", strings.Join(argv, " "), out)
}

// shOut runs a command and returns its output.
func shOut(t testing.TB, argv ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput()
	require.NoError(t, err, "%s: %s", strings.Join(argv, " "), out)
	return string(out)
}

// testNode is one node: a private OVS whose ovs-vswitchd namespace is the
// node's host namespace, a bridge, the gateway set up by SetupGateway, a
// pipeline with the gateway flows, and namespace Pods.
type testNode struct {
	name   string
	ovs    *ovstest.Instance
	br     string
	db     *ovsdb.Client
	netns  string // the host namespace's path
	cidr   netip.Prefix
	nodeIP string // on ul0
	gw     *Gateway
	pl     *pipeline.Pipeline
	pods   map[string]*ovstest.Pod
	host   *ovstest.Pod // the host namespace as an endpoint (gateway IP)
	routes *RouteController
}

// startOVSNode starts the node's OVS and bridge.
func startOVSNode(t *testing.T, ctx context.Context, name string, k int) *testNode {
	t.Helper()
	n := &testNode{name: name, ovs: ovstest.StartOVS(t), br: ovstest.UniqueName("br"), pods: map[string]*ovstest.Pod{},
		cidr: netip.MustParsePrefix(fmt.Sprintf("10.244.%d.0/24", k)), nodeIP: fmt.Sprintf("172.30.0.%d", 10+k)}
	_, err := n.ovs.AddBridge(n.br)
	require.NoError(t, err)
	n.netns = NetNSPath(n.ovs.NetNS())
	n.db, err = ovsdb.Connect(ctx, n.ovs.DBSocket())
	require.NoError(t, err)
	t.Cleanup(func() { _ = n.db.Close() })
	require.NoError(t, pipeline.NameTables(ctx, n.db, n.br))
	return n
}

// connectUnderlay joins two nodes' host namespaces with a veth pair "ul0"
// carrying the node IPs (172.30.0.0/24).
func connectUnderlay(t *testing.T, a, b *testNode) {
	t.Helper()
	nsA, nsB := a.ovs.NetNS(), b.ovs.NetNS()
	sh(t, "ip", "-n", nsA, "link", "add", "ul0", "type", "veth", "peer", "name", "ul0", "netns", nsB)
	for _, n := range []*testNode{a, b} {
		ns := n.ovs.NetNS()
		sh(t, "ip", "-n", ns, "addr", "add", n.nodeIP+"/24", "dev", "ul0")
		sh(t, "ip", "-n", ns, "link", "set", "ul0", "up")
		sh(t, "ip", "netns", "exec", ns, "ethtool", "-K", "ul0", "tx", "off")
	}
}

// setupNetwork runs what the agent runs: gateway, forwarding, pipeline
// with the gateway flows (AllowHostIngress as the agent does).
func (n *testNode) setupNetwork(t *testing.T, ctx context.Context) {
	t.Helper()
	var err error
	n.gw, err = SetupGateway(ctx, n.db, GatewayConfig{NetNS: n.netns, Bridge: n.br, PodCIDRs: []netip.Prefix{n.cidr}})
	require.NoError(t, err)
	require.NoError(t, EnableForwarding(ForwardingConfig{NetNS: n.netns, Gateway: n.gw.Name, IsolateNewLinks: true}))
	n.host = &ovstest.Pod{Name: n.name + "-host", NetNS: n.ovs.NetNS(), IP: n.gw.IPs[0].String() + "/24"}
	n.pl = startPipeline(t, ctx, n.ovs.BridgeMgmtSocket(n.br), &pipeline.Gateway{OFPort: n.gw.OFPort, MAC: n.gw.MAC,
		IPs: []net.IP{n.gw.IPs[0].AsSlice()}, PodCIDRs: n.gw.PodCIDRs, AllowHostIngress: true})
}

// startPipeline connects a pipeline to the bridge until the test ends.
func startPipeline(t *testing.T, ctx context.Context, mgmt string, gw *pipeline.Gateway) *pipeline.Pipeline {
	t.Helper()
	var pl *pipeline.Pipeline
	client, err := openflow.NewClient(openflow.ClientConfig{
		Conn: openflow.Config{Addr: "unix:" + mgmt},
		OnConnect: func(ctx context.Context, c *openflow.Conn, reconnect bool) error {
			return pl.OnConnect(ctx, c, reconnect)
		},
		MaxBackoff: 500 * time.Millisecond,
	})
	require.NoError(t, err)
	pl, err = pipeline.New(pipeline.Config{Switch: client, PacketInRate: 100, Gateway: gw})
	require.NoError(t, err)
	// Reject replies and audit logging, as in the agent.
	handler, err := packetin.NewHandler(packetin.Config{Rules: pl.Policies(), Pods: pl.Pods(), Sender: packetSender{client},
		Log:       packetin.NewAuditLog(packetin.AuditLogConfig{Path: filepath.Join(t.TempDir(), "np.log")}),
		TableName: pipeline.TableName, RemoteRejectTable: pipeline.L3Forwarding})
	require.NoError(t, err)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{}, 2)
	go func() {
		defer func() { done <- struct{}{} }()
		_ = client.Run(runCtx)
	}()
	go func() {
		defer func() { done <- struct{}{} }()
		handler.Run(runCtx, client.PacketIns())
	}()
	t.Cleanup(func() { cancel(); <-done; <-done })
	_, err = client.Conn(ctx)
	require.NoError(t, err)
	return pl
}

// packetSender sends packet-outs on the client's current connection.
type packetSender struct{ client *openflow.Client }

func (s packetSender) SendPacketOut(ctx context.Context, po openflow.PacketOut) error {
	conn, err := s.client.Conn(ctx)
	if err != nil {
		return err
	}
	return conn.Send(ctx, po)
}

// addPod adds Pod i (10.244.k.1i, ofport 10+i) with its flows and a
// default route via the gateway.
func (n *testNode) addPod(t *testing.T, ctx context.Context, name string, i int) {
	t.Helper()
	ip := netip.MustParseAddr(fmt.Sprintf("10.244.%d.%d", n.cidr.Addr().As4()[2], 10+i))
	mac := fmt.Sprintf("02:00:00:00:%02x:%02x", n.cidr.Addr().As4()[2], 10+i)
	p, err := n.ovs.AddPod(n.br, ovstest.PodConfig{Name: name, IP: ip.String() + "/24", MAC: mac, OFPort: int32(10 + i)})
	require.NoError(t, err)
	sh(t, "ip", "-n", p.NetNS, "route", "add", "default", "via", n.gw.IPs[0].String())
	hw, err := net.ParseMAC(p.MAC)
	require.NoError(t, err)
	require.NoError(t, n.pl.Pods().AddPod(ctx, pipeline.Pod{Ref: podRef(name), OFPort: p.OFPort, MAC: hw,
		IPs: []net.IP{ip.AsSlice()}}))
	n.pods[name] = p
}

func podRef(name string) types.PodRef { return types.PodRef{Namespace: "default", Name: name} }

// startRoutes runs the node's route controller until the test ends and
// waits for its first reconcile.
func (n *testNode) startRoutes(t *testing.T, ctx context.Context, kube kubernetes.Interface) {
	t.Helper()
	var err error
	n.routes, err = NewRouteController(RouteControllerConfig{NodeName: n.name, Kube: kube, NetNS: n.netns,
		LocalPodCIDRs: []netip.Prefix{n.cidr}, ResyncPeriod: time.Second})
	require.NoError(t, err)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- n.routes.Run(runCtx) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	require.NoError(t, poll(ctx, "the first route reconcile of "+n.name, n.routes.HasSynced))
}

// settle flushes the datapath flow cache after a flow change.
func (n *testNode) settle(t *testing.T) {
	t.Helper()
	out, err := n.ovs.AppCtl("revalidator/purge")
	require.NoError(t, err, out)
}

// hostRoutes lists the routes of the node's main table as "dst via gw
// proto N".
func (n *testNode) hostRoutes(t *testing.T) []string {
	t.Helper()
	h, err := openHandle(n.netns)
	require.NoError(t, err)
	defer h.Close()
	rs, err := h.RouteListFiltered(netlink.FAMILY_V4, &netlink.Route{Table: 254}, netlink.RT_FILTER_TABLE)
	require.NoError(t, err)
	var out []string
	for _, r := range rs {
		dst, ok := routeDst(r)
		if !ok || !routeVia(r).IsValid() {
			continue
		}
		out = append(out, fmt.Sprintf("%s via %s proto %d", dst, routeVia(r), r.Protocol))
	}
	return out
}

// poll waits for cond, checking every 50ms, for at most 30s.
func poll(ctx context.Context, what string, cond func() bool) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", what, ctx.Err())
		case <-tick.C:
		}
	}
	return nil
}

// traffic runs TCP and UDP echo exchanges between endpoints (namespaces
// with an IP), starting servers on demand.
type traffic struct {
	t       *testing.T
	ctx     context.Context
	mu      sync.Mutex
	servers map[string]bool
	debug   []*testNode
}

func newTraffic(t *testing.T, ctx context.Context) *traffic {
	return &traffic{t: t, ctx: ctx, servers: map[string]bool{}}
}

func epIP(p *ovstest.Pod) string { return strings.Split(p.IP, "/")[0] }

// serve starts (once) TCP and UDP echo servers on the endpoint's port.
func (tr *traffic) serve(to *ovstest.Pod, port int) {
	tr.t.Helper()
	key := fmt.Sprintf("%s:%d", to.NetNS, port)
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if tr.servers[key] {
		return
	}
	var l net.Listener
	var pc net.PacketConn
	err := to.Do(func() (err error) {
		if l, err = net.Listen("tcp", fmt.Sprintf(":%d", port)); err != nil {
			return err
		}
		pc, err = net.ListenPacket("udp", fmt.Sprintf(":%d", port))
		return err
	})
	require.NoError(tr.t, err)
	tr.t.Cleanup(func() { _ = l.Close(); _ = pc.Close() })
	tr.servers[key] = true
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_, _ = io.Copy(c, c)
			}()
		}
	}()
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

// tcp connects, echoes a line and closes.
func (tr *traffic) tcp(from, to *ovstest.Pod, port int, timeout time.Duration) error {
	tr.serve(to, port)
	ctx, cancel := context.WithTimeout(tr.ctx, timeout)
	defer cancel()
	c, err := from.Dial(ctx, "tcp", fmt.Sprintf("%s:%d", epIP(to), port))
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(timeout)); err != nil {
		return err
	}
	if _, err := c.Write([]byte("ping\n")); err != nil {
		return err
	}
	buf := make([]byte, 5)
	_, err = io.ReadFull(c, buf)
	return err
}

// udp sends datagrams every 300ms until one is echoed or timeout passes.
func (tr *traffic) udp(from, to *ovstest.Pod, port int, timeout time.Duration) error {
	tr.serve(to, port)
	c, err := from.Dial(tr.ctx, "udp", fmt.Sprintf("%s:%d", epIP(to), port))
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
		next := time.Now().Add(300 * time.Millisecond)
		if next.After(deadline) {
			next = deadline
		}
		_ = c.SetReadDeadline(next)
		m, err := c.Read(buf)
		if err == nil && string(buf[:m]) == "ping" {
			return nil
		}
		if err != nil && !isTimeout(err) {
			return err
		}
	}
	return fmt.Errorf("no UDP echo from %s:%d within %s: %w", epIP(to), port, timeout, context.DeadlineExceeded)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// expect checks TCP and UDP between two endpoints: both work or both are
// dropped (time out).
func (tr *traffic) expect(t *testing.T, from, to *ovstest.Pod, port int, ok bool) {
	t.Helper()
	desc := fmt.Sprintf("%s -> %s:%d", from.Name, to.Name, port)
	if ok {
		require.NoError(t, tr.tcp(from, to, port, allowTimeout), "tcp %s should connect", desc)
		require.NoError(t, tr.udp(from, to, port, allowTimeout), "udp %s should answer", desc)
		return
	}
	err := tr.tcp(from, to, port, blockTimeout)
	require.True(t, err != nil && isTimeout(err), "tcp %s should be dropped, got %v", desc, err)
	err = tr.udp(from, to, port, blockTimeout)
	if err == nil || !isTimeout(err) {
		for _, n := range tr.debug {
			out, _ := n.ovs.AppCtl("dpctl/dump-conntrack")
			flows, _ := n.ovs.OFCtl("-O", "OpenFlow15", "--names", "--no-stats", "dump-flows", n.br)
			t.Logf("%s conntrack:\n%s\nflows:\n%s", n.name, out, flows)
		}
	}
	require.True(t, err != nil && isTimeout(err), "udp %s should be dropped, got %v", desc, err)
}

func ovsdbFilter(bridge, name string) ovsdb.PortFilter {
	return ovsdb.PortFilter{Bridge: bridge, Name: name}
}
