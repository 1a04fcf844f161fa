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
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// startResponder serves on loopback ephemeral ports until the test ends.
func startResponder(t *testing.T, name string) *Responder {
	t.Helper()
	r, err := NewResponder(ResponderConfig{Name: name, Address: "127.0.0.1", TCPPorts: []int{0}, UDPPorts: []int{0}}, io.Discard)
	if err != nil {
		t.Fatalf("NewResponder: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = r.Serve(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return r
}

func TestResponderTCP(t *testing.T) {
	r := startResponder(t, "web-1")
	tests := []struct {
		name string
		send string // sent right after connecting; empty: nothing
		want string
	}{
		{name: "silent client gets the name", want: "web-1\n"},
		{name: "non-HTTP request gets the name", send: "PING\r\n", want: "web-1\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := net.DialTimeout("tcp", r.TCPAddrs()[0].String(), 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(10 * time.Second))
			if tc.send != "" {
				if _, err := io.WriteString(c, tc.send); err != nil {
					t.Fatal(err)
				}
			}
			got, err := io.ReadAll(c)
			if err != nil {
				t.Fatalf("reading the answer: %v", err)
			}
			if string(got) != tc.want {
				t.Errorf("answer %q, want %q", got, tc.want)
			}
		})
	}
}

func TestResponderHTTP(t *testing.T) {
	r := startResponder(t, "web-1")
	client := &http.Client{Timeout: 10 * time.Second}
	for _, method := range []string{http.MethodGet, http.MethodHead, http.MethodPost} {
		t.Run(method, func(t *testing.T) {
			req, err := http.NewRequest(method, "http://"+r.TCPAddrs()[0].String()+"/hostname", strings.NewReader(""))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatalf("%s: %v", method, err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			want := "web-1"
			if method == http.MethodHead {
				want = ""
			}
			if resp.StatusCode != http.StatusOK || string(body) != want {
				t.Errorf("%s: %d %q, want 200 %q", method, resp.StatusCode, body, want)
			}
		})
	}
}

func TestResponderHTTPRequestInPieces(t *testing.T) {
	r := startResponder(t, "web-1")
	c, err := net.DialTimeout("tcp", r.TCPAddrs()[0].String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\n"); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(c, "Host: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("reading the HTTP answer: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || string(body) != "web-1" {
		t.Errorf("got %d %q", resp.StatusCode, body)
	}
}

func TestResponderUDP(t *testing.T) {
	r := startResponder(t, "dns-1")
	c, err := net.Dial("udp", r.UDPAddrs()[0].String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i := range 3 {
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := fmt.Fprintf(c, "hostname %d\n", i); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 100)
		n, err := c.Read(buf)
		if err != nil {
			t.Fatalf("datagram %d: %v", i, err)
		}
		if got := string(buf[:n]); got != "dns-1\n" {
			t.Errorf("datagram %d: answer %q, want %q", i, got, "dns-1\n")
		}
	}
}

func TestResponderConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  ResponderConfig
		want string
	}{
		{name: "valid", cfg: ResponderConfig{Name: "a", TCPPorts: []int{80}, UDPPorts: []int{53}}},
		{name: "no name", cfg: ResponderConfig{TCPPorts: []int{80}}, want: "--name: required"},
		{name: "bad tcp port", cfg: ResponderConfig{Name: "a", TCPPorts: []int{70000}}, want: "--tcp: 70000 is not a port"},
		{name: "bad udp port", cfg: ResponderConfig{Name: "a", UDPPorts: []int{-1}}, want: "--udp: -1 is not a port"},
		{name: "bad address", cfg: ResponderConfig{Name: "a", Address: "any"}, want: `--address: "any" is not an IP address`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Defaults()
			err := tc.cfg.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate error %v, want %q", err, tc.want)
			}
		})
	}
}

func TestResponderPortInUse(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	_, err = NewResponder(ResponderConfig{Name: "a", Address: "127.0.0.1", TCPPorts: []int{port}}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "address already in use") {
		t.Errorf("NewResponder on a used port: %v, want address already in use", err)
	}
}
