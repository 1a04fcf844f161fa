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

// Package etcd runs the etcd server that strata-apiserver embeds by default, so that
// the server alone (on a laptop, in tests) keeps its data across restarts without an
// external etcd cluster.
package etcd

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap/zapcore"
	"k8s.io/klog/v2"
)

// Config configures the embedded etcd server.
type Config struct {
	// DataDir holds etcd's data; it is created when missing.
	DataDir string
	// ListenClient is the host:port the client endpoint listens on; port 0 picks a
	// free port. Default 127.0.0.1:0.
	ListenClient string
	// ListenPeer is the host:port of the (unused, single-member) peer endpoint.
	// Default 127.0.0.1:0.
	ListenPeer string
	// ReadyTimeout bounds the wait for etcd to become ready. Default 60s.
	ReadyTimeout time.Duration
	// UnsafeNoFsync trades durability for speed; for tests and benchmarks only.
	UnsafeNoFsync bool
}

func (c *Config) defaults() {
	if c.ListenClient == "" {
		c.ListenClient = "127.0.0.1:0"
	}
	if c.ListenPeer == "" {
		c.ListenPeer = "127.0.0.1:0"
	}
	if c.ReadyTimeout == 0 {
		c.ReadyTimeout = 60 * time.Second
	}
}

// Server is a running embedded etcd.
type Server struct {
	etcd      *embed.Etcd
	clientURL string
}

// Start starts an embedded etcd and waits until it serves clients.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	cfg.defaults()
	if cfg.DataDir == "" {
		return nil, errors.New("embedded etcd: a data directory is required (--data-dir)")
	}
	for _, addr := range []string{cfg.ListenClient, cfg.ListenPeer} {
		if err := CheckLoopback(addr); err != nil {
			return nil, fmt.Errorf("embedded etcd: %w", err)
		}
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("embedded etcd: creating the data directory: %w", err)
	}
	ecfg, err := embedConfig(cfg)
	if err != nil {
		return nil, err
	}
	e, err := embed.StartEtcd(ecfg)
	if err != nil {
		return nil, fmt.Errorf("embedded etcd: starting in %s: %w", cfg.DataDir, err)
	}
	select {
	case <-e.Server.ReadyNotify():
	case <-ctx.Done():
		e.Close()
		return nil, fmt.Errorf("embedded etcd: waiting to become ready: %w", ctx.Err())
	case <-time.After(cfg.ReadyTimeout):
		e.Close()
		return nil, fmt.Errorf("embedded etcd: not ready after %s (data dir %s)", cfg.ReadyTimeout, cfg.DataDir)
	}
	s := &Server{etcd: e, clientURL: "http://" + e.Clients[0].Addr().String()}
	klog.InfoS("Embedded etcd is ready", "dataDir", cfg.DataDir, "clientURL", s.clientURL)
	return s, nil
}

func embedConfig(cfg Config) (*embed.Config, error) {
	clientURL, err := url.Parse("http://" + cfg.ListenClient)
	if err != nil {
		return nil, fmt.Errorf("embedded etcd: invalid client address %q: %w", cfg.ListenClient, err)
	}
	peerURL, err := url.Parse("http://" + cfg.ListenPeer)
	if err != nil {
		return nil, fmt.Errorf("embedded etcd: invalid peer address %q: %w", cfg.ListenPeer, err)
	}
	e := embed.NewConfig()
	e.Name = "strata-apiserver"
	e.Dir = cfg.DataDir
	e.ListenClientUrls, e.AdvertiseClientUrls = []url.URL{*clientURL}, []url.URL{*clientURL}
	e.ListenPeerUrls, e.AdvertisePeerUrls = []url.URL{*peerURL}, []url.URL{*peerURL}
	e.InitialCluster = e.InitialClusterFromName(e.Name)
	e.LogLevel = zapcore.ErrorLevel.String()
	e.UnsafeNoFsync = cfg.UnsafeNoFsync
	// The JSON gateway dials the configured address, which is port 0 when the port is
	// picked at start; the API server speaks gRPC and needs no gateway.
	e.EnableGRPCGateway = false
	// Keep history bounded: the apiserver's watch cache needs minutes, not days.
	e.AutoCompactionMode = embed.CompactorModePeriodic
	e.AutoCompactionRetention = "5m"
	return e, nil
}

// ClientURL is the URL clients reach etcd at (--etcd-servers).
func (s *Server) ClientURL() string { return s.clientURL }

// Close stops etcd and waits for it to release its data directory.
func (s *Server) Close() { s.etcd.Close() }
