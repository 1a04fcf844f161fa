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
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/strata-net/strata/nodeagent/openflow"
	"github.com/strata-net/strata/nodeagent/types"
)

// prober echoes on a connection in a loop and records every failure.
type prober struct {
	cancel context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex
	ok     int
	errs   []error
}

func probe(ctx context.Context, c net.Conn) *prober {
	ctx, cancel := context.WithCancel(ctx)
	p := &prober{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			err := echo(c, 2*time.Second)
			p.mu.Lock()
			if err != nil {
				p.errs = append(p.errs, err)
			} else {
				p.ok++
			}
			p.mu.Unlock()
		}
	}()
	return p
}

func (p *prober) stop() (ok int, errs []error) {
	p.cancel()
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.ok, p.errs
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
// keeps echoing. Nothing is dropped, and only round 2 is left.
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
	p := probe(n.ctx, c)

	n.agent.stop() // the old agent dies; its flows stay in OVS
	round, err = NextRound(n.ctx, n.db, n.br)
	require.NoError(t, err)
	require.Equal(t, Round{Prev: 1, Next: 2}, round)
	n.agent = n.startAgent(round.Next)
	n.addPods(n.agent)
	n.reconcile(restartRules(n)...)
	require.NoError(t, n.agent.pl.DeleteRound(n.ctx, round.Prev))
	require.NoError(t, SaveRound(n.ctx, n.db, n.br, round.Next))
	n.settle()
	require.NoError(t, echo(c, allowTimeout))

	ok, errs := p.stop()
	assert.Empty(t, errs, "the long-lived connection must not notice the restart")
	assert.Positive(t, ok)
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
