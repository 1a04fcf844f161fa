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

package cpclient

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"

	"k8s.io/client-go/rest"
	"k8s.io/component-base/metrics"
	"k8s.io/component-base/metrics/legacyregistry"
	"k8s.io/klog/v2"
)

// switches counts the moves to another server.
var switches = metrics.NewCounter(&metrics.CounterOpts{
	Name:           "strata_agent_controlplane_server_switches_total",
	Help:           "Moves of the agent's controlplane client to the next strata-apiserver of --controlplane-servers, after the current one failed.",
	StabilityLevel: metrics.ALPHA,
})

var registerOnce sync.Once

// Config is the list of servers and the client configuration they share.
type Config struct {
	// Servers are the strata-apiservers' URLs (https://host:port), tried in order.
	Servers []string
	// Base carries the credentials and TLS settings (from the agent's kubeconfig);
	// its Host is replaced by the servers'.
	Base *rest.Config
	// CAFile, when set, replaces Base's CA: the strata-apiservers' serving CA.
	CAFile string
}

// Validate checks the servers' URLs.
func (c *Config) Validate() error {
	if len(c.Servers) == 0 {
		return errors.New("--controlplane-servers: at least one server is required")
	}
	if c.Base == nil {
		return errors.New("--controlplane-servers: a base client configuration is required")
	}
	for i, s := range c.Servers {
		u, err := url.Parse(s)
		if err != nil || u.Scheme != "https" || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return fmt.Errorf("--controlplane-servers[%d]: %q is not an https://host[:port] URL", i, s)
		}
	}
	return nil
}

// Pool is the list of servers and the current one.
type Pool struct {
	mu      sync.Mutex
	servers []*url.URL
	current int
}

// New returns the client configuration of the controlplane API over the pool.
func New(cfg Config) (*rest.Config, *Pool, error) {
	if err := cfg.Validate(); err != nil {
		return nil, nil, err
	}
	registerOnce.Do(func() { legacyregistry.MustRegister(switches) })
	p := &Pool{}
	for _, s := range cfg.Servers {
		u, _ := url.Parse(s) // validated
		p.servers = append(p.servers, u)
	}
	rc := rest.CopyConfig(cfg.Base)
	rc.Host = cfg.Servers[0]
	if cfg.CAFile != "" {
		rc.TLSClientConfig.CAFile, rc.TLSClientConfig.CAData = cfg.CAFile, nil
	}
	// Each request names its server: the TLS check uses that server's name.
	rc.TLSClientConfig.ServerName = ""
	rc.Wrap(p.wrap)
	return rc, p, nil
}

// Current is the server requests go to.
func (p *Pool) Current() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.servers[p.current].String()
}

// fail moves to the next server, unless another request already moved away from
// failed.
func (p *Pool) fail(failed int, reason string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.current != failed || len(p.servers) == 1 {
		return
	}
	p.current = (p.current + 1) % len(p.servers)
	switches.Inc()
	klog.InfoS("Moving to the next strata-apiserver", "failed", p.servers[failed].Host, "reason", reason,
		"next", p.servers[p.current].Host)
}

func (p *Pool) pick() (int, *url.URL) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.current, p.servers[p.current]
}

func (p *Pool) wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripper{pool: p, next: rt}
}

// roundTripper sends each request to the pool's current server.
type roundTripper struct {
	pool *Pool
	next http.RoundTripper
}

func (r roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	i, server := r.pool.pick()
	req = req.Clone(req.Context())
	req.URL.Scheme, req.URL.Host, req.Host = server.Scheme, server.Host, ""
	resp, err := r.next.RoundTrip(req)
	switch {
	case err != nil && req.Context().Err() == nil:
		r.pool.fail(i, err.Error())
	case err == nil && unavailable(resp.StatusCode):
		r.pool.fail(i, resp.Status)
	}
	return resp, err
}

// unavailable tells the statuses of a server that cannot serve now.
func unavailable(code int) bool {
	return code == http.StatusBadGateway || code == http.StatusServiceUnavailable || code == http.StatusGatewayTimeout
}
