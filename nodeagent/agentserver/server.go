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

package agentserver

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"k8s.io/apiserver/pkg/authentication/authenticator"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	"k8s.io/apiserver/pkg/server/healthz"
	"k8s.io/component-base/metrics/legacyregistry"
	"k8s.io/klog/v2"
)

// Server is the agent's HTTPS server. New listens; Run serves.
type Server struct {
	cfg      Config
	mux      *http.ServeMux
	listener net.Listener
	authn    authenticator.Request
	authz    authorizer.Authorizer
}

// New validates cfg, builds TLS and the delegated authentication and
// authorization, installs the health, readiness and metrics endpoints and
// listens (so a port in use fails here, at start).
func New(cfg Config) (*Server, error) {
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	tlsCfg, err := cfg.tlsConfig()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux()}
	if s.authn, s.authz, err = cfg.delegated(); err != nil {
		return nil, err
	}
	healthz.InstallHandler(s.mux, append([]healthz.HealthChecker{healthz.PingHealthz}, cfg.HealthChecks...)...)
	healthz.InstallLivezHandler(s.mux, append([]healthz.HealthChecker{healthz.PingHealthz}, cfg.HealthChecks...)...)
	healthz.InstallReadyzHandler(s.mux, append([]healthz.HealthChecker{healthz.PingHealthz}, cfg.ReadyChecks...)...)
	s.Handle("/metrics", legacyregistry.Handler())
	addr := net.JoinHostPort(cfg.BindAddress, strconv.Itoa(cfg.Port))
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--bind-address, --secure-port: listening on %s: %w", addr, err)
	}
	s.listener = tls.NewListener(l, tlsCfg)
	return s, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() net.Addr { return s.listener.Addr() }

// Handle serves h at pattern (http.ServeMux's patterns) behind authentication
// and authorization: the caller needs the non-resource verb (the lower-case
// HTTP method) on the request's path, e.g. nonResourceURLs ["/trace"] with
// verb "post". Safe to call while the server runs.
func (s *Server) Handle(pattern string, h http.Handler) {
	s.mux.Handle(pattern, protect(h, s.authn, s.authz))
}

// Run serves until ctx ends, then shuts down gracefully (5 s at most).
func (s *Server) Run(ctx context.Context) error {
	srv := &http.Server{Handler: s.mux, ReadHeaderTimeout: 10 * time.Second,
		BaseContext: func(net.Listener) context.Context { return ctx }}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(s.listener) }()
	klog.FromContext(ctx).Info("Agent server listening", "addr", s.Addr().String())
	select {
	case err := <-errc:
		return fmt.Errorf("agent server on %s: %w", s.Addr(), err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("shutting down the agent server: %w", err)
	}
	return nil
}
