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
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"k8s.io/klog/v2"
)

// Config is the proxy's configuration.
type Config struct {
	Listen         string   // host:port to accept on
	Backends       []string // host:port of each replica
	CAFile         string   // CA of the replicas' serving certificates
	HealthPath     string   // readiness path, e.g. /readyz
	HealthInterval time.Duration
	HealthTimeout  time.Duration // bounds one readiness check
	DialTimeout    time.Duration
}

// Defaults fills the optional fields.
func (c *Config) Defaults() {
	if c.HealthPath == "" {
		c.HealthPath = "/readyz"
	}
	if c.HealthInterval == 0 {
		c.HealthInterval = 500 * time.Millisecond
	}
	if c.HealthTimeout == 0 {
		c.HealthTimeout = 2 * time.Second
	}
	if c.DialTimeout == 0 {
		c.DialTimeout = 2 * time.Second
	}
}

// Validate names the first wrong field.
func (c *Config) Validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		errs = append(errs, fmt.Errorf("--listen %q: %w", c.Listen, err))
	}
	if len(c.Backends) == 0 {
		errs = append(errs, errors.New("--backend: at least one is required"))
	}
	for _, b := range c.Backends {
		if _, _, err := net.SplitHostPort(b); err != nil {
			errs = append(errs, fmt.Errorf("--backend %q: %w", b, err))
		}
	}
	if c.CAFile == "" {
		errs = append(errs, errors.New("--ca-file: required (the replicas' readiness is checked over TLS)"))
	}
	if c.HealthInterval <= 0 {
		errs = append(errs, fmt.Errorf("--health-interval must be positive, got %s", c.HealthInterval))
	}
	return errors.Join(errs...)
}

// backend is one replica and whether its last readiness check passed.
type backend struct {
	addr  string
	ready atomic.Bool
}

// Proxy spreads connections over the ready backends, in turn.
type Proxy struct {
	cfg      Config
	backends []*backend
	client   *http.Client
	next     atomic.Uint64
}

// New checks cfg and builds a proxy; Run starts it.
func New(cfg Config) (*Proxy, error) {
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	pem, err := os.ReadFile(cfg.CAFile)
	if err != nil {
		return nil, fmt.Errorf("--ca-file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("--ca-file %s: no PEM certificate in it", cfg.CAFile)
	}
	p := &Proxy{cfg: cfg, client: &http.Client{
		Timeout:   cfg.HealthTimeout,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, DisableKeepAlives: true},
	}}
	for _, b := range cfg.Backends {
		p.backends = append(p.backends, &backend{addr: b})
	}
	return p, nil
}

// Run checks the backends' readiness and proxies connections until ctx ends.
func (p *Proxy) Run(ctx context.Context) error {
	l, err := (&net.ListenConfig{}).Listen(ctx, "tcp", p.cfg.Listen)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", p.cfg.Listen, err)
	}
	klog.InfoS("serviceproxy listening", "address", l.Addr().String(), "backends", p.cfg.Backends)
	var wg sync.WaitGroup
	for _, b := range p.backends {
		wg.Go(func() { p.watch(ctx, b) })
	}
	go func() {
		<-ctx.Done()
		l.Close()
	}()
	defer wg.Wait()
	for {
		conn, err := l.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("accepting on %s: %w", p.cfg.Listen, err)
		}
		go p.serve(ctx, conn)
	}
}

// watch keeps b.ready up to date, logging each change.
func (p *Proxy) watch(ctx context.Context, b *backend) {
	tick := time.NewTicker(p.cfg.HealthInterval)
	defer tick.Stop()
	for {
		ready := p.check(ctx, b.addr)
		if b.ready.Swap(ready) != ready {
			klog.InfoS("backend readiness changed", "backend", b.addr, "ready", ready)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (p *Proxy) check(ctx context.Context, addr string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+addr+p.cfg.HealthPath, nil)
	if err != nil {
		return false
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// pick returns the ready backends, starting with the next one in turn.
func (p *Proxy) pick() []*backend {
	n := len(p.backends)
	start := int(p.next.Add(1) % uint64(n))
	var out []*backend
	for i := range n {
		if b := p.backends[(start+i)%n]; b.ready.Load() {
			out = append(out, b)
		}
	}
	return out
}

// serve connects conn to a ready backend (the next one if a dial fails) and
// copies both ways until either side closes.
func (p *Proxy) serve(ctx context.Context, conn net.Conn) {
	defer conn.Close()
	d := net.Dialer{Timeout: p.cfg.DialTimeout}
	for _, b := range p.pick() {
		up, err := d.DialContext(ctx, "tcp", b.addr)
		if err != nil {
			b.ready.Store(false)
			klog.InfoS("backend unreachable; trying the next", "backend", b.addr, "err", err)
			continue
		}
		defer up.Close()
		done := make(chan struct{}, 2)
		go func() { _, _ = io.Copy(up, conn); closeWrite(up); done <- struct{}{} }()
		go func() { _, _ = io.Copy(conn, up); closeWrite(conn); done <- struct{}{} }()
		<-done
		<-done
		return
	}
	klog.InfoS("no ready backend; connection closed", "client", conn.RemoteAddr().String())
}

func closeWrite(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.CloseWrite()
	}
}
