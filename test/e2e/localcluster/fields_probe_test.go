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

package localcluster

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/strata-net/strata/test/e2e/framework"
)

// The probes of TestFieldsOnTraffic, each run from inside a network namespace (a
// Pod's or a Node's) by this process: real packets through the Nodes' Open vSwitch.
// The machine has no ping and no nc: ICMP echo is written on a raw IP socket.

// inNetNS runs f in the network namespace at path (sockets f opens stay there).
func inNetNS(path string, f func() error) error { return framework.InNetNS(path, f) }

// outcome maps a probe's error to connects, dropped, rejected or the error.
func outcome(err error, reject syscall.Errno) string {
	var nerr net.Error
	switch {
	case err == nil:
		return connects
	case errors.As(err, &nerr) && nerr.Timeout(), errors.Is(err, os.ErrDeadlineExceeded):
		return dropped
	case errors.Is(err, reject):
		return rejected
	}
	return err.Error()
}

// probeTCP connects to ip:port, from srcPort when it is not 0; a connection is
// closed with a reset so that its source port is free again at once.
func probeTCP(ctx context.Context, netns, ip string, port, srcPort int) string {
	err := inNetNS(netns, func() error {
		d := net.Dialer{Timeout: fieldsDropTimeout}
		if srcPort != 0 {
			d.LocalAddr = &net.TCPAddr{Port: srcPort}
			d.Control = func(_, _ string, c syscall.RawConn) error {
				var serr error
				err := c.Control(func(fd uintptr) {
					serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)
				})
				if err != nil {
					return err
				}
				return serr
			}
		}
		c, err := d.DialContext(ctx, "tcp", net.JoinHostPort(ip, fmt.Sprint(port)))
		if err != nil {
			return err
		}
		_ = c.(*net.TCPConn).SetLinger(0)
		return c.Close()
	})
	return outcome(err, syscall.ECONNREFUSED)
}

// probeUDP sends a datagram to ip:port and waits for the responder's answer; an
// ICMP administratively prohibited (a Reject) fails the read with EHOSTUNREACH.
func probeUDP(netns, ip string, port int) string {
	err := inNetNS(netns, func() error {
		c, err := net.Dial("udp", net.JoinHostPort(ip, fmt.Sprint(port)))
		if err != nil {
			return err
		}
		defer c.Close()
		if err := c.SetDeadline(time.Now().Add(fieldsDropTimeout)); err != nil {
			return err
		}
		if _, err := c.Write([]byte("fields\n")); err != nil {
			return err
		}
		buf := make([]byte, 512)
		n, err := c.Read(buf)
		if err != nil {
			return err
		}
		if n == 0 {
			return errors.New("empty answer")
		}
		return nil
	})
	return outcome(err, syscall.EHOSTUNREACH)
}

// ICMP types.
const (
	icmpEchoReply   = 0
	icmpUnreachable = 3
	icmpEcho        = 8
)

// probeICMP sends an echo request to ip and waits for its reply; an ICMP
// destination unreachable quoting it is a rejection.
func probeICMP(netns, ip string) string {
	dst := net.ParseIP(ip).To4()
	err := inNetNS(netns, func() error {
		c, err := net.ListenPacket("ip4:icmp", "0.0.0.0")
		if err != nil {
			return err
		}
		defer c.Close()
		id, seq := uint16(rand.Uint32()), uint16(rand.Uint32())
		req := []byte{icmpEcho, 0, 0, 0, byte(id >> 8), byte(id), byte(seq >> 8), byte(seq), 's', 't', 'r', 'a', 't', 'a'}
		binary.BigEndian.PutUint16(req[2:], inetChecksum(req))
		if _, err := c.WriteTo(req, &net.IPAddr{IP: dst}); err != nil {
			return err
		}
		if err := c.SetReadDeadline(time.Now().Add(fieldsDropTimeout)); err != nil {
			return err
		}
		buf := make([]byte, 1500)
		for {
			n, from, err := c.ReadFrom(buf)
			if err != nil {
				return err
			}
			m := buf[:n]
			switch {
			case n >= 8 && m[0] == icmpEchoReply && from.(*net.IPAddr).IP.Equal(dst) &&
				binary.BigEndian.Uint16(m[4:]) == id && binary.BigEndian.Uint16(m[6:]) == seq:
				return nil
			case n >= 8+20+8 && m[0] == icmpUnreachable && net.IP(m[8+16:8+20]).Equal(dst) &&
				binary.BigEndian.Uint16(m[8+20+4:]) == id:
				return fmt.Errorf("ICMP unreachable code %d from %s: %w", m[1], from, syscall.EHOSTUNREACH)
			}
		}
	})
	return outcome(err, syscall.EHOSTUNREACH)
}

func inetChecksum(b []byte) uint16 {
	var s uint32
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(b[i])<<8 | uint32(b[i+1])
	}
	if len(b)%2 == 1 {
		s += uint32(b[len(b)-1]) << 8
	}
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}
