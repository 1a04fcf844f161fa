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
	"context"
	"encoding/binary"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"

	"github.com/strata-net/strata/nodeagent/fqdn"
	"github.com/strata-net/strata/nodeagent/ovs/openflow"
)

// dnsTrace records what the DNS handler did, in order.
type dnsTrace struct {
	calls   []string
	learnt  []fqdn.Record
	refresh error // RefreshFQDNRules' error
	match   bool  // RefreshFQDNRules' report
	block   bool  // RefreshFQDNRules waits for its ctx
}

func (d *dnsTrace) Learn(_ context.Context, recs []fqdn.Record) []string {
	d.calls = append(d.calls, "learn")
	d.learnt = append(d.learnt, recs...)
	var names []string
	for _, r := range recs {
		names = append(names, r.Name)
	}
	return names
}

func (d *dnsTrace) RefreshFQDNRules(ctx context.Context, names []string) (bool, error) {
	d.calls = append(d.calls, "refresh")
	if d.block {
		<-ctx.Done()
		return false, ctx.Err()
	}
	return d.match, d.refresh
}

func (d *dnsTrace) Resume(_ context.Context, pi openflow.PacketIn2) error {
	d.calls = append(d.calls, "resume")
	return nil
}

func (d *dnsTrace) sync(context.Context) error {
	d.calls = append(d.calls, "sync")
	return nil
}

func dnsAnswer(t *testing.T, rr ...string) []byte {
	t.Helper()
	msg := new(dns.Msg).SetQuestion("www.example.test.", dns.TypeA)
	msg.Response = true
	for _, s := range rr {
		r, err := dns.NewRR(s)
		require.NoError(t, err)
		msg.Answer = append(msg.Answer, r)
	}
	b, err := msg.Pack()
	require.NoError(t, err)
	return b
}

func udpWith(payload []byte) []byte {
	h := udp(53, 40000)[:8]
	binary.BigEndian.PutUint16(h[4:6], uint16(8+len(payload)))
	return append(h, payload...)
}

func TestDNSHandler(t *testing.T) {
	dnsSrv, pod := net.ParseIP("10.96.0.10"), net.ParseIP("10.0.0.5")
	answer := dnsAnswer(t, "www.example.test. 30 IN A 192.168.1.1")
	tcpMsg := binary.BigEndian.AppendUint16(nil, uint16(len(answer)))
	tcpMsg = append(tcpMsg, answer...)
	cases := []struct {
		name      string
		frame     []byte
		trace     dnsTrace
		wantCalls []string
		wantLearn int
	}{
		{"UDP answer: learnt, rules installed, datapath synced, then resumed", frame(dnsSrv, pod, protoUDP, udpWith(answer)),
			dnsTrace{match: true}, []string{"learn", "refresh", "sync", "resume"}, 1},
		{"no rule uses the name: no datapath sync", frame(dnsSrv, pod, protoUDP, udpWith(answer)),
			dnsTrace{}, []string{"learn", "refresh", "resume"}, 1},
		{"TCP segment with one whole message", frame(dnsSrv, pod, protoTCP, tcpSegment(53, 40000, 1, 1, tcpFlagACK, 0, tcpMsg)),
			dnsTrace{match: true}, []string{"learn", "refresh", "sync", "resume"}, 1},
		{"TCP segment with part of a message: resumed unchanged", frame(dnsSrv, pod, protoTCP, tcpSegment(53, 40000, 1, 1, tcpFlagACK, 0, tcpMsg[:20])),
			dnsTrace{}, []string{"resume"}, 0},
		{"malformed DNS: resumed unchanged", frame(dnsSrv, pod, protoUDP, udpWith([]byte("not a DNS message at all"))),
			dnsTrace{}, []string{"resume"}, 0},
		{"truncated frame: resumed unchanged", []byte{1, 2, 3}, dnsTrace{}, []string{"resume"}, 0},
		{"failed install: dropped, never delivered (logged)", frame(dnsSrv, pod, protoUDP, udpWith(answer)),
			dnsTrace{refresh: errors.New("OVS refused"), match: true}, []string{"learn", "refresh"}, 1},
		{"install timeout: dropped after InstallTimeout", frame(dnsSrv, pod, protoUDP, udpWith(answer)),
			dnsTrace{block: true}, []string{"learn", "refresh"}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tr := tc.trace
			h, err := NewDNSHandler(DNSConfig{Learner: &tr, Rules: &tr, Resumer: &tr, DatapathSync: tr.sync,
				InstallTimeout: 50 * time.Millisecond})
			require.NoError(t, err)
			require.NoError(t, h.Handle(context.Background(), openflow.PacketIn2{Packet: tc.frame, Userdata: []byte{categoryDNS}}))
			require.Equal(t, tc.wantCalls, tr.calls)
			require.Len(t, tr.learnt, tc.wantLearn)
		})
	}
}

func TestDNSQueueFullDrops(t *testing.T) {
	tr := &dnsTrace{}
	h, err := NewDNSHandler(DNSConfig{Learner: tr, Rules: tr, Resumer: tr, QueueSize: 1})
	require.NoError(t, err)
	ctx := context.Background()
	h.Enqueue(ctx, openflow.PacketIn2{Userdata: []byte{categoryDNS}})
	h.Enqueue(ctx, openflow.PacketIn2{Userdata: []byte{categoryDNS}})
	require.Len(t, h.queue, 1, "the second response is dropped, not queued")
	require.Empty(t, tr.calls, "nor resumed unlearnt")
}

func TestDNSConfigValidate(t *testing.T) {
	_, err := NewDNSHandler(DNSConfig{})
	require.ErrorContains(t, err, "Learner, Rules and Resumer are required")
}

// knownTrace learns nothing new: every name is already known.
type knownTrace struct{ dnsTrace }

func (d *knownTrace) Learn(_ context.Context, recs []fqdn.Record) []string {
	d.calls = append(d.calls, "learn")
	return nil
}

// TestDNSRetryAfterFailedInstall: a response whose install failed is dropped;
// the next answer with the same (now known) addresses installs them again
// before it is delivered, instead of being delivered with nothing installed.
func TestDNSRetryAfterFailedInstall(t *testing.T) {
	frameOf := frame(net.ParseIP("10.96.0.10"), net.ParseIP("10.0.0.5"), protoUDP,
		udpWith(dnsAnswer(t, "www.example.test. 30 IN A 192.168.1.1")))
	tr := &knownTrace{dnsTrace{refresh: errors.New("OVS refused"), match: true}}
	h, err := NewDNSHandler(DNSConfig{Learner: tr, Rules: tr, Resumer: tr, DatapathSync: tr.sync,
		InstallTimeout: 50 * time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, h.Handle(context.Background(), openflow.PacketIn2{Packet: frameOf, Userdata: []byte{categoryDNS}}))
	require.Equal(t, []string{"learn", "resume"}, tr.calls, "an answer that teaches nothing new is delivered at once")

	tr.calls = nil
	h.uninstalled["www.example.test"] = true // as after a failed install
	require.NoError(t, h.Handle(context.Background(), openflow.PacketIn2{Packet: frameOf, Userdata: []byte{categoryDNS}}))
	require.Equal(t, []string{"learn", "refresh"}, tr.calls, "the failed name is installed again; failing again, dropped")

	tr.calls, tr.refresh = nil, nil
	require.NoError(t, h.Handle(context.Background(), openflow.PacketIn2{Packet: frameOf, Userdata: []byte{categoryDNS}}))
	require.Equal(t, []string{"learn", "refresh", "sync", "resume"}, tr.calls, "installed at last, then delivered")
	require.Empty(t, h.uninstalled["www.example.test"])
}
