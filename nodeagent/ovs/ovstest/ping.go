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

package ovstest

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"time"
)

// defaultPingTimeout is used when ctx has no deadline.
const defaultPingTimeout = 5 * time.Second

// Ping sends ICMP echo requests from the pod to dst, once per second, until a
// matching reply arrives or ctx is done (5s when ctx has no deadline).
func (p *Pod) Ping(ctx context.Context, dst string) error {
	ip := net.ParseIP(dst).To4()
	if ip == nil {
		return fmt.Errorf("ping: %q is not an IPv4 address", dst)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultPingTimeout)
		defer cancel()
	}
	var conn net.PacketConn
	err := p.Do(func() (err error) {
		conn, err = net.ListenPacket("ip4:icmp", "0.0.0.0")
		return err
	})
	if err != nil {
		return fmt.Errorf("ping %s from pod %s: %w", dst, p.Name, err)
	}
	defer conn.Close()
	if err := pingLoop(ctx, conn, &net.IPAddr{IP: ip}); err != nil {
		return fmt.Errorf("ping %s from pod %s: %w", dst, p.Name, err)
	}
	return nil
}

func pingLoop(ctx context.Context, conn net.PacketConn, dst *net.IPAddr) error {
	id := uint16(os.Getpid())
	for seq := uint16(1); ; seq++ {
		if _, err := conn.WriteTo(echoRequest(id, seq), dst); err != nil {
			return err
		}
		deadline := time.Now().Add(time.Second)
		if d, _ := ctx.Deadline(); d.Before(deadline) {
			deadline = d
		}
		ok, err := awaitReply(conn, dst, id, deadline)
		if ok || err != nil {
			return err
		}
		if ctx.Err() != nil {
			return fmt.Errorf("no echo reply (%d requests sent): %w", seq, ctx.Err())
		}
	}
}

// awaitReply reads until an echo reply for id from dst or the deadline.
func awaitReply(conn net.PacketConn, dst *net.IPAddr, id uint16, deadline time.Time) (bool, error) {
	if err := conn.SetReadDeadline(deadline); err != nil {
		return false, err
	}
	buf := make([]byte, 1500)
	for {
		n, from, err := conn.ReadFrom(buf)
		var nerr net.Error
		if errors.As(err, &nerr) && nerr.Timeout() {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		// Raw ip4:icmp sockets deliver the ICMP message without the IP header.
		if n >= 8 && buf[0] == 0 && binary.BigEndian.Uint16(buf[4:]) == id && from.String() == dst.String() {
			return true, nil
		}
	}
}

// echoRequest builds an ICMP echo request with a valid checksum.
func echoRequest(id, seq uint16) []byte {
	msg := make([]byte, 16)
	msg[0] = 8 // echo request
	binary.BigEndian.PutUint16(msg[4:], id)
	binary.BigEndian.PutUint16(msg[6:], seq)
	copy(msg[8:], "strata!!")
	binary.BigEndian.PutUint16(msg[2:], checksum(msg))
	return msg
}

func checksum(b []byte) uint16 {
	var sum uint32
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	if len(b)%2 == 1 {
		sum += uint32(b[len(b)-1]) << 8
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	return ^uint16(sum)
}
