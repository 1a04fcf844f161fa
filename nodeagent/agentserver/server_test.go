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
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	authnv1 "k8s.io/api/authentication/v1"
	authzv1 "k8s.io/api/authorization/v1"
	"k8s.io/apiserver/pkg/server/healthz"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/rest"
)

// fakeKube is a kube-apiserver that answers TokenReviews (token "t-<user>" is
// user <user>) and SubjectAccessReviews (allowed when "user verb path" is in
// allow), over real HTTP: the delegated authenticator and authorizer use the
// client's REST client directly.
type fakeKube struct {
	mu    sync.Mutex
	allow map[string]bool
}

func newFakeKube(t *testing.T, allow ...string) kubernetes.Interface {
	f := &fakeKube{allow: map[string]bool{}}
	for _, a := range allow {
		f.allow[a] = true
	}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	client, err := kubernetes.NewForConfig(&rest.Config{Host: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	return client
}

func (f *fakeKube) serve(w http.ResponseWriter, r *http.Request) {
	var out any
	switch r.URL.Path {
	case "/apis/authentication.k8s.io/v1/tokenreviews":
		var tr authnv1.TokenReview
		if err := json.NewDecoder(r.Body).Decode(&tr); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if user, ok := strings.CutPrefix(tr.Spec.Token, "t-"); ok {
			tr.Status = authnv1.TokenReviewStatus{Authenticated: true, User: authnv1.UserInfo{Username: user}}
		}
		out = &tr
	case "/apis/authorization.k8s.io/v1/subjectaccessreviews":
		var sar authzv1.SubjectAccessReview
		if err := json.NewDecoder(r.Body).Decode(&sar); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		key := sar.Spec.User
		if n := sar.Spec.NonResourceAttributes; n != nil {
			key += " " + n.Verb + " " + n.Path
		}
		f.mu.Lock()
		sar.Status.Allowed = f.allow[key]
		f.mu.Unlock()
		out = &sar
	default:
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(out)
}

// startServer runs a server on a free loopback port until the test ends.
func startServer(t *testing.T, cfg Config) *Server {
	t.Helper()
	cfg.BindAddress, cfg.Port = "127.0.0.1", 0
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("the server did not stop within 10s")
		}
	})
	return s
}

type testRequest struct {
	method, path, token string
	cert                *tls.Certificate
}

func do(t *testing.T, s *Server, r testRequest) (int, string) {
	t.Helper()
	tlsCfg := &tls.Config{InsecureSkipVerify: true} //nolint:gosec // self-signed test server
	if r.cert != nil {
		tlsCfg.Certificates = []tls.Certificate{*r.cert}
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: tlsCfg}}
	req, err := http.NewRequest(r.method, "https://"+s.Addr().String()+r.path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", r.method, r.path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestServerEndpoints(t *testing.T) {
	kube := newFakeKube(t, "scraper get /metrics", "tracer post /trace")
	var ready sync.Mutex
	notReady := errors.New("the controlplane watch has not synced")
	readyErr := notReady
	check := healthz.NamedCheck("policy-sync", func(*http.Request) error {
		ready.Lock()
		defer ready.Unlock()
		return readyErr
	})
	s := startServer(t, Config{Kube: kube, NodeName: "n1", ReadyChecks: []healthz.HealthChecker{check}})
	s.Handle("/trace", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "traced") }))

	cases := []struct {
		name     string
		req      testRequest
		code     int
		contains string
	}{
		{"healthz needs no credentials", testRequest{method: "GET", path: "/healthz"}, 200, "ok"},
		{"livez needs no credentials", testRequest{method: "GET", path: "/livez"}, 200, "ok"},
		{"readyz fails while a check fails", testRequest{method: "GET", path: "/readyz?verbose"}, 500, "[-]policy-sync failed"},
		{"one readiness check by its path", testRequest{method: "GET", path: "/readyz/policy-sync"}, 500, "internal server error"},
		{"metrics without credentials", testRequest{method: "GET", path: "/metrics"}, 401, "Unauthorized"},
		{"metrics with an unknown token", testRequest{method: "GET", path: "/metrics", token: "bogus"}, 401, "Unauthorized"},
		{"metrics, user without the grant", testRequest{method: "GET", path: "/metrics", token: "t-nobody"}, 403, `user "nobody" may not get /metrics`},
		{"metrics, user with the grant", testRequest{method: "GET", path: "/metrics", token: "t-scraper"}, 200, "# TYPE"},
		{"registered handler, verb post allowed", testRequest{method: "POST", path: "/trace", token: "t-tracer"}, 200, "traced"},
		{"registered handler, verb get not granted", testRequest{method: "GET", path: "/trace", token: "t-tracer"}, 403, "may not get /trace"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, body := do(t, s, tc.req)
			if code != tc.code || !strings.Contains(body, tc.contains) {
				t.Fatalf("got %d %q, want %d containing %q", code, body, tc.code, tc.contains)
			}
		})
	}

	ready.Lock()
	readyErr = nil
	ready.Unlock()
	if code, body := do(t, s, testRequest{method: "GET", path: "/readyz?verbose"}); code != 200 || !strings.Contains(body, "[+]policy-sync ok") {
		t.Fatalf("readyz once the check passes: %d %q", code, body)
	}
}

func TestServerClientCertificate(t *testing.T) {
	dir := t.TempDir()
	caCert, caKey := newCA(t)
	caFile := filepath.Join(dir, "ca.crt")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caCert.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	kube := newFakeKube(t, "admin get /metrics")
	s := startServer(t, Config{Kube: kube, ClientCAFile: caFile})
	admin := clientCert(t, caCert, caKey, "admin")
	if code, body := do(t, s, testRequest{method: "GET", path: "/metrics", cert: &admin}); code != 200 {
		t.Fatalf("client certificate of admin: %d %q", code, body)
	}
	otherCA, otherKey := newCA(t)
	stranger := clientCert(t, otherCA, otherKey, "admin")
	if code, body := do(t, s, testRequest{method: "GET", path: "/metrics", cert: &stranger}); code != 401 {
		t.Fatalf("certificate of an unknown CA: %d %q, want 401", code, body)
	}
}

func TestConfigValidate(t *testing.T) {
	kube := fake.NewClientset()
	cases := []struct {
		name string
		cfg  Config
		want string
	}{
		{"bad bind address", Config{Kube: kube, BindAddress: "nowhere"}, "--bind-address"},
		{"port out of range", Config{Kube: kube, Port: 70000}, "--secure-port"},
		{"cert without key", Config{Kube: kube, TLSCertFile: "a.crt"}, "--tls-private-key-file"},
		{"no client", Config{}, "Kubernetes client"},
		{"missing client CA file", Config{Kube: kube, ClientCAFile: "/nonexistent/ca.crt"}, "--client-ca-file"},
		{"missing key pair", Config{Kube: kube, TLSCertFile: "/nonexistent/a.crt", TLSKeyFile: "/nonexistent/a.key"}, "--tls-cert-file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New: %v, want an error naming %s", err, tc.want)
			}
		})
	}
}

func newCA(t *testing.T) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test-ca"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

func clientCert(t *testing.T, ca *x509.Certificate, caKey *ecdsa.PrivateKey, user string) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: user},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}
