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
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/strata-net/strata/test/e2e/framework"
)

// TestPodStartup creates new Pods whose only command is one connection, at start,
// to a server that a Drop forbids them (on the same node and on the other one):
// none may connect, not even with its first packet, whether the Drop names them as
// peers (the servers' ingress rule: the other Nodes must know their addresses) or
// applies to them (an egress rule: their own Node must have it). Control Pods that no policy
// names connect to the same servers. It prints how long CNI ADD waited for the
// policies naming each new Pod (the Pod start-up barrier).
func TestPodStartup(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dir := t.TempDir()
	servers, policy := filepath.Join(dir, "servers.yaml"), filepath.Join(dir, "policy.yaml")
	writeFile(t, servers, framework.StartupServers())
	writeFile(t, policy, framework.StartupPolicy)
	deleteOnCleanup(t, policy, servers)
	kubectl(ctx, t, "apply", "-f", servers)
	kubectl(ctx, t, "apply", "-f", policy)
	var pods []framework.Pod
	eventually(ctx, t, settleTimeout, "the two servers to be Ready", func(ctx context.Context) error {
		var err error
		pods, err = framework.ReadyPods(ctx, lc.Kubeconfig, framework.StartupNamespace, 2)
		return err
	})
	waitPolicyRealized(ctx, t, "e2e-startup-drop", 2)

	clients := filepath.Join(dir, "clients.yaml")
	writeFile(t, clients, framework.StartupClients(pods, 0))
	started := time.Now()
	kubectl(ctx, t, "apply", "-f", clients)
	phases, err := framework.WaitStartupClientsDone(ctx, lc.Kubeconfig, 0, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d new Pods ran their connection in %s", len(phases), time.Since(started).Round(time.Millisecond))
	for _, v := range framework.StartupViolations(ctx, lc.Kubeconfig, phases) {
		t.Error(v)
	}
	named, unnamed, err := framework.BarrierWaits(lc.Dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("CNI ADD's wait for the policies naming the Pod: named by a policy (n=%d) p50 %s p99 %s; named by none (n=%d) p50 %s p99 %s",
		len(named), framework.Percentile(named, 50), framework.Percentile(named, 99), len(unnamed), framework.Percentile(unnamed, 50), framework.Percentile(unnamed, 99))
	if len(named) != framework.StartupForbidden || len(unnamed) != framework.StartupControl {
		t.Errorf("the agents logged %d and %d barrier waits, want %d and %d", len(named), len(unnamed), framework.StartupForbidden, framework.StartupControl)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// waitPolicyRealized waits until a ClusterNetworkPolicy is Realized at its
// generation on nodes Nodes.
func waitPolicyRealized(ctx context.Context, t *testing.T, name string, nodes int) {
	t.Helper()
	eventually(ctx, t, settleTimeout, fmt.Sprintf("%s to be Realized at its generation on %d Nodes", name, nodes), func(ctx context.Context) error {
		out, err := kubectlOut(ctx, "get", "acnp", name, "-o",
			"jsonpath={.metadata.generation} {.status.observedGeneration} {.status.phase} {.status.currentNodesRealized}")
		if err != nil {
			return err
		}
		f := strings.Fields(out)
		if len(f) != 4 || f[0] != f[1] || f[2] != "Realized" || f[3] != fmt.Sprint(nodes) {
			return fmt.Errorf("generation, observed generation, phase, nodes realized: %q", out)
		}
		return nil
	})
}
