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
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/strata-net/strata/nodeagent/ovs/openflow"
	"github.com/strata-net/strata/nodeagent/types"
)

// probeTimeout is how long one echo of a prober may take.
const probeTimeout = 2 * time.Second

// prober owns a connection: from the moment it starts, it echoes on it back
// to back, and stops at the first failure. Nothing else may read or write
// the connection until stop returns.
type prober struct {
	cancel context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex
	ok     int   // echoes that came back
	err    error // the failure that stopped the prober
}

func probe(ctx context.Context, c net.Conn) *prober {
	ctx, cancel := context.WithCancel(ctx)
	p := &prober{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		for ctx.Err() == nil {
			err := echo(c, probeTimeout)
			p.mu.Lock()
			if err != nil && ctx.Err() == nil {
				p.err = fmt.Errorf("echo %d: %w", p.ok+1, err)
			} else if err == nil {
				p.ok++
			}
			failed := p.err != nil
			p.mu.Unlock()
			if failed {
				return
			}
		}
	}()
	return p
}

func (p *prober) state() (ok int, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.ok, p.err
}

// requireEcho waits until the prober has completed an echo that it sent
// after the call: one that may have been in flight at the call does not
// count, so the connection is proven to work in the datapath's state of
// now. It fails at once if the prober failed.
func (p *prober) requireEcho(t *testing.T, ctx context.Context, after string) {
	t.Helper()
	mark, _ := p.state()
	err := wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, allowTimeout, true,
		func(context.Context) (bool, error) {
			ok, err := p.state()
			return ok >= mark+2, err
		})
	require.NoError(t, err, "waiting for the long-lived connection to echo %s", after)
}

// stop stops the prober and returns what it did; the connection is the
// caller's again.
func (p *prober) stop() (ok int, err error) {
	p.cancel()
	<-p.done
	return p.state()
}

// retransmissions is the number of segments the kernel retransmitted on a
// TCP connection: each one is a segment, or its acknowledgement, that the
// datapath dropped (or held longer than the retransmission timeout, at
// least 200 ms).
func retransmissions(c net.Conn) (uint32, error) {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return 0, fmt.Errorf("%T is not a TCP connection", c)
	}
	raw, err := tc.SyscallConn()
	if err != nil {
		return 0, fmt.Errorf("getting the socket of %s: %w", c.LocalAddr(), err)
	}
	var info *unix.TCPInfo
	var infoErr error
	if err := raw.Control(func(fd uintptr) {
		info, infoErr = unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO)
	}); err != nil {
		return 0, fmt.Errorf("reading TCP_INFO of %s: %w", c.LocalAddr(), err)
	}
	if infoErr != nil {
		return 0, fmt.Errorf("reading TCP_INFO of %s: %w", c.LocalAddr(), infoErr)
	}
	return info.Total_retrans, nil
}

func restartRules(n *testNode) []*types.CompletedRule {
	return []*types.CompletedRule{
		rule(k8snp("k8s", in), targets("pod2"), n.peer("pod1"), tcp(5050)),
		rule(acnp("drop", 250, 5, 0, in, drop), targets("pod2"), nil, tcp(9090)),
		rule(acnp("reject", 250, 5, 1, in, reject), targets("pod2"), nil, tcp(9091)),
	}
}

// TestOVSAgentRestartRound restarts the agent: the new one installs round
// 2 (same Pods and rules), then deletes round 1, while a TCP connection
// keeps echoing. After every step of the restart the datapath cache is
// flushed, so packets take the flow tables as they are then, and the
// connection must echo again; it must never fail, nor lose a segment.
// Only round 2 is left.
func TestOVSAgentRestartRound(t *testing.T) {
	n := startNode(t, 3)
	round, err := NextRound(n.ctx, n.db, n.br)
	require.NoError(t, err)
	require.Equal(t, Round{Prev: 0, Next: 1}, round)
	n.reconcile(restartRules(n)...)
	require.NoError(t, SaveRound(n.ctx, n.db, n.br, round.Next))
	c, err := n.dial("pod1", "pod2", 5050, allowTimeout)
	require.NoError(t, err)
	defer c.Close()
	retrans, err := retransmissions(c)
	require.NoError(t, err)
	p := probe(n.ctx, c)
	defer p.stop()
	p.requireEcho(t, n.ctx, "before the restart")

	steps := []struct {
		name string
		do   func()
	}{
		{"the old agent stops; its flows stay in OVS", func() { n.agent.stop() }},
		{"the new agent connects and replays its static flows", func() {
			round, err = NextRound(n.ctx, n.db, n.br)
			require.NoError(t, err)
			require.Equal(t, Round{Prev: 1, Next: 2}, round)
			n.agent = n.startAgent(round.Next)
		}},
		{"the new agent adds the Pods", func() { n.addPods(n.agent) }},
		{"the new agent reconciles the rules", func() { n.reconcile(restartRules(n)...) }},
		{"the new agent deletes round 1", func() {
			require.NoError(t, n.agent.pl.DeleteRound(n.ctx, round.Prev))
			require.NoError(t, SaveRound(n.ctx, n.db, n.br, round.Next))
		}},
	}
	for _, step := range steps {
		step.do()
		n.settle()
		p.requireEcho(t, n.ctx, "after "+step.name)
	}

	ok, err := p.stop()
	require.NoError(t, err, "the long-lived connection must not notice the restart")
	require.GreaterOrEqual(t, ok, 2*(len(steps)+1), "echoes before the restart and after each step")
	after, err := retransmissions(c)
	require.NoError(t, err)
	assert.Equal(t, retrans, after, "no segment of the long-lived connection is lost (TCP retransmitted none)")
	require.NoError(t, echo(c, allowTimeout), "the connection is the test's again")
	stale := n.dumpFlows(openflow.FlowDescRequest{Table: openflow.TableAll, Cookie: RoundCookie(1), CookieMask: RoundMask})
	assert.Empty(t, stale, "round 1 is deleted")
	n.requireInstalled()
	n.expectConnect("pod1", "pod2", 5050)
	n.expectBlocked("pod1", "pod2", 4040) // K8s isolation
	n.expectBlocked("pod3", "pod2", 9090)
	require.Error(t, n.agent.pl.DeleteRound(n.ctx, round.Next), "the current round is never deleted")
}

// TestOVSVSwitchdRestart restarts ovs-vswitchd: OVS loses every flow, the
// group and the meter; the client reconnects and OnConnect replays them.
// Traffic resumes, including a connection opened before the restart (the
// userspace conntrack is gone, so its next packets are re-evaluated).
func TestOVSVSwitchdRestart(t *testing.T) {
	n := startNode(t, 3)
	n.reconcile(restartRules(n)...)
	c, err := n.dial("pod1", "pod2", 5050, allowTimeout)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, echo(c, allowTimeout))
	connects := n.agent.client.Connects()

	require.NoError(t, n.ovs.RestartVSwitchd())
	require.NoError(t, wait.PollUntilContextTimeout(n.ctx, 50*time.Millisecond, 30*time.Second, true,
		func(context.Context) (bool, error) { return n.agent.client.Connects() > connects, nil }),
		"the client reconnects and replays")

	require.NoError(t, echo(c, allowTimeout), "the connection opened before the restart resumes")
	n.requireInstalled()
	n.expectConnect("pod1", "pod2", 5050)
	n.expectBlocked("pod1", "pod2", 4040)
	n.expectBlocked("pod3", "pod2", 9090)
	groups, err := n.ovs.OFCtl("-O", "OpenFlow15", "dump-groups", n.br)
	require.NoError(t, err)
	assert.Contains(t, groups, "group_id=1,type=all")
	meters, err := n.ovs.OFCtl("-O", "OpenFlow15", "dump-meters", n.br)
	require.NoError(t, err)
	assert.Contains(t, meters, "meter=256")
}
