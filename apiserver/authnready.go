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
	"bytes"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"k8s.io/apiserver/pkg/server/dynamiccertificates"
	"k8s.io/apiserver/pkg/server/healthz"
	"k8s.io/klog/v2"
)

// AuthnCAReadyzName is the name of the readyz check of the authentication CAs.
const AuthnCAReadyzName = "authentication-ca"

// caContent is the part of a dynamiccertificates.CAContentProvider the check reads.
type caContent interface {
	CurrentCABundleContent() []byte
}

// AuthnCAs tells whether the CAs of delegated authentication are loaded. With
// the CAs looked up in kube-system/extension-apiserver-authentication, the
// ConfigMap controllers of k8s.io/apiserver load them only after their informer
// has synced, after the server started serving: until then a client certificate
// authenticates nobody and the request is served as system:anonymous.
type AuthnCAs struct {
	// Serving is the serving client-CA bundle: the union of the client CA and the
	// request-header CA (k8s.io/apiserver's AuthenticationInfo.ApplyClientCert).
	Serving caContent
	// RequestHeader is the request-header (front-proxy) CA; nil when none.
	RequestHeader caContent
	// WantClientCA: a client CA is configured (a file or the in-cluster lookup).
	WantClientCA bool
	// Advertised, when set, counts the CAs the serving TLS configuration asks
	// client certificates of (its CertificateRequest): k8s.io/apiserver rebuilds it
	// after the bundles load, asynchronously, and a Go client whose CA is not
	// among them sends no certificate, for the whole life of the connection.
	Advertised func() (int, error)

	// Now is the clock (time.Now when nil).
	Now func() time.Time

	loaded   atomic.Bool
	loadedAt atomic.Int64 // UnixNano of the first Loaded that succeeded
}

// handshakeGrace is how long after the CAs are loaded a TLS request without a
// client certificate or a token is still turned away (503, Connection: close): its
// connection may have been handshaken just before the serving TLS configuration
// named the client CAs, and a Go client then sends no certificate for the whole
// life of that connection. Retrying on a new connection presents the certificate.
const handshakeGrace = 30 * time.Second

func (a *AuthnCAs) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// NewAuthnCAs reads the providers k8s.io/apiserver's DelegatingAuthenticationOptions
// set up; serving or requestHeader may be nil.
func NewAuthnCAs(serving, requestHeader dynamiccertificates.CAContentProvider, wantClientCA bool) *AuthnCAs {
	a := &AuthnCAs{WantClientCA: wantClientCA && serving != nil}
	if serving != nil {
		a.Serving = serving
	}
	if requestHeader != nil {
		a.RequestHeader = requestHeader
	}
	return a
}

// Loaded returns nil once every configured CA has content; once true it stays
// true (the controllers keep the last good bundle).
func (a *AuthnCAs) Loaded() error {
	if a.loaded.Load() {
		return nil
	}
	rh := 0
	if a.RequestHeader != nil {
		if rh = certCount(a.RequestHeader.CurrentCABundleContent()); rh == 0 {
			return errors.New("the request-header client CA (requestheader-client-ca-file) is not loaded yet")
		}
	}
	// The union joins the non-empty bundles of its members: the client CA is
	// loaded when the union holds more certificates than the request-header CA.
	serving := 0
	if a.Serving != nil {
		serving = certCount(a.Serving.CurrentCABundleContent())
	}
	if a.WantClientCA && serving <= rh {
		return errors.New("the client CA (client-ca-file) is not loaded yet")
	}
	if a.Advertised != nil {
		n, err := a.Advertised()
		if err != nil {
			return fmt.Errorf("probing the serving TLS configuration: %w", err)
		}
		if n < serving {
			return fmt.Errorf("the serving TLS configuration asks for %d client CAs, %d are loaded", n, serving)
		}
	}
	if a.loaded.CompareAndSwap(false, true) {
		a.loadedAt.Store(a.now().UnixNano())
		klog.InfoS("Authentication CAs loaded", "requestHeader", a.RequestHeader != nil, "clientCA", a.WantClientCA)
	}
	return nil
}

func certCount(bundle []byte) int {
	return bytes.Count(bundle, []byte("-----BEGIN CERTIFICATE-----"))
}

// ReadyzCheck fails until the CAs are loaded.
func (a *AuthnCAs) ReadyzCheck() healthz.HealthChecker {
	return healthz.NamedCheck(AuthnCAReadyzName, func(*http.Request) error { return a.Loaded() })
}

// Gate answers 503 with Retry-After to every request but the health checks,
// metrics and the server's own loopback requests (its bearer token, which needs
// no CA; the post-start hooks use it) until the CAs are loaded, so that no client
// that reaches the replica directly (not through a Service that honours /readyz)
// is served as system:anonymous; client-go retries such answers.
func (a *AuthnCAs) Gate(h http.Handler, loopbackToken string) http.Handler {
	loopback := []byte("Bearer " + loopbackToken)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if exemptFromGate(r.URL.Path) || loopbackToken != "" &&
			subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), loopback) == 1 {
			h.ServeHTTP(w, r)
			return
		}
		err := a.Loaded()
		if err == nil && a.mayPredateCAs(r) {
			err = errors.New("a TLS connection without a client certificate, possibly handshaken before the client CAs were advertised: reconnect")
		}
		if err != nil {
			w.Header().Set("Retry-After", "1")
			// A connection made now was handshaken without the client CAs.
			w.Header().Set("Connection", "close")
			http.Error(w, "authentication is not ready: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// mayPredateCAs: a TLS request with neither a client certificate nor a token,
// within handshakeGrace of the CAs being loaded.
func (a *AuthnCAs) mayPredateCAs(r *http.Request) bool {
	if r.TLS == nil || len(r.TLS.PeerCertificates) > 0 || r.Header.Get("Authorization") != "" {
		return false
	}
	return a.now().Sub(time.Unix(0, a.loadedAt.Load())) < handshakeGrace
}

func exemptFromGate(path string) bool {
	for _, p := range []string{"/healthz", "/livez", "/readyz"} {
		if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return path == "/metrics"
}
