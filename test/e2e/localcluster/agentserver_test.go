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

package localcluster

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/strata-net/strata/test/e2e/framework"
)

// agentGet is GET https://127.0.0.1:<node k's agent port><path> with a bearer
// token, or the admin's client certificate when token is "admin", or nothing.
func agentGet(ctx context.Context, k int, path, token string) (int, string, error) {
	tlsCfg := &tls.Config{InsecureSkipVerify: true} //nolint:gosec // the agent's self-signed certificate
	if token == "admin" {
		pki := filepath.Join(lc.Dir, "pki")
		cert, err := tls.LoadX509KeyPair(filepath.Join(pki, "admin.crt"), filepath.Join(pki, "admin.key"))
		if err != nil {
			return 0, "", err
		}
		tlsCfg.Certificates = []tls.Certificate{cert}
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: tlsCfg}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("https://127.0.0.1:%d%s", lc.AgentPort(k), path), nil)
	if err != nil {
		return 0, "", err
	}
	if token != "" && token != "admin" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

// TestAgentServer checks every agent's HTTPS server: /readyz and /healthz need
// no credentials and pass once the agent synced; /metrics needs a client
// certificate of the cluster CA or a token (TokenReview) whose user may get
// /metrics (SubjectAccessReview): 401 without, 403 without the grant.
func TestAgentServer(t *testing.T) {
	ctx := ctxT(t)
	const sa, role = "e2e-scraper", "e2e-agent-metrics"
	kubectl(ctx, t, "create", "serviceaccount", sa, "-n", "default")
	t.Cleanup(func() {
		for _, args := range [][]string{{"delete", "serviceaccount", sa, "-n", "default"}, {"delete", "clusterrole", role}, {"delete", "clusterrolebinding", role}} {
			if out, err := framework.Kubectl(context.Background(), lc.Kubeconfig, append(args, "--ignore-not-found")...); err != nil {
				t.Errorf("cleanup: %v\n%s", err, out)
			}
		}
	})
	token := strings.TrimSpace(kubectl(ctx, t, "create", "token", sa, "-n", "default"))
	for k := 1; k <= nodes; k++ {
		for _, path := range []string{"/healthz", "/readyz?verbose"} {
			eventually(ctx, t, settleTimeout, fmt.Sprintf("node %d's agent to answer 200 on %s", k, path), func(ctx context.Context) error {
				code, body, err := agentGet(ctx, k, path, "")
				if err != nil || code != http.StatusOK {
					return fmt.Errorf("%d %q: %v", code, body, err)
				}
				if path == "/readyz?verbose" && !strings.Contains(body, "[+]policy-sync ok") {
					return fmt.Errorf("no policy-sync check in %q", body)
				}
				return nil
			})
		}
		for _, tc := range []struct {
			name, token string
			code        int
		}{
			{"no credentials", "", http.StatusUnauthorized},
			{"an invalid token", "not-a-token", http.StatusUnauthorized},
			{"a ServiceAccount without the grant", token, http.StatusForbidden},
			{"the admin's client certificate", "admin", http.StatusOK},
		} {
			t.Run(fmt.Sprintf("node %d %s", k, tc.name), func(t *testing.T) {
				code, body, err := agentGet(ctx, k, "/metrics", tc.token)
				if err != nil || code != tc.code {
					t.Fatalf("GET /metrics: %d %.300q %v, want %d", code, body, err, tc.code)
				}
			})
		}
	}
	kubectl(ctx, t, "create", "clusterrole", role, "--verb=get", "--non-resource-url=/metrics")
	kubectl(ctx, t, "create", "clusterrolebinding", role, "--clusterrole="+role, "--serviceaccount=default:"+sa)
	eventually(ctx, t, settleTimeout, "the granted ServiceAccount to read node 1's /metrics (after the agent's 10s deny cache)",
		func(ctx context.Context) error {
			code, body, err := agentGet(ctx, 1, "/metrics", token)
			if err != nil || code != http.StatusOK || !strings.Contains(body, "# TYPE") {
				return fmt.Errorf("%d %.200q: %v", code, body, err)
			}
			return nil
		})
}
