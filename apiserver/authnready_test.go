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
	"strings"
	"sync"
	"testing"
	"time"
)

const pemCert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"

// bundle is a CA content that a test fills, as a ConfigMap controller does.
type bundle struct {
	mu      sync.Mutex
	content string
}

func (b *bundle) CurrentCABundleContent() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return []byte(b.content)
}

func (b *bundle) set(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.content = s
}

func TestAuthnCAsLoaded(t *testing.T) {
	cases := []struct {
		name          string
		union, rh     string
		noRH          bool
		wantClientCA  bool
		advertised    int // 0: no probe
		wantErrSubstr string
	}{
		{name: "loaded, not yet in the TLS configuration", union: pemCert + pemCert, rh: pemCert, wantClientCA: true, advertised: 1,
			wantErrSubstr: "asks for 1 client CAs, 2 are loaded"},
		{name: "loaded and in the TLS configuration", union: pemCert + pemCert, rh: pemCert, wantClientCA: true, advertised: 2},
		{name: "nothing loaded", wantClientCA: true, wantErrSubstr: "request-header"},
		{name: "request-header only", union: pemCert, rh: pemCert, wantClientCA: true, wantErrSubstr: "client CA"},
		{name: "both loaded", union: pemCert + pemCert, rh: pemCert, wantClientCA: true},
		{name: "same CA in both keys", union: strings.Repeat(pemCert, 2), rh: pemCert, wantClientCA: true},
		{name: "no client CA configured", union: pemCert, rh: pemCert},
		{name: "client CA only, not loaded", noRH: true, wantClientCA: true, wantErrSubstr: "client CA"},
		{name: "client CA only, loaded", union: pemCert, noRH: true, wantClientCA: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := &AuthnCAs{Serving: &bundle{content: tc.union}, WantClientCA: tc.wantClientCA}
			if tc.advertised > 0 {
				a.Advertised = func() (int, error) { return tc.advertised, nil }
			}
			if !tc.noRH {
				a.RequestHeader = &bundle{content: tc.rh}
			}
			err := a.Loaded()
			switch {
			case tc.wantErrSubstr == "" && err != nil:
				t.Fatalf("Loaded() = %v, want nil", err)
			case tc.wantErrSubstr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErrSubstr)):
				t.Fatalf("Loaded() = %v, want an error naming %q", err, tc.wantErrSubstr)
			}
		})
	}
}

func TestAuthnCAsGate(t *testing.T) {
	union, rh := &bundle{}, &bundle{}
	a := &AuthnCAs{Serving: union, RequestHeader: rh, WantClientCA: true}
	h := a.Gate(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) }), "loopback-token")
	serve := func(path, token string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		h.ServeHTTP(rec, req)
		return rec
	}
	steps := []struct {
		name       string
		load       func()
		path       string
		token      string
		wantCode   int
		retryAfter bool
	}{
		{name: "API request before any CA", path: "/apis/controlplane.antrea.io/v1beta2/networkpolicies", wantCode: http.StatusServiceUnavailable, retryAfter: true},
		{name: "readyz passes the gate", path: "/readyz", wantCode: http.StatusTeapot},
		{name: "livez sub-check passes the gate", path: "/livez/ping", wantCode: http.StatusTeapot},
		{name: "the server's loopback token passes the gate", path: "/apis", token: "loopback-token", wantCode: http.StatusTeapot},
		{name: "another token does not", path: "/apis", token: "loopback-tokex", wantCode: http.StatusServiceUnavailable, retryAfter: true},
		{name: "request-header CA alone", load: func() { rh.set(pemCert); union.set(pemCert) }, path: "/apis", wantCode: http.StatusServiceUnavailable, retryAfter: true},
		{name: "both CAs", load: func() { union.set(pemCert + pemCert) }, path: "/apis", wantCode: http.StatusTeapot},
		{name: "stays open", load: func() { union.set("") }, path: "/apis", wantCode: http.StatusTeapot},
	}
	for _, s := range steps {
		if s.load != nil {
			s.load()
		}
		rec := serve(s.path, s.token)
		if rec.Code != s.wantCode {
			t.Fatalf("%s: code %d, want %d (%s)", s.name, rec.Code, s.wantCode, rec.Body.String())
		}
		if got := rec.Header().Get("Retry-After") != ""; got != s.retryAfter {
			t.Fatalf("%s: Retry-After set %v, want %v", s.name, got, s.retryAfter)
		}
		if got := rec.Header().Get("Connection") == "close"; got != s.retryAfter {
			t.Fatalf("%s: Connection: close %v, want %v", s.name, got, s.retryAfter)
		}
	}
	if err := a.ReadyzCheck().Check(nil); err != nil {
		t.Fatalf("readyz check after the CAs loaded: %v", err)
	}
}

// TestGateTurnsAwayCertlessTLSJustAfterLoad: right after the CAs are loaded, a TLS
// request with no client certificate and no token may come on a connection
// handshaken before the serving TLS configuration named the CAs: it gets 503 and
// Connection: close, so that the client reconnects and presents its certificate.
func TestGateTurnsAwayCertlessTLSJustAfterLoad(t *testing.T) {
	clock := time.Unix(1000, 0)
	union, rh := &bundle{}, &bundle{}
	union.set(pemCert + pemCert)
	rh.set(pemCert)
	a := &AuthnCAs{Serving: union, RequestHeader: rh, WantClientCA: true, Now: func() time.Time { return clock }}
	if err := a.Loaded(); err != nil {
		t.Fatal(err)
	}
	h := a.Gate(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) }), "")
	cases := []struct {
		name     string
		after    time.Duration
		tls      *tls.ConnectionState
		token    string
		wantCode int
	}{
		{name: "TLS without a certificate, just after the load", after: time.Second, tls: &tls.ConnectionState{}, wantCode: http.StatusServiceUnavailable},
		{name: "TLS with a certificate", after: time.Second, tls: &tls.ConnectionState{PeerCertificates: []*x509.Certificate{{}}}, wantCode: http.StatusTeapot},
		{name: "TLS with a token", after: time.Second, tls: &tls.ConnectionState{}, token: "t", wantCode: http.StatusTeapot},
		{name: "plain HTTP (no TLS)", after: time.Second, wantCode: http.StatusTeapot},
		{name: "TLS without a certificate after the grace", after: handshakeGrace, tls: &tls.ConnectionState{}, wantCode: http.StatusTeapot},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clock = time.Unix(1000, 0).Add(c.after)
			req := httptest.NewRequest(http.MethodGet, "/apis/controlplane.antrea.io/v1beta2/networkpolicies", nil)
			req.TLS = c.tls
			if c.token != "" {
				req.Header.Set("Authorization", "Bearer "+c.token)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != c.wantCode {
				t.Fatalf("code %d, want %d (%s)", rec.Code, c.wantCode, rec.Body.String())
			}
			if c.wantCode == http.StatusServiceUnavailable && rec.Header().Get("Connection") != "close" {
				t.Errorf("Connection %q, want close", rec.Header().Get("Connection"))
			}
		})
	}
}
