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

package packetin

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/strata-net/strata/nodeagent/ovs/openflow"
)

type fakeRules map[uint32]RuleInfo

func (f fakeRules) RuleByConjID(id uint32) (RuleInfo, bool) { r, ok := f[id]; return r, ok }

type fakePods map[string]PodPort

func (f fakePods) PodByIP(ip net.IP) (PodPort, bool) { p, ok := f[ip.String()]; return p, ok }

type fakeSender struct{ sent []openflow.PacketOut }

func (f *fakeSender) SendPacketOut(_ context.Context, po openflow.PacketOut) error {
	f.sent = append(f.sent, po)
	return nil
}

// packetIn builds a policy packet-in with the given registers.
func packetIn(t *testing.T, ops uint8, pkt []byte, regs map[int]uint32) openflow.PacketIn2 {
	t.Helper()
	var fields []openflow.MatchField
	for n, v := range regs {
		fields = append(fields, openflow.RegField(n, v))
	}
	m, err := openflow.NewMatch(fields...)
	if err != nil {
		t.Fatal(err)
	}
	return openflow.PacketIn2{Packet: pkt, Userdata: []byte{categoryNetworkPolicy, ops}, Metadata: m}
}

func newTestHandler(t *testing.T) (*Handler, *fakeSender, *bytes.Buffer, *[]func()) {
	t.Helper()
	var buf bytes.Buffer
	log := newAuditLog(&buf)
	var timers []func()
	log.after = func(_ time.Duration, f func()) { timers = append(timers, f) }
	sender := &fakeSender{}
	h, err := NewHandler(Config{
		Rules:  fakeRules{7: {PolicyRef: "AntreaClusterNetworkPolicy:acnp-reject", RuleName: "RejectWeb", Direction: "Ingress", Priority: 14498, LogLabel: "web"}},
		Pods:   fakePods{"10.0.0.1": {Namespace: "default", Name: "client", OFPort: 1}, "10.0.0.2": {Namespace: "default", Name: "server", OFPort: 2}},
		Sender: sender, Log: log, RemoteRejectTable: 10,
		TableName: func(id uint8) string {
			return map[uint8]string{13: "AntreaPolicyIngressRule", 15: "IngressDefaultRule"}[id]
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return h, sender, &buf, &timers
}

func TestRejectAndLog(t *testing.T) {
	h, sender, buf, timers := newTestHandler(t)
	syn := frame(net.ParseIP("10.0.0.1"), net.ParseIP("10.0.0.2"), protoTCP, tcpSYN(40000, 80, 1000))
	regs := map[int]uint32{regMarks: 1<<apDenyBit | 2<<dispositionShift, regTable: 13, regDenyConj: 7}
	for i := 0; i < 3; i++ { // a retransmitted SYN is folded into one line
		if err := h.Handle(context.Background(), packetIn(t, opLog|opReject, syn, regs)); err != nil {
			t.Fatal(err)
		}
	}
	if len(sender.sent) != 3 {
		t.Fatalf("%d packet-outs, want one per packet-in", len(sender.sent))
	}
	po := sender.sent[0]
	if po.InPort != 2 || len(po.Actions) != 2 || po.Actions[1] != (openflow.Output{Port: 1}) {
		t.Fatalf("packet-out in_port %d actions %v: want in_port 2 (the server) and output:1 (the client)", po.InPort, po.Actions)
	}
	if buf.Len() != 0 {
		t.Fatalf("a Drop/Reject line was written before its second: %q", buf.String())
	}
	(*timers)[0]()
	want := "AntreaPolicyIngressRule AntreaClusterNetworkPolicy:acnp-reject RejectWeb Ingress Reject 14498 default/server 10.0.0.1 40000 10.0.0.2 80 TCP 40 web [3 packets in"
	if got := buf.String(); !strings.Contains(got, want) || strings.Count(got, "\n") != 1 {
		t.Fatalf("np.log:\n%s\nwant one line containing %q", got, want)
	}
}

// TestHandlerResetsMidStreamSegment: a rejected segment of an established connection (seen
// as new after conntrack lost it) is answered with <SEQ=SEG.ACK><CTL=RST>,
// out of the client's port; a rejected reset is logged but not answered.
func TestHandlerResetsMidStreamSegment(t *testing.T) {
	h, sender, _, _ := newTestHandler(t)
	regs := map[int]uint32{regMarks: 1<<apDenyBit | 2<<dispositionShift, regTable: 13, regDenyConj: 7}
	data := frame(net.ParseIP("10.0.0.1"), net.ParseIP("10.0.0.2"), protoTCP,
		tcpSegment(40000, 80, 5000, 777, tcpFlagACK, 0, []byte("more")))
	if err := h.Handle(context.Background(), packetIn(t, opReject, data, regs)); err != nil {
		t.Fatal(err)
	}
	if len(sender.sent) != 1 || sender.sent[0].Actions[1] != (openflow.Output{Port: 1}) {
		t.Fatalf("packet-outs %v, want one out of the client's port", sender.sent)
	}
	rst, err := Parse(sender.sent[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	if rst.TCPSeq != 777 || rst.TCPAck != 0 || rst.TCPFlags != tcpFlagRST {
		t.Fatalf("seq %d ack %d flags %#x, want the RST at seq 777 without ACK", rst.TCPSeq, rst.TCPAck, rst.TCPFlags)
	}
	reset := frame(net.ParseIP("10.0.0.1"), net.ParseIP("10.0.0.2"), protoTCP, tcpSegment(40000, 80, 5004, 777, tcpFlagRST|tcpFlagACK, 0, nil))
	if err := h.Handle(context.Background(), packetIn(t, opLog|opReject, reset, regs)); err != nil {
		t.Fatal(err)
	}
	if len(sender.sent) != 1 {
		t.Fatalf("a rejected reset was answered: %v", sender.sent[1:])
	}
}

func TestLogK8sIsolationDrop(t *testing.T) {
	h, sender, buf, timers := newTestHandler(t)
	pkt := frame(net.ParseIP("10.0.0.1"), net.ParseIP("10.0.0.2"), protoUDP, udp(5000, 53))
	regs := map[int]uint32{regMarks: 1 << dispositionShift, regTable: 15}
	if err := h.Handle(context.Background(), packetIn(t, opLog, pkt, regs)); err != nil {
		t.Fatal(err)
	}
	(*timers)[0]()
	want := "IngressDefaultRule K8sNetworkPolicy <nil> Ingress Drop <nil> default/server 10.0.0.1 5000 10.0.0.2 53 UDP 32 <nil>"
	if got := strings.TrimSpace(buf.String()); !strings.HasSuffix(got, want) {
		t.Fatalf("np.log %q, want the line to end with %q", got, want)
	}
	if len(sender.sent) != 0 {
		t.Fatal("a log-only packet-in was rejected")
	}
}

func TestAllowLoggedAtOnce(t *testing.T) {
	h, _, buf, _ := newTestHandler(t)
	pkt := frame(net.ParseIP("10.0.0.1"), net.ParseIP("10.0.0.2"), protoTCP, tcpSYN(1, 80, 1))
	if err := h.Handle(context.Background(), packetIn(t, opLog, pkt, map[int]uint32{regTable: 13, regIngressConj: 7})); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), " Ingress Allow 14498 ") {
		t.Fatalf("np.log %q", buf.String())
	}
}

func TestNotPolicyPacketIns(t *testing.T) {
	h, _, _, _ := newTestHandler(t)
	if err := h.Handle(context.Background(), openflow.PacketIn2{Userdata: []byte{0, 1}}); err == nil {
		t.Fatal("a Traceflow packet-in was handled")
	}
}

func TestAuditLogCloseFlushesFoldedLines(t *testing.T) {
	h, _, buf, timers := newTestHandler(t)
	pkt := frame(net.ParseIP("10.0.0.1"), net.ParseIP("10.0.0.2"), protoUDP, udp(5000, 53))
	regs := map[int]uint32{regMarks: 1 << dispositionShift, regTable: 15}
	for range 2 {
		if err := h.Handle(context.Background(), packetIn(t, opLog, pkt, regs)); err != nil {
			t.Fatal(err)
		}
	}
	if buf.Len() != 0 {
		t.Fatalf("a Drop line was written before its second ended: %q", buf.String())
	}
	if err := h.cfg.Log.Close(); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); strings.Count(got, "\n") != 1 || !strings.Contains(got, " Drop ") || !strings.Contains(got, "[2 packets in") {
		t.Fatalf("np.log after Close %q, want the one folded Drop line", got)
	}
	(*timers)[0]() // the pending timer fires after Close: nothing more
	if err := h.Handle(context.Background(), packetIn(t, opLog, pkt, regs)); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); strings.Count(got, "\n") != 1 {
		t.Fatalf("np.log written after Close: %q", got)
	}
}
