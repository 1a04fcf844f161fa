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

package openflow

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-net/strata/nodeagent/ovs/ovstest"
)

const ctZone = 0xfff0

type twoPods struct {
	*ovsBridge
	p1, p2 *ovstest.Pod
}

func startTwoPods(t *testing.T, cfg Config) *twoPods {
	t.Helper()
	b := startBridge(t, cfg)
	p1, err := b.ovs.AddPod(b.name, ovstest.PodConfig{Name: "p1", IP: "10.77.0.11/24", MAC: "02:00:00:00:00:11", OFPort: 1})
	require.NoError(t, err)
	p2, err := b.ovs.AddPod(b.name, ovstest.PodConfig{Name: "p2", IP: "10.77.0.12/24", MAC: "02:00:00:00:00:12", OFPort: 2})
	require.NoError(t, err)
	return &twoPods{ovsBridge: b, p1: p1, p2: p2}
}

// policyPipeline is a miniature of the agent pipeline: ARP by NORMAL, IP
// through conntrack, established bypass, a conjunctive allow rule for
// p1 -> p2 tcp/8080 that commits (with the rule id in ct_label), default
// drop, and L2 forwarding by destination MAC via reg1.
func (tp *twoPods) policyPipeline() []FlowMod {
	p2ip := netip.MustParsePrefix("10.77.0.12/32")
	p1ip := netip.MustParsePrefix("10.77.0.11/32")
	const cookie = 1<<48 | 2<<40
	flows := []Flow{
		{Table: 0, Priority: 200, Match: MustMatch(EthType(EthTypeARP)), Instructions: Apply(Output{Port: PortNormal})},
		{Table: 0, Priority: 100, Match: MustMatch(EthType(EthTypeIPv4)), Instructions: Apply(CT{Zone: ctZone, Recirc: true, Table: 1, Actions: []Action{NAT{}}})},
		{Table: 1, Priority: 210, Match: MustMatch(EthType(EthTypeIPv4), CTState(CTStateEst|CTStateTrk, CTStateNew|CTStateEst|CTStateTrk)), Instructions: Goto(3)},
		{Table: 1, Priority: 200, Cookie: cookie | 1, Match: MustMatch(IPv4Src(p1ip)), Instructions: Apply(Conjunction{ID: 1, Clause: 1, NClauses: 3})},
		{Table: 1, Priority: 200, Cookie: cookie | 1, Match: MustMatch(IPv4Dst(p2ip)), Instructions: Apply(Conjunction{ID: 1, Clause: 2, NClauses: 3})},
		{Table: 1, Priority: 200, Cookie: cookie | 1, Match: MustMatch(EthType(EthTypeIPv4), TCPDst(8080)), Instructions: Apply(Conjunction{ID: 1, Clause: 3, NClauses: 3})},
		{Table: 1, Priority: 200, Cookie: cookie | 1, Match: MustMatch(ConjID(1), EthType(EthTypeIPv4)), Instructions: Apply(
			SetFieldUint(Reg(6), 1),
			CT{Commit: true, Zone: ctZone, Recirc: true, Table: 3, Actions: []Action{SetField{Value: CTLabelMasked(Uint128{Lo: 1}, Uint128{Lo: 0xffffffff})}}},
		)},
		{Table: 3, Priority: 200, Match: MustMatch(EthDst(net.HardwareAddr{2, 0, 0, 0, 0, 0x11})), Instructions: Apply(SetFieldUint(Reg(1), 1), OutputToReg(1))},
		{Table: 3, Priority: 200, Match: MustMatch(EthDst(net.HardwareAddr{2, 0, 0, 0, 0, 0x12})), Instructions: Apply(SetFieldUint(Reg(1), 2), OutputToReg(1))},
	}
	mods := make([]FlowMod, len(flows))
	for i, f := range flows {
		mods[i] = AddFlow(f)
	}
	return mods
}

func serveTCP(t *testing.T, p *ovstest.Pod, addr string) {
	t.Helper()
	l, err := p.Listen("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 64)
			n, _ := c.Read(buf)
			_, _ = c.Write(buf[:n])
			_ = c.Close()
		}
	}()
}

func tcpEcho(ctx context.Context, p *ovstest.Pod, addr string) error {
	c, err := p.Dial(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if d, ok := ctx.Deadline(); ok {
		_ = c.SetDeadline(d)
	}
	if _, err := c.Write([]byte("ping")); err != nil {
		return err
	}
	buf := make([]byte, 4)
	_, err = c.Read(buf)
	return err
}

// TestOVSPodTrafficFollowsFlows: TCP from p1 to p2 connects on the allowed
// port and times out on another one, as the installed flows say.
func TestOVSPodTrafficFollowsFlows(t *testing.T) {
	tp := startTwoPods(t, Config{})
	require.NoError(t, tp.conn.BundleFlowMods(tp.ctx, tp.policyPipeline()))
	serveTCP(t, tp.p2, ":8080")
	serveTCP(t, tp.p2, ":9090")

	ctx, cancel := context.WithTimeout(tp.ctx, 10*time.Second)
	defer cancel()
	require.NoError(t, tcpEcho(ctx, tp.p1, "10.77.0.12:8080"), "allowed by the conjunction")

	ctx2, cancel2 := context.WithTimeout(tp.ctx, 2*time.Second)
	defer cancel2()
	err := tcpEcho(ctx2, tp.p1, "10.77.0.12:9090")
	require.Error(t, err, "tcp/9090 is not allowed: default drop")
	assert.True(t, errors.Is(err, context.DeadlineExceeded) || isTimeout(err), "expected a timeout, got %v", err)

	stats, err := tp.conn.DumpFlows(tp.ctx, FlowDescRequest{Table: 1, Match: MustMatch(ConjID(1), EthType(EthTypeIPv4))})
	require.NoError(t, err)
	require.Len(t, stats, 1)
	assert.Equal(t, uint64(1), stats[0].PacketCount, "one SYN committed by the allow rule")
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
