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
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestAdvertisedClientCAs(t *testing.T) {
	for _, tc := range []struct {
		name string
		cas  int
	}{
		{name: "no client CA yet", cas: 0},
		{name: "one client CA", cas: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewUnstartedServer(http.NotFoundHandler())
			srv.TLS = &tls.Config{ClientAuth: tls.RequestClientCert}
			srv.StartTLS()
			defer srv.Close()
			if tc.cas > 0 {
				pool := x509.NewCertPool()
				pool.AddCert(srv.Certificate())
				srv.TLS.ClientCAs = pool
			}
			n, err := AdvertisedClientCAs(srv.Listener.Addr())()
			if err != nil || n != tc.cas {
				t.Fatalf("AdvertisedClientCAs = %d, %v; want %d", n, err, tc.cas)
			}
		})
	}
}
