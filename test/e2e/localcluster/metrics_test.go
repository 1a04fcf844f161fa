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
	"strconv"
	"strings"
	"testing"
	"time"
)

// metricsPolicy applies an Allow of nothing (TEST-NET-1) to CoreDNS: the agents
// install and report it, the server writes its status.
const metricsPolicy = `apiVersion: crd.antrea.io/v1beta1
kind: ClusterNetworkPolicy
metadata: {name: e2e-metrics}
spec:
  tier: application
  priority: 50
  appliedTo: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]
  ingress:
  - {action: Allow, name: nothing, from: [{ipBlock: {cidr: 192.0.2.0/24}}]}
`

// TestMetrics scrapes strata-apiserver's and every agent's /metrics (with the
// admin's client certificate) and checks the metrics each side exports: on the server
// the computation passes, the objects published, the controlplane watchers (one
// per agent at least), the status aggregation lag; on the agents the flows per
// table, bundles, failed rules, packet-ins dropped, audit-log write errors, OVS
// reconnects and the sync age.
func TestMetrics(t *testing.T) {
	ctx := ctxT(t)
	dir := t.TempDir()
	policy := filepath.Join(dir, "policy.yaml")
	writeFile(t, policy, metricsPolicy)
	deleteOnCleanup(t, policy)
	kubectl(ctx, t, "apply", "-f", policy)

	server := fmt.Sprintf("https://127.0.0.1:%d/metrics", lc.StrataPort())
	eventually(ctx, t, settleTimeout, "strata-apiserver's metrics", func(ctx context.Context) error {
		body, err := scrape(ctx, server)
		if err != nil {
			return err
		}
		return expectMetrics(body, []metricWant{
			{"strata_apiserver_computation_pass_duration_seconds_count", "", 1},
			{"strata_apiserver_computation_pass_size_count", "", 1},
			{"strata_apiserver_objects_published_total", `resource="networkpolicies",operation="upsert"`, 1},
			{"strata_apiserver_controlplane_watchers", `resource="networkpolicies"`, nodes},
			{"strata_apiserver_controlplane_watcher_evictions_total", `resource="networkpolicies"`, 0},
			{"strata_apiserver_status_aggregation_lag_seconds_count", "", 1},
		})
	})
	for k := 1; k <= nodes; k++ {
		url := fmt.Sprintf("https://127.0.0.1:%d/metrics", lc.AgentPort(k))
		eventually(ctx, t, settleTimeout, fmt.Sprintf("node %d's agent metrics", k), func(ctx context.Context) error {
			body, err := scrape(ctx, url)
			if err != nil {
				return err
			}
			return expectMetrics(body, []metricWant{
				{"strata_agent_flows", `table="AntreaPolicyIngressRule"`, 1},
				{"strata_agent_bundle_duration_seconds_count", "", 1},
				{"strata_agent_bundle_failures_total", "", 0},
				{"strata_agent_rules_failed", "", 0},
				{"strata_agent_packet_ins_dropped_total", "", 0},
				{"strata_agent_audit_log_write_errors_total", "", 0},
				{"strata_agent_ovs_reconnects_total", `connection="ovsdb"`, 0},
				{"strata_agent_ovs_reconnects_total", `connection="openflow"`, 0},
				{"strata_agent_sync_age_seconds", "", 0},
			})
		})
	}
}

// metricWant is a sample that must be exposed with a value of at least min.
type metricWant struct {
	name, labels string
	min          float64
}

func expectMetrics(body string, wants []metricWant) error {
	for _, w := range wants {
		v, ok := sample(body, w.name, w.labels)
		if !ok {
			return fmt.Errorf("no sample %s{%s}", w.name, w.labels)
		}
		if v < w.min {
			return fmt.Errorf("%s{%s} = %v, want at least %v", w.name, w.labels, v, w.min)
		}
	}
	return nil
}

// sample finds the value of name with labels (comma-separated pairs, each in its
// label set, in any order).
func sample(body, name, labels string) (float64, bool) {
	for _, line := range strings.Split(body, "\n") {
		rest, ok := strings.CutPrefix(line, name)
		if !ok || (rest != "" && rest[0] != ' ' && rest[0] != '{') || !hasLabels(rest, labels) {
			continue
		}
		fields := strings.Fields(rest)
		v, err := strconv.ParseFloat(fields[len(fields)-1], 64)
		if err == nil {
			return v, true
		}
	}
	return 0, false
}

func hasLabels(rest, labels string) bool {
	if labels == "" {
		return true
	}
	set, _, _ := strings.Cut(rest, " ")
	for _, pair := range strings.Split(labels, ",") {
		if !strings.Contains(set, pair) {
			return false
		}
	}
	return true
}

// scrape GETs url with the admin's client certificate.
func scrape(ctx context.Context, url string) (string, error) {
	pki := filepath.Join(lc.Dir, "pki")
	cert, err := tls.LoadX509KeyPair(filepath.Join(pki, "admin.crt"), filepath.Join(pki, "admin.key"))
	if err != nil {
		return "", err
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true, Certificates: []tls.Certificate{cert}}}} //nolint:gosec // test servers' own CAs
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: %d %.200s", url, resp.StatusCode, body)
	}
	return string(body), err
}
