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

package reports

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// EtcdConfig is how strata-apiserver reaches its etcd (its --etcd-* flags).
type EtcdConfig struct {
	Endpoints []string
	// CertFile and KeyFile are the client certificate, CAFile the CA of the
	// members' serving certificates; all empty without TLS.
	CertFile, KeyFile, CAFile string
	// Prefix is --etcd-prefix.
	Prefix string
	// DialTimeout bounds the first connection. Default 10s.
	DialTimeout time.Duration
}

// Defaults fills the dial timeout.
func (c *EtcdConfig) Defaults() {
	if c.DialTimeout == 0 {
		c.DialTimeout = 10 * time.Second
	}
}

// Validate checks the configuration.
func (c *EtcdConfig) Validate() error {
	if len(c.Endpoints) == 0 {
		return errors.New("realization reports: --etcd-servers: at least one etcd endpoint is required")
	}
	if (c.CertFile == "") != (c.KeyFile == "") {
		return errors.New("realization reports: --etcd-certfile and --etcd-keyfile must be set together")
	}
	return nil
}

// Dial connects to strata's etcd.
func Dial(cfg EtcdConfig) (*clientv3.Client, error) {
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	tlsConfig, err := cfg.tls()
	if err != nil {
		return nil, err
	}
	client, err := clientv3.New(clientv3.Config{Endpoints: cfg.Endpoints, DialTimeout: cfg.DialTimeout, TLS: tlsConfig})
	if err != nil {
		return nil, fmt.Errorf("realization reports: connecting to etcd %v: %w", cfg.Endpoints, err)
	}
	return client, nil
}

// NewStore connects to etcd and returns the store of the reports.
func NewStore(cfg EtcdConfig) (*Store, *clientv3.Client, error) {
	client, err := Dial(cfg)
	if err != nil {
		return nil, nil, err
	}
	store, err := New(Config{Client: client, Prefix: cfg.Prefix})
	if err != nil {
		_ = client.Close()
		return nil, nil, err
	}
	return store, client, nil
}

// tls returns the client TLS configuration; nil without any file.
func (c *EtcdConfig) tls() (*tls.Config, error) {
	if c.CertFile == "" && c.CAFile == "" {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.CertFile != "" {
		pair, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("realization reports: --etcd-certfile/--etcd-keyfile: %w", err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("realization reports: --etcd-cafile: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("realization reports: --etcd-cafile %s: no PEM certificate", c.CAFile)
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}
