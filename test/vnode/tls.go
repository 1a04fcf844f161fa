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
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"time"

	"github.com/virtual-kubelet/virtual-kubelet/node/nodeutil"
)

// tlsOptions serve the kubelet API with the configured key pair or a self-signed
// certificate, and require client certificates when a client CA is configured.
func (c *Config) tlsOptions() ([]func(*tls.Config) error, error) {
	var opts []func(*tls.Config) error
	if c.TLSCertFile != "" {
		opts = append(opts, nodeutil.WithKeyPairFromPath(c.TLSCertFile, c.TLSKeyFile))
	} else {
		cert, err := selfSignedCert(c.Runtime.NodeName, net.ParseIP(c.KubeletAddress))
		if err != nil {
			return nil, err
		}
		opts = append(opts, func(cfg *tls.Config) error {
			cfg.Certificates = append(cfg.Certificates, cert)
			return nil
		})
	}
	if c.ClientCAFile != "" {
		opts = append(opts, nodeutil.WithCAFromPath(c.ClientCAFile))
	}
	return opts, nil
}

// selfSignedCert is a one-year serving certificate for host and ip.
func selfSignedCert(host string, ip net.IP) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("generating the kubelet serving key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("generating a serial number: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: host + "@strata-vnode"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{host},
		IPAddresses:  []net.IP{ip},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("self-signing the kubelet serving certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
