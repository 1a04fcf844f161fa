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
	"errors"
	"fmt"
	"net"
)

// IP protocol numbers.
const (
	protoICMP   = 1
	protoTCP    = 6
	protoUDP    = 17
	protoICMPv6 = 58
	protoSCTP   = 132
)

const (
	etherTypeIPv4 = 0x0800
	etherTypeIPv6 = 0x86dd
	ethHeaderLen  = 14
	ipv6HeaderLen = 40
	tcpHeaderLen  = 20
)

// TCP flags.
const (
	tcpFlagFIN = 0x01
	tcpFlagSYN = 0x02
	tcpFlagRST = 0x04
	tcpFlagACK = 0x10
)

// Packet is what the handler reads of a packet-in's frame.
type Packet struct {
	SrcMAC, DstMAC   net.HardwareAddr
	IPv6             bool
	SrcIP, DstIP     net.IP
	Protocol         uint8
	SrcPort, DstPort uint16 // TCP, UDP, SCTP
	// TCP only: the sequence and acknowledgment numbers, the flags (FIN, SYN,
	// RST, PSH, ACK, URG, ECE, CWR: byte 13 of the header) and the number of
	// data octets, from the IP length and the TCP data offset (not from the
	// frame, which may be truncated or padded).
	TCPSeq, TCPAck  uint32
	TCPFlags        uint8
	TCPDataLen      int
	IPLength        int    // IPv4 total length, or IPv6 payload length + 40
	IPHeaderAndMore []byte // the IP header and the next 8 bytes, for ICMP errors
	// Payload is the TCP or UDP data, as far as the frame holds it.
	Payload []byte
}

var errShort = errors.New("truncated packet")

// Parse reads an Ethernet frame carrying IPv4 or IPv6.
func Parse(frame []byte) (*Packet, error) {
	if len(frame) < ethHeaderLen {
		return nil, errShort
	}
	p := &Packet{DstMAC: net.HardwareAddr(frame[0:6]), SrcMAC: net.HardwareAddr(frame[6:12])}
	ip := frame[ethHeaderLen:]
	switch binary.BigEndian.Uint16(frame[12:14]) {
	case etherTypeIPv4:
		return p, p.parseIPv4(ip)
	case etherTypeIPv6:
		return p, p.parseIPv6(ip)
	default:
		return nil, fmt.Errorf("ether type 0x%04x is not IP", binary.BigEndian.Uint16(frame[12:14]))
	}
}

func (p *Packet) parseIPv4(b []byte) error {
	if len(b) < 20 {
		return errShort
	}
	ihl := int(b[0]&0x0f) * 4
	if ihl < 20 || len(b) < ihl {
		return errShort
	}
	p.SrcIP, p.DstIP = net.IP(b[12:16]), net.IP(b[16:20])
	p.Protocol = b[9]
	p.IPLength = int(binary.BigEndian.Uint16(b[2:4]))
	if p.IPLength < ihl {
		return fmt.Errorf("IPv4 total length %d is shorter than its header (%d)", p.IPLength, ihl)
	}
	p.IPHeaderAndMore = b[:min(len(b), ihl+8)]
	return p.parseL4(b[ihl:], p.IPLength-ihl)
}

func (p *Packet) parseIPv6(b []byte) error {
	if len(b) < ipv6HeaderLen {
		return errShort
	}
	p.IPv6 = true
	p.SrcIP, p.DstIP = net.IP(b[8:24]), net.IP(b[24:40])
	p.Protocol = b[6]
	p.IPLength = int(binary.BigEndian.Uint16(b[4:6])) + ipv6HeaderLen
	p.IPHeaderAndMore = b[:min(len(b), ipv6HeaderLen+8)]
	return p.parseL4(b[ipv6HeaderLen:], p.IPLength-ipv6HeaderLen)
}

// parseL4 reads the ports, and the TCP header; l4Len is the length of the IP
// payload as the IP header gives it.
func (p *Packet) parseL4(b []byte, l4Len int) error {
	switch p.Protocol {
	case protoTCP:
		return p.parseTCP(b, l4Len)
	case protoUDP, protoSCTP:
		if len(b) < 8 {
			return errShort
		}
		p.SrcPort, p.DstPort = binary.BigEndian.Uint16(b[0:2]), binary.BigEndian.Uint16(b[2:4])
		if p.Protocol == protoUDP && l4Len >= 8 {
			p.Payload = b[8:min(len(b), l4Len)]
		}
	}
	return nil
}

func (p *Packet) parseTCP(b []byte, l4Len int) error {
	if len(b) < tcpHeaderLen {
		return errShort
	}
	p.SrcPort, p.DstPort = binary.BigEndian.Uint16(b[0:2]), binary.BigEndian.Uint16(b[2:4])
	p.TCPSeq, p.TCPAck = binary.BigEndian.Uint32(b[4:8]), binary.BigEndian.Uint32(b[8:12])
	p.TCPFlags = b[13]
	off := int(b[12]>>4) * 4
	if off < tcpHeaderLen || off > l4Len {
		return fmt.Errorf("TCP data offset %d does not fit a segment of %d bytes", off, l4Len)
	}
	p.TCPDataLen = l4Len - off
	if off <= len(b) {
		p.Payload = b[off:min(len(b), l4Len)]
	}
	return nil
}

// TCPSegmentLength is SEG.LEN (RFC 9293 §3.4): the data octets, plus one
// for SYN and one for FIN.
func (p *Packet) TCPSegmentLength() uint32 {
	n := uint32(p.TCPDataLen)
	if p.TCPFlags&tcpFlagSYN != 0 {
		n++
	}
	if p.TCPFlags&tcpFlagFIN != 0 {
		n++
	}
	return n
}

// ProtocolName is the protocol as np.log writes it.
func (p *Packet) ProtocolName() string {
	switch p.Protocol {
	case protoTCP:
		return "TCP"
	case protoUDP:
		return "UDP"
	case protoSCTP:
		return "SCTP"
	case protoICMP:
		return "ICMP"
	case protoICMPv6:
		return "IPv6-ICMP"
	default:
		return fmt.Sprint(p.Protocol)
	}
}
