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

package options

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

func TestSARClientFlags(t *testing.T) {
	for _, tc := range []struct {
		name  string
		args  []string
		qps   float32
		burst int
		allow time.Duration
		err   string // Validate's error names this; "" for none
	}{
		{name: "defaults", qps: 500, burst: 2000, allow: time.Minute},
		{name: "set", args: []string{"--authorization-webhook-qps=50", "--authorization-webhook-burst=100", "--authorization-webhook-cache-authorized-ttl=5m"},
			qps: 50, burst: 100, allow: 5 * time.Minute},
		{name: "zero qps", args: []string{"--authorization-webhook-qps=0"}, burst: 2000, allow: time.Minute, err: "--authorization-webhook-qps"},
		{name: "burst below qps", args: []string{"--authorization-webhook-burst=100"}, qps: 500, burst: 100, allow: time.Minute, err: "--authorization-webhook-burst"},
		{name: "negative ttl", args: []string{"--authorization-webhook-cache-authorized-ttl=-1s"}, qps: 500, burst: 2000, allow: -time.Second,
			err: "--authorization-webhook-cache-authorized-ttl"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := NewOptions()
			fss := o.Flags()
			if err := fss.FlagSet("authorization").Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			if o.SARClient.QPS != tc.qps && tc.qps != 0 || o.SARClient.Burst != tc.burst || o.Recommended.Authorization.AllowCacheTTL != tc.allow {
				t.Fatalf("qps %v burst %d allowed-ttl %v, want %v %d %v", o.SARClient.QPS, o.SARClient.Burst,
					o.Recommended.Authorization.AllowCacheTTL, tc.qps, tc.burst, tc.allow)
			}
			errs := o.validateAuthorizationCache()
			if tc.err == "" && len(errs) > 0 || tc.err != "" && (len(errs) == 0 || !strings.Contains(errs[0].Error(), tc.err)) {
				t.Fatalf("validation: %v, want an error naming %q", errs, tc.err)
			}
		})
	}
}

// TestDelegatedAuthorizerCachesSARs: RBAC (the SubjectAccessReview) decides, an
// agent's repeated request is answered from the cache, another agent's request
// is its own review, and the always-allowed paths need none.
func TestDelegatedAuthorizerCachesSARs(t *testing.T) {
	var reviews atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reviews.Add(1)
		var sar authorizationv1.SubjectAccessReview
		if err := json.NewDecoder(r.Body).Decode(&sar); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		sar.Status.Allowed = sar.Spec.User == "system:strata-agent:node-a"
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(&sar)
	}))
	defer srv.Close()
	client, err := kubernetes.NewForConfig(&rest.Config{Host: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	o := NewOptions()
	authz, err := delegatedAuthorizer(o.Recommended.Authorization, client)
	if err != nil {
		t.Fatal(err)
	}
	watch := func(u string) authorizer.AttributesRecord {
		return authorizer.AttributesRecord{User: &user.DefaultInfo{Name: u, Groups: []string{"system:strata-agents"}},
			Verb: "watch", APIGroup: "controlplane.antrea.io", APIVersion: "v1beta2", Resource: "networkpolicies", ResourceRequest: true}
	}
	for _, step := range []struct {
		name    string
		attrs   authorizer.AttributesRecord
		want    authorizer.Decision
		reviews int32
	}{
		{name: "first request: a review", attrs: watch("system:strata-agent:node-a"), want: authorizer.DecisionAllow, reviews: 1},
		{name: "same request: cached", attrs: watch("system:strata-agent:node-a"), want: authorizer.DecisionAllow, reviews: 1},
		{name: "another agent: its own review, denied by RBAC", attrs: watch("system:strata-agent:node-b"), want: authorizer.DecisionNoOpinion, reviews: 2},
		{name: "always-allowed path", attrs: authorizer.AttributesRecord{User: &user.DefaultInfo{Name: "x"}, Verb: "get", Path: "/healthz"},
			want: authorizer.DecisionAllow, reviews: 2},
	} {
		got, _, err := authz.Authorize(context.Background(), step.attrs)
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if got != step.want || reviews.Load() != step.reviews {
			t.Fatalf("%s: decision %v after %d reviews, want %v after %d", step.name, got, reviews.Load(), step.want, step.reviews)
		}
	}
}
