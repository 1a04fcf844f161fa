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
	"bytes"
	"context"
	"encoding/binary"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testControllerID = 0x1234

// TestOVSControllerPacketIn2: a controller() flow delivers an NXT_PACKET_IN2
// with the userdata, registers, table and cookie we set.
func TestOVSControllerPacketIn2(t *testing.T) {
	tp := startTwoPods(t, Config{ControllerID: testControllerID})
	const cookie = 0x1020000000003
	logFlow := Flow{Table: 0, Priority: 300, Cookie: cookie, Match: MustMatch(EthType(EthTypeIPv4), UDPDst(5555)),
		Instructions: Apply(LoadReg(2, 14, 0, 8), LoadReg(0, 2, 25, 7),
			Controller{Reason: ReasonNoMatch, ID: testControllerID, Userdata: []byte{0x01, 0x02}})}
	require.NoError(t, tp.conn.BundleFlowMods(tp.ctx, append(tp.policyPipeline(), AddFlow(logFlow))))

	var got *PacketIn2
	pollUntil(t, 20*time.Second, "a packet-in for udp/5555", func() bool {
		sendUDP(t, tp.p1, "10.77.0.12:5555", "log me")
		select {
		case got = <-tp.conn.PacketIns():
			return true
		case <-time.After(200 * time.Millisecond):
			return false
		}
	})
	assert.Equal(t, []byte{1, 2}, got.Userdata)
	assert.Equal(t, uint8(0), got.TableID)
	assert.Equal(t, uint64(cookie), got.Cookie)
	assert.Equal(t, ReasonNoMatch, got.Reason)
	assert.Equal(t, uint32(14), got.Reg(2))
	assert.Equal(t, uint32(2<<25), got.Reg(0))
	inPort, ok := got.Field(FieldInPort)
	require.True(t, ok)
	assert.Equal(t, uint64(1), inPort.Uint())
	assert.True(t, bytes.Contains(got.Packet, []byte("log me")), "the frame is in the packet-in")
}

func sendUDP(t *testing.T, from interface {
	Dial(context.Context, string, string) (net.Conn, error)
}, addr, payload string) {
	t.Helper()
	c, err := from.Dial(context.Background(), "udp", addr)
	require.NoError(t, err)
	defer c.Close()
	_, _ = c.Write([]byte(payload))
}

// TestOVSPacketOutReachesPod: a PACKET_OUT with a hand-built UDP frame is
// delivered to the pod's socket.
func TestOVSPacketOutReachesPod(t *testing.T) {
	tp := startTwoPods(t, Config{})
	var pc net.PacketConn
	var err error
	require.NoError(t, tp.p2.Do(func() (err error) {
		pc, err = net.ListenPacket("udp", ":7777")
		return err
	}))
	defer pc.Close()
	frame := udpFrame(net.HardwareAddr{2, 0, 0, 0, 0, 0x11}, net.HardwareAddr{2, 0, 0, 0, 0, 0x12},
		net.IPv4(10, 77, 0, 11), net.IPv4(10, 77, 0, 12), 40000, 7777, []byte("from controller"))
	po := PacketOut{InPort: PortController, Actions: []Action{Output{Port: uint32(tp.p2.OFPort)}}, Data: frame}
	buf := make([]byte, 64)
	var n int
	pollUntil(t, 20*time.Second, "the packet-out at the pod", func() bool {
		require.NoError(t, tp.conn.Exec(tp.ctx, po))
		_ = pc.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		n, _, err = pc.ReadFrom(buf)
		return err == nil
	})
	assert.Equal(t, "from controller", string(buf[:n]))
}

// udpFrame builds Ethernet/IPv4/UDP with a valid IP checksum (UDP checksum 0).
func udpFrame(src, dst net.HardwareAddr, sip, dip net.IP, sport, dport uint16, payload []byte) []byte {
	b := append(append(append([]byte{}, dst...), src...), 0x08, 0x00)
	ip := make([]byte, 20)
	ip[0], ip[8], ip[9] = 0x45, 64, 17
	binary.BigEndian.PutUint16(ip[2:], uint16(20+8+len(payload)))
	copy(ip[12:], sip.To4())
	copy(ip[16:], dip.To4())
	var sum uint32
	for i := 0; i < 20; i += 2 {
		sum += uint32(binary.BigEndian.Uint16(ip[i:]))
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	binary.BigEndian.PutUint16(ip[10:], ^uint16(sum))
	udp := make([]byte, 8)
	binary.BigEndian.PutUint16(udp, sport)
	binary.BigEndian.PutUint16(udp[2:], dport)
	binary.BigEndian.PutUint16(udp[4:], uint16(8+len(payload)))
	return append(append(append(b, ip...), udp...), payload...)
}

// TestOVSReconnectSignalsReplay: after an ovs-vswitchd restart the client
// reconnects, calls OnConnect with reconnect=true, and the replayed flows
// are back.
func TestOVSReconnectSignalsReplay(t *testing.T) {
	b := startBridge(t, Config{})
	flows := []FlowMod{AddFlow(simpleFlow(0, 10, 7, 1)), AddFlow(simpleFlow(3, 20, 7, 2))}
	replays := make(chan bool, 8)
	cl, err := NewClient(ClientConfig{
		Conn: Config{Addr: "unix:" + b.mgmt, EchoInterval: time.Second, EchoTimeout: 2 * time.Second},
		OnConnect: func(ctx context.Context, c *Conn, reconnect bool) error {
			if err := c.Exec(ctx, DeleteAllGroups(), DeleteAllMeters()); err != nil {
				return err
			}
			if err := c.BundleFlowMods(ctx, flows); err != nil {
				return err
			}
			replays <- reconnect
			return nil
		},
		MinBackoff: 50 * time.Millisecond, MaxBackoff: 500 * time.Millisecond,
	})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(b.ctx)
	defer cancel()
	go func() { _ = cl.Run(ctx) }()
	require.False(t, waitReplay(t, replays))

	require.NoError(t, b.ovs.RestartVSwitchd())
	require.True(t, waitReplay(t, replays), "reconnect must be signalled")
	c, err := cl.Conn(ctx)
	require.NoError(t, err)
	got, err := c.DumpFlows(ctx, FlowDescRequest{Table: TableAll})
	require.NoError(t, err)
	assert.Len(t, got, len(flows), "flows replayed after the restart")
	assert.GreaterOrEqual(t, cl.Connects(), int64(2))
}

func waitReplay(t *testing.T, replays chan bool) bool {
	t.Helper()
	select {
	case r := <-replays:
		return r
	case <-time.After(60 * time.Second):
		t.Fatal("no (re)connect within 60s")
		return false
	}
}
