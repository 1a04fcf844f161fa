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
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// AdminUser and AdminGroup are the identity of the admin client certificate.
const (
	AdminUser  = "admin"
	AdminGroup = "system:masters"
)

const validity = 10 * 365 * 24 * time.Hour

// PKI names the files of the standalone certificate authority and its certificates.
type PKI struct {
	Dir string
}

// CACert and the other accessors return the paths of the PEM files.
func (p PKI) CACert() string      { return filepath.Join(p.Dir, "ca.crt") }
func (p PKI) caKey() string       { return filepath.Join(p.Dir, "ca.key") }
func (p PKI) ServingCert() string { return filepath.Join(p.Dir, "serving.crt") }
func (p PKI) ServingKey() string  { return filepath.Join(p.Dir, "serving.key") }
func (p PKI) AdminCert() string   { return filepath.Join(p.Dir, "admin.crt") }
func (p PKI) AdminKey() string    { return filepath.Join(p.Dir, "admin.key") }

// Ensure creates the CA, the serving certificate (for localhost, 127.0.0.1, ::1
// and hosts) and the admin client certificate, unless they already exist. An
// existing serving certificate whose names are not exactly those is re-issued by
// the existing CA, so that a change of --alternate-hosts takes effect; the CA and
// the admin certificate are kept.
func (p PKI) Ensure(hosts []string) error {
	if fileExists(p.CACert()) && fileExists(p.ServingCert()) && fileExists(p.AdminCert()) {
		return p.ensureServingHosts(hosts)
	}
	if err := os.MkdirAll(p.Dir, 0o700); err != nil {
		return fmt.Errorf("creating %s: %w", p.Dir, err)
	}
	caKey, ca, err := newCA()
	if err != nil {
		return err
	}
	if err := writePair(p.CACert(), p.caKey(), ca, caKey); err != nil {
		return err
	}
	if err := p.sign(servingTemplate(hosts), ca, caKey, p.ServingCert(), p.ServingKey()); err != nil {
		return err
	}
	admin := &x509.Certificate{
		Subject:     pkix.Name{CommonName: AdminUser, Organization: []string{AdminGroup}},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	return p.sign(admin, ca, caKey, p.AdminCert(), p.AdminKey())
}

// servingTemplate is the serving certificate for localhost, 127.0.0.1, ::1 and
// hosts.
func servingTemplate(hosts []string) *x509.Certificate {
	serving := &x509.Certificate{
		Subject:     pkix.Name{CommonName: "strata-apiserver"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range append([]string{"localhost", "127.0.0.1", "::1"}, hosts...) {
		if ip := net.ParseIP(h); ip != nil {
			serving.IPAddresses = append(serving.IPAddresses, ip)
		} else {
			serving.DNSNames = append(serving.DNSNames, h)
		}
	}
	return serving
}

func newCA() (*ecdsa.PrivateKey, *x509.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generating the CA key: %w", err)
	}
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: "strata-standalone-ca"},
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	cert, err := create(tmpl, tmpl, key.Public(), key)
	return key, cert, err
}

func (p PKI) sign(tmpl, ca *x509.Certificate, caKey crypto.Signer, certPath, keyPath string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("generating a key for %s: %w", tmpl.Subject.CommonName, err)
	}
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
	cert, err := create(tmpl, ca, key.Public(), caKey)
	if err != nil {
		return err
	}
	return writePair(certPath, keyPath, cert, key)
}

func create(tmpl, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, fmt.Errorf("generating a serial number: %w", err)
	}
	tmpl.SerialNumber = serial
	tmpl.NotBefore = time.Now().Add(-time.Hour)
	tmpl.NotAfter = time.Now().Add(validity)
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		return nil, fmt.Errorf("signing the certificate of %s: %w", tmpl.Subject.CommonName, err)
	}
	return x509.ParseCertificate(der)
}

func writePair(certPath, keyPath string, cert *x509.Certificate, key *ecdsa.PrivateKey) error {
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return fmt.Errorf("encoding the key of %s: %w", cert.Subject.CommonName, err)
	}
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return fmt.Errorf("writing %s: %w", keyPath, err)
	}
	if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", certPath, err)
	}
	return nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, os.ErrNotExist)
}
