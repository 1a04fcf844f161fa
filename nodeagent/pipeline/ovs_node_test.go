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
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/strata-net/strata/nodeagent/ovs/openflow"
	"github.com/strata-net/strata/nodeagent/ovs/ovsdb"
	"github.com/strata-net/strata/nodeagent/ovs/ovstest"
	"github.com/strata-net/strata/nodeagent/types"
)

const (
	allowTimeout = 5 * time.Second
	// blockTimeout is how long a dial must fail to count as dropped.
	blockTimeout = 1500 * time.Millisecond
)

// testNode is a private OVS with one netdev bridge, namespace pods and an
// agent: an openflow Client whose OnConnect replays a Pipeline.
type testNode struct {
	t    testing.TB // for assertions: the current (sub)test
	root testing.TB // for cleanups
	ctx  context.Context
	ovs  *ovstest.Instance
	br   string
	mgmt string
	db   *ovsdb.Client
	pods map[string]*ovstest.Pod
	// agent is the current agent; restartAgent replaces it.
	agent *testAgent

	// gateway, when set before the first agent starts, goes into every
	// agent's pipeline; hosts are endpoints that are not Pods of the bridge
	// (the gateway's host namespace, namespaces behind it).
	gateway *Gateway
	hosts   map[string]*ovstest.Pod
	// fqdns, when set before an agent starts, resolves FQDN peers (and
	// turns the DNS interception on).
	fqdns FQDNResolver

	mu      sync.Mutex
	servers map[string]bool
	// traced counts the decisions TestOVSTraceAgreesWithVerdict compared.
	traced map[string]int
}

// testAgent is one agent process: its pipeline and OpenFlow client.
type testAgent struct {
	pl     *Pipeline
	client *openflow.Client
	stop   context.CancelFunc
	done   chan struct{}
}

// startNode starts OVS, a bridge with named tables, an agent of round 1 and
// pods pod1..podN at 10.77.0.1N/24, ofport N, MAC 02:00:00:00:00:1N.
func startNode(t testing.TB, npods int) *testNode {
	t.Helper()
	return startNodeWith(t, npods, nil)
}

// startNodeWith is startNode with a hook that runs once the bridge exists,
// before the agent starts (to add a gateway).
func startNodeWith(t testing.TB, npods int, beforeAgent func(n *testNode)) *testNode {
	t.Helper()
	ovstest.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	n := &testNode{t: t, root: t, ctx: ctx, ovs: ovstest.StartOVS(t), br: ovstest.UniqueName("br"),
		pods: map[string]*ovstest.Pod{}, hosts: map[string]*ovstest.Pod{}, servers: map[string]bool{}}
	var err error
	n.mgmt, err = n.ovs.AddBridge(n.br)
	require.NoError(t, err)
	n.db, err = ovsdb.Connect(ctx, n.ovs.DBSocket())
	require.NoError(t, err)
	t.Cleanup(func() { _ = n.db.Close() })
	require.NoError(t, NameTables(ctx, n.db, n.br))
	if beforeAgent != nil {
		beforeAgent(n)
	}
	n.agent = n.startAgent(1)
	for i := 1; i <= npods; i++ {
		name := fmt.Sprintf("pod%d", i)
		pod, err := n.ovs.AddPod(n.br, ovstest.PodConfig{Name: name, IP: fmt.Sprintf("10.77.0.1%d/24", i),
			MAC: fmt.Sprintf("02:00:00:00:00:1%d", i), OFPort: int32(i)})
		require.NoError(t, err)
		n.pods[name] = pod
	}
	n.addPods(n.agent)
	return n
}

// startAgent starts a pipeline of the given round and its OpenFlow client,
// and waits for the first replay.
func (n *testNode) startAgent(round uint16) *testAgent {
	n.t.Helper()
	a := &testAgent{done: make(chan struct{})}
	var err error
	a.client, err = openflow.NewClient(openflow.ClientConfig{
		Conn: openflow.Config{Addr: "unix:" + n.mgmt, PacketInQueue: 256},
		OnConnect: func(ctx context.Context, c *openflow.Conn, reconnect bool) error {
			return a.pl.OnConnect(ctx, c, reconnect)
		},
		MaxBackoff: 500 * time.Millisecond,
	})
	require.NoError(n.t, err)
	a.pl, err = New(Config{Switch: a.client, Round: round, PacketInRate: 100, Gateway: n.gateway, FQDNs: n.fqdns})
	require.NoError(n.t, err)
	ctx, cancel := context.WithCancel(n.ctx)
	a.stop = func() { cancel(); <-a.done }
	go func() {
		defer close(a.done)
		_ = a.client.Run(ctx)
	}()
	n.root.Cleanup(a.stop)
	_, err = a.client.Conn(n.ctx)
	require.NoError(n.t, err)
	return a
}

// addPods installs every pod's flows through the agent's PodFlows.
func (n *testNode) addPods(a *testAgent) {
	n.t.Helper()
	for name, pod := range n.pods {
		require.NoError(n.t, a.pl.Pods().AddPod(n.ctx, Pod{Ref: podRef(name), OFPort: pod.OFPort,
			MAC: mac(pod.MAC), IPs: ips(strings.Split(pod.IP, "/")[0])}))
	}
}

func (n *testNode) reconcile(rules ...*types.CompletedRule) {
	n.t.Helper()
	require.NoError(n.t, n.agent.pl.Policies().Reconcile(n.ctx, rules))
	n.settle()
}

// settle flushes the datapath flow cache. OVS applies a committed bundle to
// new upcalls at once, but megaflows cached in the datapath are revalidated
// asynchronously (a few ms later), so a packet sent right after the commit
// may still take the old path. Tests purge to check the new tables.
func (n *testNode) settle() {
	n.t.Helper()
	out, err := n.ovs.AppCtl("revalidator/purge")
	require.NoError(n.t, err, out)
}

func (n *testNode) forget(rules ...*types.CompletedRule) {
	n.t.Helper()
	ids := make([]types.RuleID, len(rules))
	for i, r := range rules {
		ids[i] = r.ID
	}
	require.NoError(n.t, n.agent.pl.Policies().Forget(n.ctx, ids))
	n.settle()
}

func (n *testNode) ip(pod string) string { return strings.Split(n.endpoint(pod).IP, "/")[0] }

// endpoint is a Pod or a host endpoint by name.
func (n *testNode) endpoint(name string) *ovstest.Pod {
	if p, ok := n.pods[name]; ok {
		return p
	}
	return n.hosts[name]
}

// serve starts (once) an echo server on pod:port.
func (n *testNode) serve(pod string, port int) {
	n.t.Helper()
	key := fmt.Sprintf("%s:%d", pod, port)
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
				_, _ = io.Copy(c, c)
			}()
		}
	}()
}

// dial opens a TCP connection from one pod to a server on another.
func (n *testNode) dial(from, to string, port int, timeout time.Duration) (net.Conn, error) {
	n.serve(to, port)
	ctx, cancel := context.WithTimeout(n.ctx, timeout)
	defer cancel()
	return n.endpoint(from).Dial(ctx, "tcp", fmt.Sprintf("%s:%d", n.ip(to), port))
}

// echo sends a line on c and waits for it to come back.
func echo(c net.Conn, timeout time.Duration) error {
	if err := c.SetDeadline(time.Now().Add(timeout)); err != nil {
		return err
	}
	msg := []byte("ping\n")
	if _, err := c.Write(msg); err != nil {
		return err
	}
	buf := make([]byte, len(msg))
	_, err := io.ReadFull(c, buf)
	return err
}

// connect is one full exchange: connect, echo, close.
func (n *testNode) connect(from, to string, port int, timeout time.Duration) error {
	c, err := n.dial(from, to, port, timeout)
	if err != nil {
		return err
	}
	defer c.Close()
	return echo(c, timeout)
}

func (n *testNode) expectConnect(from, to string, port int) {
	n.t.Helper()
	require.NoError(n.t, n.connect(from, to, port, allowTimeout), "%s -> %s:%d should connect", from, to, port)
}

func (n *testNode) expectBlocked(from, to string, port int) {
	n.t.Helper()
	err := n.connect(from, to, port, blockTimeout)
	require.Error(n.t, err, "%s -> %s:%d should be dropped", from, to, port)
	require.True(n.t, errors.Is(err, context.DeadlineExceeded) || isTimeout(err),
		"%s -> %s:%d should time out (dropped), got %v", from, to, port, err)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// dumpFlows returns the flows OVS holds, optionally of one table.
func (n *testNode) dumpFlows(req openflow.FlowDescRequest) []openflow.FlowStats {
	n.t.Helper()
	conn, err := n.agent.client.Conn(n.ctx)
	require.NoError(n.t, err)
	flows, err := conn.DumpFlows(n.ctx, req)
	require.NoError(n.t, err)
	return flows
}

// requireInstalled checks that OVS holds exactly the agent's desired flows
// (and flows learned for sessionAffinity, which no agent installs).
func (n *testNode) requireInstalled() {
	n.t.Helper()
	n.agent.pl.mu.Lock()
	want := ofctlFormat{cookie: true}.flows(n.agent.pl.flows.all())
	n.agent.pl.mu.Unlock()
	var have []openflow.Flow
	for _, fs := range n.dumpFlows(openflow.FlowDescRequest{Table: openflow.TableAll}) {
		if (fs.Flow.Cookie&categoryMask)>>categoryShift != categoryAffinity {
			have = append(have, fs.Flow)
		}
	}
	require.Equal(n.t, want, ofctlFormat{cookie: true}.flows(have))
}
