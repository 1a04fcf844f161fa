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

package standalone

import (
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"slices"

	"k8s.io/klog/v2"
)

// ensureServingHosts re-issues the serving certificate with the existing CA when
// its names differ from those of hosts.
func (p PKI) ensureServingHosts(hosts []string) error {
	current, err := readCert(p.ServingCert())
	if err != nil {
		return err
	}
	want := servingTemplate(hosts)
	if slices.Equal(certNames(current), certNames(want)) {
		return nil
	}
	ca, err := readCert(p.CACert())
	if err != nil {
		return err
	}
	caKey, err := readKey(p.caKey())
	if err != nil {
		return err
	}
	klog.InfoS("Re-issuing the standalone serving certificate: its names changed (--alternate-hosts)",
		"old", certNames(current), "new", certNames(want))
	return p.sign(want, ca, caKey, p.ServingCert(), p.ServingKey())
}

// certNames returns the sorted DNS names and IP addresses of a certificate.
func certNames(c *x509.Certificate) []string {
	names := slices.Clone(c.DNSNames)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	slices.Sort(names)
	return slices.Compact(names)
}

func readCert(path string) (*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("%s holds no PEM certificate", path)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parsing %s: %w", path, err)
	}
	return cert, nil
}

func readKey(path string) (*ecdsa.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "EC PRIVATE KEY" {
		return nil, fmt.Errorf("%s holds no PEM EC private key", path)
	}
	key, err := x509.ParseECPrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parsing %s: %w", path, err)
	}
	return key, nil
}
