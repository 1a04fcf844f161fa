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
	"crypto/tls"
	"fmt"
	"net"

	certutil "k8s.io/client-go/util/cert"
)

// tlsConfig serves the configured key pair or a self-signed certificate, and
// asks for (without requiring) a client certificate, which the authenticator
// verifies against the client CA.
func (c *Config) tlsConfig() (*tls.Config, error) {
	var cert tls.Certificate
	var err error
	if c.TLSCertFile != "" {
		cert, err = tls.LoadX509KeyPair(c.TLSCertFile, c.TLSKeyFile)
		if err != nil {
			return nil, fmt.Errorf("--tls-cert-file, --tls-private-key-file: %w", err)
		}
	} else if cert, err = c.selfSigned(); err != nil {
		return nil, err
	}
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS12,
		ClientAuth:   tls.RequestClientCert,
		NextProtos:   []string{"http/1.1"},
	}, nil
}

// selfSigned makes a certificate (and its own CA) for the Node's name, the bind
// address and localhost, as kubelet does without --tls-cert-file.
func (c *Config) selfSigned() (tls.Certificate, error) {
	host := c.NodeName
	if host == "" {
		host = "strata-agent"
	}
	ips := []net.IP{net.ParseIP("127.0.0.1")}
	if ip := net.ParseIP(c.BindAddress); ip != nil && !ip.IsUnspecified() && !ip.Equal(ips[0]) {
		ips = append(ips, ip)
	}
	certPEM, keyPEM, err := certutil.GenerateSelfSignedCertKey(host, ips, []string{"localhost"})
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("generating the self-signed serving certificate: %w", err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("loading the self-signed serving certificate: %w", err)
	}
	return cert, nil
}
