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
)

// Reject answers: from the original destination to the original source.
const (
	rejectTTL         = 128
	icmpUnreachable   = 3
	icmpAdminProhib   = 10 // host administratively prohibited
	icmpv6Unreachable = 1
	icmpv6AdminProhib = 1
)

// RejectFrame builds the reply that rejects p: for TCP the reset RFC 9293
// §3.10.7.1 prescribes for a segment of no connection (see tcpReset), for
// anything else an ICMP (or ICMPv6) "administratively prohibited" carrying
// the original IP header and 8 bytes. It returns nil for a TCP reset, which
// is never answered.
func RejectFrame(p *Packet) []byte {
	var l4 []byte
	var proto uint8
	switch {
	case p.Protocol == protoTCP:
		if p.TCPFlags&tcpFlagRST != 0 {
			return nil
		}
		proto, l4 = protoTCP, tcpReset(p)
	case p.IPv6:
		proto, l4 = protoICMPv6, icmpError(icmpv6Unreachable, icmpv6AdminProhib, p.IPHeaderAndMore)
	default:
		proto, l4 = protoICMP, icmpError(icmpUnreachable, icmpAdminProhib, p.IPHeaderAndMore)
	}
	src, dst := p.DstIP, p.SrcIP
	if proto != protoICMP {
		putL4Checksum(l4, proto, src, dst)
	}
	frame := make([]byte, 0, ethHeaderLen+ipv6HeaderLen+len(l4))
	frame = append(frame, p.SrcMAC...)
	frame = append(frame, p.DstMAC...)
	if p.IPv6 {
		frame = binary.BigEndian.AppendUint16(frame, etherTypeIPv6)
		frame = appendIPv6Header(frame, proto, src, dst, len(l4))
	} else {
		frame = binary.BigEndian.AppendUint16(frame, etherTypeIPv4)
		frame = appendIPv4Header(frame, proto, src, dst, len(l4))
	}
	return append(frame, l4...)
}

// tcpReset is the reset of a segment (RFC 9293 §3.10.7.1): when the
// segment carries an ACK, <SEQ=SEG.ACK><CTL=RST>, which the sender accepts
// at any point of a connection (its RCV.NXT is the SEG.ACK it sent);
// otherwise <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>, which a SYN_SENT
// sender accepts (SYN and FIN count one each in SEG.LEN).
func tcpReset(p *Packet) []byte {
	h := make([]byte, tcpHeaderLen)
	binary.BigEndian.PutUint16(h[0:2], p.DstPort)
	binary.BigEndian.PutUint16(h[2:4], p.SrcPort)
	if p.TCPFlags&tcpFlagACK != 0 {
		binary.BigEndian.PutUint32(h[4:8], p.TCPAck) // seq
		h[13] = tcpFlagRST
	} else {
		binary.BigEndian.PutUint32(h[8:12], p.TCPSeq+p.TCPSegmentLength()) // ack
		h[13] = tcpFlagRST | tcpFlagACK
	}
	h[12] = tcpHeaderLen / 4 << 4 // data offset
	return h
}

func icmpError(typ, code uint8, original []byte) []byte {
	b := make([]byte, 8, 8+len(original))
	b[0], b[1] = typ, code
	b = append(b, original...)
	if typ == icmpUnreachable {
		binary.BigEndian.PutUint16(b[2:4], checksum(b, 0))
	}
	return b
}

func appendIPv4Header(b []byte, proto uint8, src, dst net.IP, payload int) []byte {
	h := make([]byte, 20)
	h[0] = 0x45
	binary.BigEndian.PutUint16(h[2:4], uint16(20+payload))
	h[8], h[9] = rejectTTL, proto
	copy(h[12:16], src.To4())
	copy(h[16:20], dst.To4())
	binary.BigEndian.PutUint16(h[10:12], checksum(h, 0))
	return append(b, h...)
}

func appendIPv6Header(b []byte, proto uint8, src, dst net.IP, payload int) []byte {
	h := make([]byte, ipv6HeaderLen)
	h[0] = 6 << 4
	binary.BigEndian.PutUint16(h[4:6], uint16(payload))
	h[6], h[7] = proto, rejectTTL
	copy(h[8:24], src.To16())
	copy(h[24:40], dst.To16())
	return append(b, h...)
}

// putL4Checksum fills the checksum of a TCP segment or an ICMPv6 message, which
// covers a pseudo header of the addresses.
func putL4Checksum(l4 []byte, proto uint8, src, dst net.IP) {
	at := 16 // TCP
	if proto == protoICMPv6 {
		at = 2
	}
	binary.BigEndian.PutUint16(l4[at:at+2], checksum(l4, pseudoHeaderSum(proto, src, dst, len(l4))))
}

// pseudoHeaderSum is the sum of the IPv4 or IPv6 pseudo header.
func pseudoHeaderSum(proto uint8, src, dst net.IP, length int) uint32 {
	var pseudo []byte
	if v4 := src.To4(); v4 != nil {
		pseudo = append(append(append([]byte{}, v4...), dst.To4()...), 0, proto)
		pseudo = binary.BigEndian.AppendUint16(pseudo, uint16(length))
	} else {
		pseudo = append(append([]byte{}, src.To16()...), dst.To16()...)
		pseudo = binary.BigEndian.AppendUint32(pseudo, uint32(length))
		pseudo = append(pseudo, 0, 0, 0, proto)
	}
	return sum(pseudo)
}

// sum is the ones'-complement sum of b as 16-bit words.
func sum(b []byte) uint32 {
	var s uint32
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	if len(b)%2 == 1 {
		s += uint32(b[len(b)-1]) << 8
	}
	return s
}

// checksum is the Internet checksum of b, starting from a partial sum.
func checksum(b []byte, initial uint32) uint16 {
	s := initial + sum(b)
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}
