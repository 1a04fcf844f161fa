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
	"net"
	"net/http"
	"strings"
	"testing"

	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"

	"github.com/strata-net/strata/apiserver/standalone"
)

// TestStandaloneDelegatesNothing: with --standalone nothing is delegated to a
// kube-apiserver, not even an in-cluster one (here: the in-cluster environment is
// set): a bearer token authenticates nobody, and only the admin group is
// authorized, besides the health and version paths.
func TestStandaloneDelegatesNothing(t *testing.T) {
	t.Setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1")
	t.Setenv("KUBERNETES_SERVICE_PORT", "443")
	o := NewOptions()
	o.Standalone = true
	o.DataDir = t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	o.Recommended.SecureServing.Listener = l
	if err := o.Complete(); err != nil {
		t.Fatal(err)
	}
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	if o.Recommended.Authentication != nil || o.Recommended.Authorization != nil {
		t.Fatal("standalone keeps the delegating authentication or authorization options")
	}
	cfg, err := o.genericConfig()
	if err != nil {
		t.Fatal(err)
	}

	req, _ := http.NewRequest(http.MethodGet, "https://localhost/apis", nil)
	req.Header.Set("Authorization", "Bearer some-kubernetes-token")
	resp, ok, err := cfg.GenericConfig.Authentication.Authenticator.AuthenticateRequest(req)
	if err != nil || !ok || resp.User.GetName() != user.Anonymous {
		t.Fatalf("a bearer token authenticated %v (ok %v, err %v), want only %s", resp, ok, err, user.Anonymous)
	}
	authz := cfg.GenericConfig.Authorization.Authorizer
	for _, tc := range []struct {
		name  string
		attrs authorizer.AttributesRecord
		want  authorizer.Decision
	}{
		{"admin", authorizer.AttributesRecord{User: &user.DefaultInfo{Name: standalone.AdminUser, Groups: []string{standalone.AdminGroup}},
			Verb: "list", APIGroup: "crd.antrea.io", Resource: "tiers", ResourceRequest: true}, authorizer.DecisionAllow},
		{"another user", authorizer.AttributesRecord{User: &user.DefaultInfo{Name: "alice", Groups: []string{"system:authenticated"}},
			Verb: "list", APIGroup: "crd.antrea.io", Resource: "tiers", ResourceRequest: true}, authorizer.DecisionNoOpinion},
		{"anonymous /healthz", authorizer.AttributesRecord{User: &user.DefaultInfo{Name: user.Anonymous}, Verb: "get", Path: "/healthz"}, authorizer.DecisionAllow},
		{"anonymous /version", authorizer.AttributesRecord{User: &user.DefaultInfo{Name: user.Anonymous}, Verb: "get", Path: "/version"}, authorizer.DecisionAllow},
		{"anonymous /apis", authorizer.AttributesRecord{User: &user.DefaultInfo{Name: user.Anonymous}, Verb: "get", Path: "/apis"}, authorizer.DecisionNoOpinion},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, reason, err := authz.Authorize(context.Background(), tc.attrs)
			if err != nil || got != tc.want {
				t.Fatalf("Authorize = %v (%q, %v), want %v", got, reason, err, tc.want)
			}
		})
	}
}

func TestStandaloneRefusesDelegationFlags(t *testing.T) {
	o := NewOptions()
	o.Standalone = true
	o.DataDir = t.TempDir()
	o.Recommended.Authorization.RemoteKubeConfigFile = "/etc/kubeconfig"
	if err := o.Complete(); err != nil {
		t.Fatal(err)
	}
	if err := o.Validate(); err == nil || !strings.Contains(err.Error(), "--authorization-kubeconfig: not with --standalone") {
		t.Fatalf("Validate = %v, want a refusal of --authorization-kubeconfig", err)
	}
}
