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
	"crypto/x509"
	"slices"
	"testing"
)

// TestEnsureReissuesOnHostChange: the serving certificate follows --alternate-hosts,
// signed by the same CA; the CA and the admin certificate stay.
func TestEnsureReissuesOnHostChange(t *testing.T) {
	p := PKI{Dir: t.TempDir()}
	steps := []struct {
		name      string
		hosts     []string
		reissued  bool
		wantNames []string
	}{
		{"first start", []string{"a.example"}, true, []string{"127.0.0.1", "::1", "a.example", "localhost"}},
		{"same hosts: kept", []string{"a.example"}, false, []string{"127.0.0.1", "::1", "a.example", "localhost"}},
		{"new hosts: re-issued", []string{"b.example", "10.0.0.1"}, true, []string{"10.0.0.1", "127.0.0.1", "::1", "b.example", "localhost"}},
		{"same set in another order: kept", []string{"10.0.0.1", "b.example"}, false, []string{"10.0.0.1", "127.0.0.1", "::1", "b.example", "localhost"}},
	}
	var lastSerial string
	var firstCA, firstAdmin *x509.Certificate
	for i, s := range steps {
		if err := p.Ensure(s.hosts); err != nil {
			t.Fatalf("%s: Ensure: %v", s.name, err)
		}
		serving, ca, admin := mustRead(t, p.ServingCert()), mustRead(t, p.CACert()), mustRead(t, p.AdminCert())
		if got := certNames(serving); !slices.Equal(got, s.wantNames) {
			t.Fatalf("%s: serving names %v, want %v", s.name, got, s.wantNames)
		}
		if reissued := serving.SerialNumber.String() != lastSerial; i > 0 && reissued != s.reissued {
			t.Fatalf("%s: re-issued %v, want %v", s.name, reissued, s.reissued)
		}
		lastSerial = serving.SerialNumber.String()
		if i == 0 {
			firstCA, firstAdmin = ca, admin
		}
		if !ca.Equal(firstCA) || !admin.Equal(firstAdmin) {
			t.Fatalf("%s: the CA or the admin certificate changed", s.name)
		}
		if err := serving.CheckSignatureFrom(ca); err != nil {
			t.Fatalf("%s: serving certificate not signed by the CA: %v", s.name, err)
		}
	}
}

func mustRead(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	c, err := readCert(path)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
