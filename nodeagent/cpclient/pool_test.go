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

package cpclient

import (
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"k8s.io/client-go/rest"
	"k8s.io/component-base/metrics/testutil"
)

// replica is a strata-apiserver stand-in: it counts requests and answers status.
type replica struct {
	srv    *httptest.Server
	hits   atomic.Int32
	status atomic.Int32
	auth   atomic.Value
}

func newReplica(t *testing.T) *replica {
	r := &replica{}
	r.status.Store(http.StatusOK)
	r.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.hits.Add(1)
		r.auth.Store(req.Header.Get("Authorization"))
		w.WriteHeader(int(r.status.Load()))
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func caData(r *replica) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: r.srv.Certificate().Raw})
}

// TestSwitchesServers sends requests through the pool while the current replica
// answers 503, then goes away: each failure moves the next request to the other
// replica, with the agent's credentials, and is counted.
func TestSwitchesServers(t *testing.T) {
	a, b := newReplica(t), newReplica(t)
	base := &rest.Config{BearerToken: "agent-token", TLSClientConfig: rest.TLSClientConfig{CAData: caData(a)}}
	cfg, pool, err := New(Config{Servers: []string{a.srv.URL, b.srv.URL}, Base: base})
	if err != nil {
		t.Fatal(err)
	}
	client, err := rest.HTTPClientFor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	before, err := testutil.GetCounterMetricValue(switches)
	if err != nil {
		t.Fatal(err)
	}
	get := func() (int, error) {
		resp, err := client.Get(cfg.Host + "/apis/controlplane.antrea.io/v1beta2/networkpolicies")
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	steps := []struct {
		name           string
		before         func()
		wantErr        bool
		wantA, wantB   int32
		wantCurrent    *replica
		wantSwitchesTo float64
	}{
		{name: "both up: the first server", wantA: 1, wantCurrent: a},
		{name: "the first answers 503: the next request goes to the second", before: func() { a.status.Store(http.StatusServiceUnavailable) },
			wantA: 2, wantCurrent: b, wantSwitchesTo: 1},
		{name: "served by the second", before: func() { a.status.Store(http.StatusOK) }, wantA: 2, wantB: 1, wantCurrent: b, wantSwitchesTo: 1},
		{name: "the second goes away: back to the first", before: b.srv.Close, wantErr: true, wantA: 2, wantB: 1, wantCurrent: a, wantSwitchesTo: 2},
		{name: "served by the first again", wantA: 3, wantB: 1, wantCurrent: a, wantSwitchesTo: 2},
	}
	for _, s := range steps {
		if s.before != nil {
			s.before()
		}
		_, err := get()
		if (err != nil) != s.wantErr {
			t.Fatalf("%s: error %v, want error %v", s.name, err, s.wantErr)
		}
		if a.hits.Load() != s.wantA || b.hits.Load() != s.wantB {
			t.Fatalf("%s: hits %d and %d, want %d and %d", s.name, a.hits.Load(), b.hits.Load(), s.wantA, s.wantB)
		}
		if pool.Current() != s.wantCurrent.srv.URL {
			t.Fatalf("%s: current %s, want %s", s.name, pool.Current(), s.wantCurrent.srv.URL)
		}
		after, _ := testutil.GetCounterMetricValue(switches)
		if after-before != s.wantSwitchesTo {
			t.Fatalf("%s: %v switches counted, want %v", s.name, after-before, s.wantSwitchesTo)
		}
	}
	if got := a.auth.Load(); got != "Bearer agent-token" {
		t.Fatalf("the agent's credentials were not sent: Authorization %q", got)
	}
}

// TestOneServerNeverSwitches: a Service address is one server; failures keep it.
func TestOneServerNeverSwitches(t *testing.T) {
	a := newReplica(t)
	a.status.Store(http.StatusServiceUnavailable)
	cfg, pool, err := New(Config{Servers: []string{a.srv.URL}, Base: &rest.Config{TLSClientConfig: rest.TLSClientConfig{CAData: caData(a)}}})
	if err != nil {
		t.Fatal(err)
	}
	client, err := rest.HTTPClientFor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		resp, err := client.Get(cfg.Host + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if pool.Current() != a.srv.URL || a.hits.Load() != 2 {
		t.Fatalf("current %s after %d hits, want %s after 2", pool.Current(), a.hits.Load(), a.srv.URL)
	}
}

func TestConfigValidate(t *testing.T) {
	base := &rest.Config{}
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"no server", Config{Base: base}, "at least one server"},
		{"plain http", Config{Servers: []string{"http://10.0.0.1:10349"}, Base: base}, "--controlplane-servers[0]"},
		{"a path", Config{Servers: []string{"https://10.0.0.1:10349", "https://h/apis"}, Base: base}, "--controlplane-servers[1]"},
		{"no base", Config{Servers: []string{"https://10.0.0.1:10349"}}, "base client configuration"},
		{"valid", Config{Servers: []string{"https://10.0.0.1:10349", "https://strata-apiserver.kube-system.svc"}, Base: base}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("Validate: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
