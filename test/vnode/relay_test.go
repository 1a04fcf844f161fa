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
	"reflect"
	"strings"
	"testing"
	"time"

	"k8s.io/klog/v2/ktesting"
)

func TestRelayTarget(t *testing.T) {
	tests := []struct {
		name, server, want, wantErr string
	}{
		{name: "host and port", server: "https://127.0.0.1:24343", want: "127.0.0.1:24343"},
		{name: "with a path", server: "https://127.0.0.1:6443/prefix", want: "127.0.0.1:6443"},
		{name: "default port", server: "https://api.example", want: "api.example:443"},
		{name: "IPv6", server: "https://[fd00::1]:6443", want: "[fd00::1]:6443"},
		{name: "not https", server: "http://127.0.0.1:8080", wantErr: "not an https:// URL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := relayTarget(tc.server)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("relayTarget(%q) error = %v, want %q", tc.server, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("relayTarget(%q) = %q, %v; want %q", tc.server, got, err, tc.want)
			}
		})
	}
}

func TestOverrideEnv(t *testing.T) {
	tests := []struct {
		name     string
		env, set []string
		want     []string
	}{
		{name: "replaced in place", env: []string{"PATH=/bin", "KUBERNETES_SERVICE_HOST=10.96.0.1", "KUBERNETES_SERVICE_PORT=443", "A=b"},
			set:  []string{"KUBERNETES_SERVICE_HOST=172.30.0.11", "KUBERNETES_SERVICE_PORT=6443"},
			want: []string{"PATH=/bin", "KUBERNETES_SERVICE_HOST=172.30.0.11", "KUBERNETES_SERVICE_PORT=6443", "A=b"}},
		{name: "appended when missing", env: []string{"PATH=/bin"}, set: []string{"KUBERNETES_SERVICE_HOST=172.30.0.11"},
			want: []string{"PATH=/bin", "KUBERNETES_SERVICE_HOST=172.30.0.11"}},
		{name: "a prefix is another name", env: []string{"KUBERNETES_SERVICE_HOSTX=1"}, set: []string{"KUBERNETES_SERVICE_HOST=2"},
			want: []string{"KUBERNETES_SERVICE_HOSTX=1", "KUBERNETES_SERVICE_HOST=2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := overrideEnv(tc.env, tc.set); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("overrideEnv = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestServeRelay relays two connections on loopback to an echo server, in both
// directions with half-closes, and stops with its context.
func TestServeRelay(t *testing.T) {
	_, ctx := ktesting.NewTestContext(t)
	echo, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer echo.Close()
	go func() {
		for {
			c, err := echo.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_, _ = io.Copy(c, c)
			}()
		}
	}()
	cfg := relayConfig{Listen: "127.0.0.1:0", Target: echo.Addr().String(), DialTimeout: 5 * time.Second}
	l, err := listenRelay(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- serveRelay(ctx, l, cfg) }()
	for i := range 2 {
		c, err := net.DialTimeout("tcp", l.Addr().String(), 5*time.Second)
		if err != nil {
			t.Fatalf("dial the relay: %v", err)
		}
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		msg := fmt.Sprintf("hello %d\n", i)
		if _, err := io.WriteString(c, msg); err != nil {
			t.Fatal(err)
		}
		_ = c.(*net.TCPConn).CloseWrite()
		got, err := io.ReadAll(bufio.NewReader(c))
		c.Close()
		if err != nil || string(got) != msg {
			t.Errorf("connection %d through the relay: %q, %v; want %q", i, got, err, msg)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serveRelay: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serveRelay did not stop within 10s of its context's end")
	}
	if _, err := net.DialTimeout("tcp", l.Addr().String(), time.Second); err == nil {
		t.Error("the relay still accepts after its context ended")
	}
}
