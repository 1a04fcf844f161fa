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

package apiserver

import (
	"crypto/tls"
	"fmt"
	"net"
	"time"
)

// AdvertisedClientCAs returns a probe of the server listening on addr: it
// handshakes with it (no client certificate; only the server's
// CertificateRequest is read, so the server's certificate is not verified: the
// probe talks to its own process over loopback) and counts the CAs the server
// accepts client certificates of.
func AdvertisedClientCAs(addr net.Addr) func() (int, error) {
	return func() (int, error) {
		target, err := loopbackOf(addr)
		if err != nil {
			return 0, err
		}
		n := -1
		cfg := &tls.Config{
			InsecureSkipVerify: true, //nolint:gosec // the probe reads the CertificateRequest only
			GetClientCertificate: func(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
				n = len(cri.AcceptableCAs)
				return &tls.Certificate{}, nil
			},
		}
		conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 2 * time.Second}, "tcp", target, cfg)
		if err != nil {
			return 0, fmt.Errorf("handshake with %s: %w", target, err)
		}
		_ = conn.Close()
		if n < 0 {
			return 0, fmt.Errorf("%s asked for no client certificate", target)
		}
		return n, nil
	}
}

// loopbackOf is addr, with an unspecified host replaced by the loopback address.
func loopbackOf(addr net.Addr) (string, error) {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "", fmt.Errorf("the serving address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		if ip != nil && ip.To4() == nil {
			host = "::1"
		} else {
			host = "127.0.0.1"
		}
	}
	return net.JoinHostPort(host, port), nil
}
