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

package vnode

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"time"
)

// ResponderConfig configures a responder ("strata-vnode respond"): it answers on
// every port with Name, so that Pods of any image are reachable and say who they are.
type ResponderConfig struct {
	// Name is the answer, the Pod's name (--name). Required.
	Name string
	// TCPPorts and UDPPorts are served on every address (--tcp, --udp).
	TCPPorts []int
	UDPPorts []int
	// Address is the listen address (--address). Default: every address.
	Address string
	// SniffTimeout is how long a TCP connection is given to send an HTTP request
	// before the name is written (--sniff-timeout). Default 250ms.
	SniffTimeout time.Duration
}

// Defaults fills zero values.
func (c *ResponderConfig) Defaults() {
	if c.SniffTimeout == 0 {
		c.SniffTimeout = 250 * time.Millisecond
	}
}

// Validate reports every invalid field, naming its flag.
func (c *ResponderConfig) Validate() error {
	var errs []error
	if c.Name == "" {
		errs = append(errs, errors.New("--name: required (the answer)"))
	}
	for _, p := range c.TCPPorts {
		if p < 0 || p > 65535 {
			errs = append(errs, fmt.Errorf("--tcp: %d is not a port", p))
		}
	}
	for _, p := range c.UDPPorts {
		if p < 0 || p > 65535 {
			errs = append(errs, fmt.Errorf("--udp: %d is not a port", p))
		}
	}
	if c.Address != "" && net.ParseIP(c.Address) == nil {
		errs = append(errs, fmt.Errorf("--address: %q is not an IP address", c.Address))
	}
	if c.SniffTimeout <= 0 {
		errs = append(errs, fmt.Errorf("--sniff-timeout: %s is not positive", c.SniffTimeout))
	}
	return errors.Join(errs...)
}

// Responder answers with its name: on TCP, an HTTP request (one sent within the
// sniff timeout) gets "200 OK" with the name as body, any other connection gets
// the name and a newline, then the connection is closed; on UDP every datagram
// gets the name and a newline back.
type Responder struct {
	cfg  ResponderConfig
	out  io.Writer
	tcp  []net.Listener
	udp  []net.PacketConn
	mu   sync.Mutex // serializes out
	conn sync.WaitGroup
}

// NewResponder opens every socket; Serve answers on them.
func NewResponder(cfg ResponderConfig, out io.Writer) (*Responder, error) {
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	r := &Responder{cfg: cfg, out: out}
	for _, p := range cfg.TCPPorts {
		l, err := net.Listen("tcp", net.JoinHostPort(cfg.Address, strconv.Itoa(p)))
		if err != nil {
			r.close()
			return nil, fmt.Errorf("responder: %w", err)
		}
		r.tcp = append(r.tcp, l)
	}
	for _, p := range cfg.UDPPorts {
		c, err := net.ListenPacket("udp", net.JoinHostPort(cfg.Address, strconv.Itoa(p)))
		if err != nil {
			r.close()
			return nil, fmt.Errorf("responder: %w", err)
		}
		r.udp = append(r.udp, c)
	}
	return r, nil
}

// TCPAddrs and UDPAddrs are the bound addresses, in flag order.
func (r *Responder) TCPAddrs() []net.Addr {
	var a []net.Addr
	for _, l := range r.tcp {
		a = append(a, l.Addr())
	}
	return a
}

func (r *Responder) UDPAddrs() []net.Addr {
	var a []net.Addr
	for _, c := range r.udp {
		a = append(a, c.LocalAddr())
	}
	return a
}

// Serve answers until ctx is done, then closes the sockets.
func (r *Responder) Serve(ctx context.Context) error {
	r.logf("responder %s: tcp %v udp %v", r.cfg.Name, r.TCPAddrs(), r.UDPAddrs())
	var wg sync.WaitGroup
	for _, l := range r.tcp {
		wg.Add(1)
		go func() { defer wg.Done(); r.serveTCP(l) }()
	}
	for _, c := range r.udp {
		wg.Add(1)
		go func() { defer wg.Done(); r.serveUDP(c) }()
	}
	<-ctx.Done()
	r.close()
	wg.Wait()
	r.conn.Wait()
	return nil
}

func (r *Responder) close() {
	for _, l := range r.tcp {
		_ = l.Close()
	}
	for _, c := range r.udp {
		_ = c.Close()
	}
}

func (r *Responder) serveTCP(l net.Listener) {
	for {
		c, err := l.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			r.logf("accept on %s: %v", l.Addr(), err)
			continue
		}
		r.conn.Add(1)
		go func() { defer r.conn.Done(); r.answerTCP(c) }()
	}
}

// answerTCP waits up to the sniff timeout for a request; an HTTP one is answered
// in HTTP, anything else (or nothing) with the name.
func (r *Responder) answerTCP(c net.Conn) {
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(r.cfg.SniffTimeout))
	buf := make([]byte, 8192)
	n, _ := c.Read(buf)
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if n > 0 && looksLikeHTTP(buf[:n]) {
		r.logf("responder %s: http %s from %s", r.cfg.Name, firstLine(buf[:n]), c.RemoteAddr())
		r.answerHTTP(c, buf[:n], buf)
		return
	}
	r.logf("responder %s: tcp %s from %s", r.cfg.Name, c.LocalAddr(), c.RemoteAddr())
	_, _ = io.WriteString(c, r.cfg.Name+"\n")
}

// answerHTTP reads the rest of the request head (so that closing does not reset
// the connection) and answers 200 with the name.
func (r *Responder) answerHTTP(c net.Conn, head, buf []byte) {
	head = append([]byte(nil), head...)
	for !bytes.Contains(head, []byte("\r\n\r\n")) && len(head) < 64<<10 {
		n, err := c.Read(buf)
		head = append(head, buf[:n]...)
		if err != nil {
			break
		}
	}
	body := r.cfg.Name
	if bytes.HasPrefix(head, []byte("HEAD ")) {
		body = ""
	}
	_, _ = fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
		len(r.cfg.Name), body)
}

func (r *Responder) serveUDP(c net.PacketConn) {
	buf := make([]byte, 65535)
	for {
		_, from, err := c.ReadFrom(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			r.logf("udp read on %s: %v", c.LocalAddr(), err)
			continue
		}
		r.logf("responder %s: udp %s from %s", r.cfg.Name, c.LocalAddr(), from)
		if _, err := c.WriteTo([]byte(r.cfg.Name+"\n"), from); err != nil {
			r.logf("udp reply to %s: %v", from, err)
		}
	}
}

var httpMethods = [][]byte{
	[]byte("GET "), []byte("HEAD "), []byte("POST "), []byte("PUT "), []byte("DELETE "),
	[]byte("OPTIONS "), []byte("PATCH "), []byte("CONNECT "), []byte("TRACE "),
}

// looksLikeHTTP reports data starting with an HTTP/1 request line.
func looksLikeHTTP(data []byte) bool {
	for _, m := range httpMethods {
		if bytes.HasPrefix(data, m) {
			return true
		}
	}
	return false
}

func firstLine(data []byte) string {
	if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
		data = data[:i]
	}
	return strconv.Quote(string(data))
}

func (r *Responder) logf(format string, args ...any) {
	if r.out == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(r.out, time.Now().UTC().Format(time.RFC3339Nano)+" "+format+"\n", args...)
}
