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
	"errors"
	"fmt"
	"net"
	"time"

	"k8s.io/apiserver/pkg/server/healthz"
	"k8s.io/client-go/kubernetes"
)

// DefaultPort is the agent server's port unless configured.
const DefaultPort = 10351

// Config configures the agent's HTTPS server.
type Config struct {
	// BindAddress is the address to listen on. Default 0.0.0.0.
	BindAddress string
	// Port to listen on (strata-agent's flag defaults to DefaultPort); 0
	// picks a free port (tests).
	Port int
	// TLSCertFile and TLSKeyFile are the serving key pair; both empty: a
	// self-signed certificate for NodeName and BindAddress.
	TLSCertFile, TLSKeyFile string
	// ClientCAFile verifies client certificates; empty: bearer tokens only.
	ClientCAFile string
	// NodeName names the self-signed certificate.
	NodeName string
	// Kube creates TokenReviews and SubjectAccessReviews on kube-apiserver.
	// Required.
	Kube kubernetes.Interface
	// AuthCacheTTL is how long an authentication or an allow is cached.
	// Default 2m; denials are cached for 10s.
	AuthCacheTTL time.Duration
	// HealthChecks are served under /healthz and /livez (ping is always one);
	// ReadyChecks under /readyz.
	HealthChecks, ReadyChecks []healthz.HealthChecker
}

// Defaults fills zero values.
func (c *Config) Defaults() {
	if c.BindAddress == "" {
		c.BindAddress = "0.0.0.0"
	}
	if c.AuthCacheTTL == 0 {
		c.AuthCacheTTL = 2 * time.Minute
	}
}

// Validate reports every invalid field, named as its flag.
func (c *Config) Validate() error {
	var errs []error
	if net.ParseIP(c.BindAddress) == nil {
		errs = append(errs, fmt.Errorf("--bind-address: %q is not an IP address", c.BindAddress))
	}
	if c.Port < 0 || c.Port > 65535 {
		errs = append(errs, fmt.Errorf("--secure-port: %d out of range 0..65535", c.Port))
	}
	if (c.TLSCertFile == "") != (c.TLSKeyFile == "") {
		errs = append(errs, errors.New("--tls-cert-file and --tls-private-key-file: give both or neither"))
	}
	if c.Kube == nil {
		errs = append(errs, errors.New("agentserver: a Kubernetes client (TokenReview, SubjectAccessReview) is required"))
	}
	if c.AuthCacheTTL < 0 {
		errs = append(errs, fmt.Errorf("agentserver: negative AuthCacheTTL %s", c.AuthCacheTTL))
	}
	return errors.Join(errs...)
}
