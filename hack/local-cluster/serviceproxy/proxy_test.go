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

package main

import (
	"context"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
)

// replica is a TLS server that answers /readyz with its readiness and any other path
// with its name.
func replica(t *testing.T, name string, ready *atomic.Bool) *httptest.Server {
	t.Helper()
	s := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/readyz" && !ready.Load() {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, name)
	}))
	t.Cleanup(s.Close)
	return s
}

// startProxy runs a proxy in front of the servers and returns its address and a
// client that trusts the servers' certificate.
func startProxy(t *testing.T, interval time.Duration, servers ...*httptest.Server) (string, *http.Client, *Proxy) {
	t.Helper()
	ca := filepath.Join(t.TempDir(), "ca.crt")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: servers[0].Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cfg := Config{Listen: addr, CAFile: ca, HealthInterval: interval}
	for _, s := range servers {
		cfg.Backends = append(cfg.Backends, strings.TrimPrefix(s.URL, "https://"))
	}
	p, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	client := servers[0].Client()
	client.Transport.(*http.Transport).DisableKeepAlives = true
	client.Timeout = 5 * time.Second
	return addr, client, p
}

// answers GETs /who through the proxy n times and counts the answers by name.
func answers(t *testing.T, client *http.Client, addr string, n int) map[string]int {
	t.Helper()
	got := map[string]int{}
	for range n {
		resp, err := client.Get("https://" + addr + "/who")
		if err != nil {
			got["error: "+err.Error()]++
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got[string(body)]++
	}
	return got
}

func waitReady(t *testing.T, p *Proxy, want int) {
	t.Helper()
	err := wait.PollUntilContextTimeout(context.Background(), 10*time.Millisecond, 10*time.Second, true, func(context.Context) (bool, error) {
		return len(p.pick()) == want, nil
	})
	if err != nil {
		t.Fatalf("timed out waiting for %d ready backends: %d", want, len(p.pick()))
	}
}

func TestOnlyReadyBackends(t *testing.T) {
	var aReady, bReady atomic.Bool
	aReady.Store(true)
	a, b := replica(t, "a", &aReady), replica(t, "b", &bReady)
	addr, client, p := startProxy(t, 20*time.Millisecond, a, b)
	waitReady(t, p, 1)
	if got := answers(t, client, addr, 10); got["a"] != 10 {
		t.Fatalf("with only a ready, answers %v, want 10 from a", got)
	}
	bReady.Store(true)
	waitReady(t, p, 2)
	if got := answers(t, client, addr, 10); got["a"] == 0 || got["b"] == 0 || got["a"]+got["b"] != 10 {
		t.Fatalf("with both ready, answers %v, want both, 10 in all", got)
	}
	aReady.Store(false)
	waitReady(t, p, 1)
	if got := answers(t, client, addr, 10); got["b"] != 10 {
		t.Fatalf("with only b ready, answers %v, want 10 from b", got)
	}
}

func TestDeadBackendSkipped(t *testing.T) {
	var ready atomic.Bool
	ready.Store(true)
	a, b := replica(t, "a", &ready), replica(t, "b", &ready)
	// Checked once: a stays marked ready after it is gone, as between two checks.
	addr, client, p := startProxy(t, time.Hour, a, b)
	waitReady(t, p, 2)
	a.Close()
	if got := answers(t, client, addr, 10); got["b"] != 10 {
		t.Fatalf("with a gone, answers %v, want 10 from b", got)
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"valid", Config{Listen: "127.0.0.1:1", Backends: []string{"127.0.0.1:2"}, CAFile: "ca"}, ""},
		{"no backend", Config{Listen: "127.0.0.1:1", CAFile: "ca"}, "--backend"},
		{"bad backend", Config{Listen: "127.0.0.1:1", Backends: []string{"nohost"}, CAFile: "ca"}, "--backend"},
		{"bad listen", Config{Listen: "x", Backends: []string{"127.0.0.1:2"}, CAFile: "ca"}, "--listen"},
		{"no CA", Config{Listen: "127.0.0.1:1", Backends: []string{"127.0.0.1:2"}}, "--ca-file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Defaults()
			err := tc.cfg.Validate()
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("Validate() = %v, want an error naming %q", err, tc.want)
			}
		})
	}
}
