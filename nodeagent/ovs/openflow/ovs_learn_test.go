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
	"encoding/binary"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	learnSrcTable      = 5
	learnAffinityTable = 7
	learnCookie        = 0x1020000000042
)

// affinityLearn is the Service ClientIP affinity learn action.
func affinityLearn(idle, hard uint16) Learn {
	return Learn{Table: learnAffinityTable, IdleTimeout: idle, HardTimeout: hard, Priority: 200,
		Flags: LearnDeleteLearned, Cookie: learnCookie,
		Specs: append([]LearnSpec{LearnMatchImm(FieldEthType, 0x800), LearnMatchImm(FieldIPProto, 6), LearnMatchOf(FieldTCPDst)}, affinityLoads...)}
}

// installLearnPipeline: table 0 loads the chosen endpoint (10.0.0.5:8080)
// into reg3/reg4 and resubmits to a table that runs learn.
func installLearnPipeline(t *testing.T, b *ovsBridge, l Learn) {
	t.Helper()
	tcp := MustMatch(EthType(EthTypeIPv4), IPProto(IPProtoTCP))
	require.NoError(t, b.conn.BundleFlowMods(b.ctx, []FlowMod{
		AddFlow(Flow{Table: 0, Priority: 100, Match: tcp, Instructions: Apply(
			SetFieldUint(Reg(3), 0x0a000005), LoadReg(4, 8080, 0, 16), ResubmitTable(learnSrcTable))}),
		AddFlow(Flow{Table: learnSrcTable, Priority: 100, Match: tcp, Instructions: Apply(l)}),
	}))
}

// sendSYN runs a TCP SYN 10.77.0.11:40000 -> 10.96.0.10:80 through table 0.
func sendSYN(t *testing.T, b *ovsBridge) {
	t.Helper()
	frame := tcpSYNFrame(net.HardwareAddr{2, 0, 0, 0, 0, 0x11}, net.HardwareAddr{2, 0, 0, 0, 0, 0x12},
		netip.MustParseAddr("10.77.0.11"), netip.MustParseAddr("10.96.0.10"), 40000, 80)
	require.NoError(t, b.conn.Exec(b.ctx, PacketOut{InPort: PortController, Actions: []Action{Output{Port: PortTable}}, Data: frame}))
}

func learnedFlows(t *testing.T, b *ovsBridge) []FlowStats {
	t.Helper()
	got, err := b.conn.DumpFlows(b.ctx, FlowDescRequest{Table: learnAffinityTable})
	require.NoError(t, err)
	return got
}

// TestOVSLearnAffinity: a packet through a flow with the affinity learn
// action makes OVS add the learned flow to the affinity table, with the
// match, loads, priority, cookie and timeout we asked for.
func TestOVSLearnAffinity(t *testing.T) {
	tests := []struct {
		name       string
		idle, hard uint16
		ofctlTime  string
	}{
		{name: "idle timeout", idle: 10800, ofctlTime: "idle_timeout=10800"},
		{name: "hard timeout", hard: 300, ofctlTime: "hard_timeout=300"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := startBridge(t, Config{})
			installLearnPipeline(t, b, affinityLearn(tc.idle, tc.hard))
			var got []FlowStats
			pollUntil(t, 20*time.Second, "the learned flow", func() bool {
				sendSYN(t, b)
				got = learnedFlows(t, b)
				return len(got) > 0
			})
			require.Len(t, got, 1)
			want := Flow{Table: learnAffinityTable, Priority: 200, Cookie: learnCookie, IdleTimeout: tc.idle, HardTimeout: tc.hard,
				Match: MustMatch(EthType(EthTypeIPv4), IPProto(IPProtoTCP), TCPDst(80),
					IPv4Src(netip.MustParsePrefix("10.77.0.11/32")), IPv4Dst(netip.MustParsePrefix("10.96.0.10/32"))),
				Instructions: Apply(SetFieldUint(Reg(3), 0x0a000005), LoadReg(4, 8080, 0, 16), LoadReg(4, 1, 17, 1))}
			assert.Equal(t, want.String(), got[0].Flow.String())
			assert.Equal(t, want, got[0].Flow)

			text := b.ofctl(t, "dump-flows", b.name, "table=7")
			assert.Contains(t, text, tc.ofctlTime)
			assert.Contains(t, text, "priority=200,tcp,nw_src=10.77.0.11,nw_dst=10.96.0.10,tp_dst=80 "+
				"actions=set_field:0xa000005->reg3,set_field:0x1f90/0xffff->reg4,set_field:0x20000/0x20000->reg4")

			// delete_learned: removing the learning flow removes what it learned.
			require.NoError(t, b.conn.Exec(b.ctx, FlowMod{Command: FlowDeleteStrict, Flow: Flow{Table: learnSrcTable, Priority: 100,
				Match: MustMatch(EthType(EthTypeIPv4), IPProto(IPProtoTCP))}}))
			pollUntil(t, 10*time.Second, "the learned flow to go with delete_learned", func() bool {
				return len(learnedFlows(t, b)) == 0
			})
		})
	}
}

// TestOVSLearnRefreshRestartsHardTimeout backs the timeout choice in Learn's
// doc: learning the same flow again restarts its hard timeout, so a
// hard_timeout learned flow lives until T after the last new connection.
func TestOVSLearnRefreshRestartsHardTimeout(t *testing.T) {
	b := startBridge(t, Config{})
	installLearnPipeline(t, b, affinityLearn(0, 2))
	pollUntil(t, 20*time.Second, "the learned flow", func() bool {
		sendSYN(t, b)
		return len(learnedFlows(t, b)) == 1
	})
	start := time.Now()
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for time.Since(start) < 4*time.Second { // twice the hard timeout
		sendSYN(t, b)
		require.NoError(t, b.conn.Barrier(b.ctx))
		require.Len(t, learnedFlows(t, b), 1, "re-learned every 250ms, the flow outlives its 2s hard timeout (at %v)", time.Since(start))
		<-tick.C
	}
	pollUntil(t, 10*time.Second, "the learned flow to expire once no packet re-learns it", func() bool {
		return len(learnedFlows(t, b)) == 0
	})
	assert.GreaterOrEqual(t, time.Since(start), 5*time.Second, "expired no earlier than 2s after the last refresh")
}

// tcpSYNFrame builds Ethernet/IPv4/TCP SYN with a valid IP checksum.
func tcpSYNFrame(src, dst net.HardwareAddr, sip, dip netip.Addr, sport, dport uint16) []byte {
	b := append(append(append([]byte{}, dst...), src...), 0x08, 0x00)
	ip := make([]byte, 20)
	ip[0], ip[8], ip[9] = 0x45, 64, 6
	binary.BigEndian.PutUint16(ip[2:], 40)
	copy(ip[12:], sip.AsSlice())
	copy(ip[16:], dip.AsSlice())
	var sum uint32
	for i := 0; i < 20; i += 2 {
		sum += uint32(binary.BigEndian.Uint16(ip[i:]))
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	binary.BigEndian.PutUint16(ip[10:], ^uint16(sum))
	tcp := make([]byte, 20)
	binary.BigEndian.PutUint16(tcp, sport)
	binary.BigEndian.PutUint16(tcp[2:], dport)
	tcp[12], tcp[13] = 5<<4, 0x02
	binary.BigEndian.PutUint16(tcp[14:], 64240)
	return append(append(b, ip...), tcp...)
}
