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
	"encoding/binary"
	"net"
	"testing"
)

var (
	clientMAC = net.HardwareAddr{2, 0, 0, 0, 0, 1}
	serverMAC = net.HardwareAddr{2, 0, 0, 0, 0, 2}
)

// frame builds an Ethernet frame with an IPv4 or IPv6 header and an L4 payload.
func frame(src, dst net.IP, proto uint8, l4 []byte) []byte {
	b := append(append([]byte{}, serverMAC...), clientMAC...)
	if v4 := src.To4(); v4 != nil {
		b = binary.BigEndian.AppendUint16(b, etherTypeIPv4)
		return append(appendIPv4Header(b, proto, src, dst, len(l4)), l4...)
	}
	b = binary.BigEndian.AppendUint16(b, etherTypeIPv6)
	return append(appendIPv6Header(b, proto, src, dst, len(l4)), l4...)
}

func tcpSYN(sport, dport uint16, seq uint32) []byte {
	return tcpSegment(sport, dport, seq, 0, tcpFlagSYN, 0, nil)
}

// tcpSegment is a TCP header with optLen bytes of options (NOPs) and a payload.
func tcpSegment(sport, dport uint16, seq, ack uint32, flags uint8, optLen int, payload []byte) []byte {
	h := make([]byte, 20+optLen, 20+optLen+len(payload))
	binary.BigEndian.PutUint16(h[0:2], sport)
	binary.BigEndian.PutUint16(h[2:4], dport)
	binary.BigEndian.PutUint32(h[4:8], seq)
	binary.BigEndian.PutUint32(h[8:12], ack)
	h[12], h[13] = byte((20+optLen)/4)<<4, flags
	binary.BigEndian.PutUint16(h[14:16], 64240) // window
	for i := 20; i < len(h); i++ {
		h[i] = 1 // NOP
	}
	return append(h, payload...)
}

func udp(sport, dport uint16) []byte {
	h := make([]byte, 12)
	binary.BigEndian.PutUint16(h[0:2], sport)
	binary.BigEndian.PutUint16(h[2:4], dport)
	binary.BigEndian.PutUint16(h[4:6], 12)
	return h
}

func TestRejectFrames(t *testing.T) {
	c4, s4 := net.ParseIP("10.0.0.1").To4(), net.ParseIP("10.0.0.2").To4()
	c6, s6 := net.ParseIP("fd00::1"), net.ParseIP("fd00::2")
	cases := []struct {
		name      string
		in        []byte
		wantProto uint8
		check     func(t *testing.T, l4 []byte)
	}{
		{name: "TCP SYN over IPv4 gets RST|ACK acking seq+1", in: frame(c4, s4, protoTCP, tcpSYN(40000, 80, 1000)), wantProto: protoTCP,
			check: func(t *testing.T, l4 []byte) {
				if sp, dp := binary.BigEndian.Uint16(l4[0:2]), binary.BigEndian.Uint16(l4[2:4]); sp != 80 || dp != 40000 {
					t.Fatalf("ports %d→%d", sp, dp)
				}
				if ack, flags := binary.BigEndian.Uint32(l4[8:12]), l4[13]; ack != 1001 || flags != tcpFlagRST|tcpFlagACK {
					t.Fatalf("ack %d flags %#x", ack, flags)
				}
			}},
		{name: "UDP over IPv4 gets ICMP 3/10", in: frame(c4, s4, protoUDP, udp(5353, 53)), wantProto: protoICMP,
			check: func(t *testing.T, l4 []byte) {
				if l4[0] != 3 || l4[1] != 10 || checksum(l4, 0) != 0 {
					t.Fatalf("icmp type %d code %d checksum ok %v", l4[0], l4[1], checksum(l4, 0) == 0)
				}
				if len(l4) != 8+20+8 {
					t.Fatalf("icmp payload of %d bytes, want the IP header and 8 bytes", len(l4)-8)
				}
			}},
		{name: "TCP SYN over IPv6", in: frame(c6, s6, protoTCP, tcpSYN(40000, 443, 7)), wantProto: protoTCP,
			check: func(t *testing.T, l4 []byte) {
				if ack := binary.BigEndian.Uint32(l4[8:12]); ack != 8 {
					t.Fatalf("ack %d", ack)
				}
			}},
		{name: "UDP over IPv6 gets ICMPv6 1/1", in: frame(c6, s6, protoUDP, udp(1, 2)), wantProto: protoICMPv6,
			check: func(t *testing.T, l4 []byte) {
				if l4[0] != 1 || l4[1] != 1 {
					t.Fatalf("icmpv6 type %d code %d", l4[0], l4[1])
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in, err := Parse(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			out, err := Parse(RejectFrame(in))
			if err != nil {
				t.Fatal(err)
			}
			if !out.SrcIP.Equal(in.DstIP) || !out.DstIP.Equal(in.SrcIP) || out.DstMAC.String() != clientMAC.String() || out.Protocol != tc.wantProto {
				t.Fatalf("reply %s→%s to %s proto %d", out.SrcIP, out.DstIP, out.DstMAC, out.Protocol)
			}
			rejected := RejectFrame(in)
			l4 := rejected[ethHeaderLen+20:]
			if in.IPv6 {
				l4 = rejected[ethHeaderLen+ipv6HeaderLen:]
			} else if checksum(rejected[ethHeaderLen:ethHeaderLen+20], 0) != 0 {
				t.Fatal("bad IPv4 header checksum")
			}
			if tc.wantProto != protoICMP {
				verifyPseudoChecksum(t, l4, tc.wantProto, out.SrcIP, out.DstIP)
			}
			tc.check(t, l4)
		})
	}
}

// TestTCPReset checks the reset answering each kind of TCP segment (RFC 9293
// §3.10.7.1): a segment with ACK gets <SEQ=SEG.ACK><CTL=RST>, one without
// gets <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>, where SYN and FIN count one
// each in SEG.LEN; both from the original destination to the source, ports
// swapped, with valid IP and TCP checksums.
func TestTCPReset(t *testing.T) {
	c4, s4 := net.ParseIP("10.0.0.1").To4(), net.ParseIP("10.0.0.2").To4()
	c6, s6 := net.ParseIP("fd00::1"), net.ParseIP("fd00::2")
	payload := []byte("GET / HTTP/1.1\r\n\r\n") // 18 bytes
	const ack = uint32(0x8000_0001)
	cases := []struct {
		name      string
		in        []byte
		wantSeq   uint32
		wantAck   uint32
		wantFlags uint8
	}{
		{name: "SYN", in: frame(c4, s4, protoTCP, tcpSegment(40000, 80, 1000, 0, tcpFlagSYN, 0, nil)),
			wantSeq: 0, wantAck: 1001, wantFlags: tcpFlagRST | tcpFlagACK},
		{name: "SYN with options (data offset 10)", in: frame(c4, s4, protoTCP, tcpSegment(40000, 80, 1000, 0, tcpFlagSYN, 20, nil)),
			wantSeq: 0, wantAck: 1001, wantFlags: tcpFlagRST | tcpFlagACK},
		{name: "mid-stream ACK with payload", in: frame(c4, s4, protoTCP, tcpSegment(40000, 80, 5000, ack, tcpFlagACK|0x08, 12, payload)),
			wantSeq: ack, wantFlags: tcpFlagRST},
		{name: "bare ACK", in: frame(c4, s4, protoTCP, tcpSegment(40000, 80, 5000, ack, tcpFlagACK, 0, nil)),
			wantSeq: ack, wantFlags: tcpFlagRST},
		{name: "FIN|ACK", in: frame(c4, s4, protoTCP, tcpSegment(40000, 80, 5000, ack, tcpFlagFIN|tcpFlagACK, 0, nil)),
			wantSeq: ack, wantFlags: tcpFlagRST},
		{name: "segment without ACK with payload", in: frame(c4, s4, protoTCP, tcpSegment(40000, 80, 5000, 0, 0x08, 0, payload)),
			wantSeq: 0, wantAck: 5000 + uint32(len(payload)), wantFlags: tcpFlagRST | tcpFlagACK},
		{name: "FIN without ACK with payload: FIN counts one", in: frame(c4, s4, protoTCP, tcpSegment(40000, 80, 5000, 0, tcpFlagFIN, 0, payload)),
			wantSeq: 0, wantAck: 5000 + uint32(len(payload)) + 1, wantFlags: tcpFlagRST | tcpFlagACK},
		{name: "SYN with data (fast open): SYN counts one", in: frame(c4, s4, protoTCP, tcpSegment(40000, 80, 1000, 0, tcpFlagSYN, 0, payload)),
			wantSeq: 0, wantAck: 1001 + uint32(len(payload)), wantFlags: tcpFlagRST | tcpFlagACK},
		{name: "sequence numbers wrap", in: frame(c4, s4, protoTCP, tcpSegment(40000, 80, 0xffff_fff0, 0, 0x08, 0, payload)),
			wantSeq: 0, wantAck: 0xffff_fff0 + uint32(len(payload)), wantFlags: tcpFlagRST | tcpFlagACK},
		{name: "Ethernet padding is not payload", in: append(frame(c4, s4, protoTCP, tcpSegment(40000, 80, 5000, 0, 0x08, 0, []byte{1})), 0, 0, 0, 0, 0),
			wantSeq: 0, wantAck: 5001, wantFlags: tcpFlagRST | tcpFlagACK},
		{name: "IPv6 mid-stream ACK with payload", in: frame(c6, s6, protoTCP, tcpSegment(40000, 443, 7, ack, tcpFlagACK, 12, payload)),
			wantSeq: ack, wantFlags: tcpFlagRST},
		{name: "IPv6 SYN", in: frame(c6, s6, protoTCP, tcpSegment(40000, 443, 7, 0, tcpFlagSYN, 20, nil)),
			wantSeq: 0, wantAck: 8, wantFlags: tcpFlagRST | tcpFlagACK},
		{name: "IPv6 segment without ACK with payload", in: frame(c6, s6, protoTCP, tcpSegment(40000, 443, 7, 0, 0x08, 0, payload)),
			wantSeq: 0, wantAck: 7 + uint32(len(payload)), wantFlags: tcpFlagRST | tcpFlagACK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in, err := Parse(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			rst := RejectFrame(in)
			out, err := Parse(rst)
			if err != nil {
				t.Fatal(err)
			}
			if !out.SrcIP.Equal(in.DstIP) || !out.DstIP.Equal(in.SrcIP) || out.SrcMAC.String() != serverMAC.String() ||
				out.DstMAC.String() != clientMAC.String() || out.Protocol != protoTCP {
				t.Fatalf("reply %s %s→%s %s proto %d", out.SrcMAC, out.SrcIP, out.DstMAC, out.DstIP, out.Protocol)
			}
			if out.SrcPort != in.DstPort || out.DstPort != in.SrcPort {
				t.Fatalf("ports %d→%d, want %d→%d", out.SrcPort, out.DstPort, in.DstPort, in.SrcPort)
			}
			if out.TCPSeq != tc.wantSeq || out.TCPAck != tc.wantAck || out.TCPFlags != tc.wantFlags {
				t.Fatalf("seq %d ack %d flags %#x, want seq %d ack %d flags %#x",
					out.TCPSeq, out.TCPAck, out.TCPFlags, tc.wantSeq, tc.wantAck, tc.wantFlags)
			}
			if out.TCPDataLen != 0 || out.IPLength != len(rst)-ethHeaderLen {
				t.Fatalf("reset with %d data bytes, IP length %d of a %d-byte frame", out.TCPDataLen, out.IPLength, len(rst))
			}
			ipHeader := 20
			if in.IPv6 {
				ipHeader = ipv6HeaderLen
			} else if checksum(rst[ethHeaderLen:ethHeaderLen+20], 0) != 0 {
				t.Fatal("bad IPv4 header checksum")
			}
			verifyPseudoChecksum(t, rst[ethHeaderLen+ipHeader:], protoTCP, out.SrcIP, out.DstIP)
		})
	}
}

// TestTCPResetNotAnswered: a reset is never answered with a reset.
func TestTCPResetNotAnswered(t *testing.T) {
	for name, flags := range map[string]uint8{"RST": tcpFlagRST, "RST|ACK": tcpFlagRST | tcpFlagACK} {
		t.Run(name, func(t *testing.T) {
			in, err := Parse(frame(net.ParseIP("10.0.0.1"), net.ParseIP("10.0.0.2"), protoTCP, tcpSegment(1, 2, 3, 4, flags, 0, nil)))
			if err != nil {
				t.Fatal(err)
			}
			if f := RejectFrame(in); f != nil {
				t.Fatalf("a %s was answered with %x", name, f)
			}
		})
	}
}

func verifyPseudoChecksum(t *testing.T, l4 []byte, proto uint8, src, dst net.IP) {
	t.Helper()
	if checksum(l4, pseudoHeaderSum(proto, src, dst, len(l4))) != 0 {
		t.Fatal("the L4 checksum does not verify against the pseudo header")
	}
}

func TestParseErrors(t *testing.T) {
	for name, b := range map[string][]byte{
		"empty":         nil,
		"ARP":           append(append(append([]byte{}, serverMAC...), clientMAC...), 0x08, 0x06),
		"truncated IP":  append(append(append([]byte{}, serverMAC...), clientMAC...), 0x08, 0x00, 0x45),
		"truncated TCP": frame(net.ParseIP("10.0.0.1"), net.ParseIP("10.0.0.2"), protoTCP, []byte{1, 2}),
		"TCP header cut at 16 bytes": frame(net.ParseIP("10.0.0.1"), net.ParseIP("10.0.0.2"), protoTCP,
			tcpSegment(1, 2, 3, 4, tcpFlagACK, 0, nil)[:16]),
		"TCP data offset below 5": frame(net.ParseIP("10.0.0.1"), net.ParseIP("10.0.0.2"), protoTCP,
			func() []byte { b := tcpSegment(1, 2, 3, 4, tcpFlagACK, 0, nil); b[12] = 4 << 4; return b }()),
		"TCP data offset past the IP length": frame(net.ParseIP("10.0.0.1"), net.ParseIP("10.0.0.2"), protoTCP,
			func() []byte { b := tcpSegment(1, 2, 3, 4, tcpFlagACK, 0, nil); b[12] = 6 << 4; return b }()),
		"IPv4 total length below its header": func() []byte {
			b := frame(net.ParseIP("10.0.0.1"), net.ParseIP("10.0.0.2"), protoTCP, tcpSYN(1, 2, 3))
			binary.BigEndian.PutUint16(b[ethHeaderLen+2:], 19)
			return b
		}(),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Parse(b); err == nil {
				t.Fatal("want an error")
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add(frame(net.ParseIP("10.0.0.1"), net.ParseIP("10.0.0.2"), protoTCP, tcpSYN(1, 2, 3)))
	f.Add(frame(net.ParseIP("fd00::1"), net.ParseIP("fd00::2"), protoUDP, udp(1, 2)))
	f.Add(frame(net.ParseIP("10.0.0.1"), net.ParseIP("10.0.0.2"), protoTCP, tcpSegment(1, 2, 3, 4, tcpFlagACK, 4, []byte("data"))))
	f.Fuzz(func(t *testing.T, b []byte) {
		if p, err := Parse(b); err == nil {
			_ = RejectFrame(p)
		}
	})
}
