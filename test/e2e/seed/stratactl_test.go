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

package seed

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// expectVersions checks `stratactl version` as the article shows `antctl version`:
// the CLI's version and the controller's (strata-apiserver's), here from the same
// build; then that both agents are connected and the computation is healthy.
func expectVersions(ctx context.Context, t *testing.T, nodes int) {
	t.Helper()
	out, err := lc.Stratactl(ctx, "version")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "stratactlVersion: v") || !strings.HasPrefix(lines[1], "apiserverVersion: v") {
		t.Fatalf("stratactl version printed %q, want stratactlVersion: v... and apiserverVersion: v...", lines)
	}
	if client, server := strings.TrimPrefix(lines[0], "stratactlVersion: "), strings.TrimPrefix(lines[1], "apiserverVersion: "); client != server {
		t.Errorf("stratactl %s and strata-apiserver %s come from the same build and should have one version", client, server)
	}
	eventually(ctx, t, settleTimeout, fmt.Sprintf("stratactl version -o json: %d connected agents, ControllerHealthy True", nodes),
		func(ctx context.Context) error { return controllerInfoShows(ctx, nodes) })
}

func controllerInfoShows(ctx context.Context, nodes int) error {
	out, err := lc.Stratactl(ctx, "version", "-o", "json")
	if err != nil {
		return err
	}
	var v struct {
		APIServer struct {
			ConnectedAgentNum    int `json:"connectedAgentNum"`
			ControllerConditions []struct {
				Type, Status string
			} `json:"controllerConditions"`
		} `json:"apiserver"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		return fmt.Errorf("decoding stratactl version -o json: %w\n%s", err, out)
	}
	healthy := len(v.APIServer.ControllerConditions) == 1 && v.APIServer.ControllerConditions[0].Status == "True"
	if v.APIServer.ConnectedAgentNum != nodes || !healthy {
		return fmt.Errorf("stratactl version -o json printed:\n%s", out)
	}
	return nil
}

// expectRealizedOn checks `stratactl get realization NAME`: realized on every one of
// nodes Nodes, one row per Node in state Realized.
func expectRealizedOn(ctx context.Context, t *testing.T, name string, nodes int) {
	t.Helper()
	eventually(ctx, t, settleTimeout, fmt.Sprintf("stratactl get realization %s: Realized on %d Nodes", name, nodes),
		func(ctx context.Context) error {
			out, err := lc.Stratactl(ctx, "get", "realization", name)
			if err != nil {
				return err
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			want := fmt.Sprintf("Realized on %d of %d Nodes (failed 0, pending 0).", nodes, nodes)
			if len(lines) != 3+nodes || lines[1] != want || strings.Join(strings.Fields(lines[2]), " ") != "NODE STATE REPORTED GENERATION MESSAGE" {
				return fmt.Errorf("got:\n%s\nwant %q and one row per Node", out, want)
			}
			for _, row := range lines[3:] {
				if f := strings.Fields(row); len(f) != 3 || f[1] != "Realized" {
					return fmt.Errorf("row %q is not NODE Realized GENERATION; output:\n%s", row, out)
				}
			}
			return nil
		})
}

// expectFeatureGates checks the walkthrough's configuration: the ConfigMap lists the
// feature gates, and the policy feature (AntreaPolicy) is on by default.
func expectFeatureGates(ctx context.Context, t *testing.T) {
	t.Helper()
	conf := kubectl(ctx, t, "-n", "kube-system", "get", "configmap", "strata-config", "-o", `jsonpath={.data.strata-apiserver\.conf}`)
	if !strings.Contains(conf, "featureGates:") || !strings.Contains(conf, "AntreaPolicy: true") {
		t.Errorf("ConfigMap kube-system/strata-config does not list the AntreaPolicy feature gate:\n%s", conf)
	}
	out, err := lc.Stratactl(ctx, "get", "featuregates")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.Join(strings.Fields(line), " ") == "AntreaPolicy Enabled BETA" {
			return
		}
	}
	t.Errorf("stratactl get featuregates does not show AntreaPolicy Enabled BETA:\n%s", out)
}
