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
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/strata-net/strata/test/e2e/framework"
)

const (
	startupNamespace = "e2e-startup"
	// startupForbidden, startupEgress and startupControl are how many new Pods
	// try to connect at start: the ones an ingress Drop names as peers, the ones
	// an egress Drop applies to, and the ones no policy names.
	startupForbidden = 20
	startupEgress    = 10
	startupControl   = 10
)

// startupPolicy drops ingress to the servers from app=startup-a.
const startupPolicy = `apiVersion: crd.antrea.io/v1beta1
kind: ClusterNetworkPolicy
metadata: {name: e2e-startup-drop}
spec:
  priority: 5
  tier: securityops
  appliedTo:
  - podSelector: {matchLabels: {app: startup-server}}
    namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: e2e-startup}}
  ingress:
  - action: Drop
    name: drop-new-clients
    from:
    - podSelector: {matchLabels: {app: startup-a}}
      namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: e2e-startup}}
---
apiVersion: crd.antrea.io/v1beta1
kind: ClusterNetworkPolicy
metadata: {name: e2e-startup-egress-drop}
spec:
  priority: 6
  tier: securityops
  appliedTo:
  - podSelector: {matchLabels: {app: startup-e}}
    namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: e2e-startup}}
  egress:
  - action: Drop
    name: drop-to-servers
    to:
    - podSelector: {matchLabels: {app: startup-server}}
      namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: e2e-startup}}
`

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
	writeFile(t, servers, startupServers())
	writeFile(t, policy, startupPolicy)
	deleteOnCleanup(t, policy, servers)
	kubectl(ctx, t, "apply", "-f", servers)
	kubectl(ctx, t, "apply", "-f", policy)
	var pods []framework.Pod
	eventually(ctx, t, settleTimeout, "the two servers to be Ready", func(ctx context.Context) error {
		var err error
		pods, err = framework.ReadyPods(ctx, lc.Kubeconfig, startupNamespace, 2)
		return err
	})
	waitPolicyRealized(ctx, t, "e2e-startup-drop", 2)

	clients := filepath.Join(dir, "clients.yaml")
	writeFile(t, clients, startupClients(pods))
	started := time.Now()
	kubectl(ctx, t, "apply", "-f", clients)
	phases := waitClientsDone(ctx, t)
	t.Logf("%d new Pods ran their connection in %s", len(phases), time.Since(started).Round(time.Millisecond))
	for name, phase := range phases {
		forbidden := strings.HasPrefix(name, "a-") || strings.HasPrefix(name, "e-")
		switch {
		case forbidden && phase == "Succeeded":
			t.Errorf("new Pod %s connected to a server a Drop forbids it:\n%s", name, podLogs(ctx, name))
		case forbidden && !strings.Contains(podLogs(ctx, name), "TIMEOUT"):
			t.Errorf("new Pod %s failed without a timeout (want its connection dropped):\n%s", name, podLogs(ctx, name))
		case !forbidden && phase != "Succeeded":
			t.Errorf("control Pod %s did not connect (%s):\n%s", name, phase, podLogs(ctx, name))
		}
	}
	named, unnamed := barrierWaits(t)
	t.Logf("CNI ADD's wait for the policies naming the Pod: named by a policy (n=%d) p50 %s p99 %s; named by none (n=%d) p50 %s p99 %s",
		len(named), percentile(named, 50), percentile(named, 99), len(unnamed), percentile(unnamed, 50), percentile(unnamed, 99))
	if len(named) != startupForbidden || len(unnamed) != startupControl {
		t.Errorf("the agents logged %d and %d barrier waits, want %d and %d", len(named), len(unnamed), startupForbidden, startupControl)
	}
}

func startupServers() string {
	var b strings.Builder
	fmt.Fprintf(&b, "apiVersion: v1\nkind: Namespace\nmetadata: {name: %s}\n", startupNamespace)
	for node := 1; node <= 2; node++ {
		fmt.Fprintf(&b, `---
apiVersion: v1
kind: Pod
metadata: {name: b-%d, namespace: %s, labels: {app: startup-server}}
spec:
  nodeName: worker%d
  containers:
  - {name: c, image: registry.k8s.io/e2e-test-images/agnhost:2.53, command: [/agnhost], args: [netexec, --http-port=80]}
`, node, startupNamespace, node)
	}
	return b.String()
}

// startupClients: Pods a-0.. (app=startup-a) and c-0.. (no policy names them),
// spread over both nodes, each connecting at start to b-1 or b-2 so that every
// combination of same node and other node occurs.
func startupClients(servers []framework.Pod) string {
	var b strings.Builder
	client := func(name, app string, i int) {
		server := servers[(i/2)%2]
		fmt.Fprintf(&b, `---
apiVersion: v1
kind: Pod
metadata: {name: %s, namespace: %s, labels: {app: %s}}
spec:
  nodeName: worker%d
  restartPolicy: Never
  containers:
  - {name: c, image: registry.k8s.io/e2e-test-images/agnhost:2.53, command: [/agnhost], args: [connect, "%s:80", --timeout=5s]}
`, name, startupNamespace, app, 1+i%2, server.IP)
	}
	for i := range startupForbidden {
		client(fmt.Sprintf("a-%d", i), "startup-a", i)
	}
	for i := range startupEgress {
		client(fmt.Sprintf("e-%d", i), "startup-e", i)
	}
	for i := range startupControl {
		client(fmt.Sprintf("c-%d", i), "startup-ctl", i)
	}
	return b.String()
}

// waitClientsDone waits until every client Pod has terminated and returns their
// phases by name.
func waitClientsDone(ctx context.Context, t *testing.T) map[string]string {
	t.Helper()
	phases := map[string]string{}
	eventually(ctx, t, 5*time.Minute, "every new Pod to terminate", func(ctx context.Context) error {
		out, err := kubectlOut(ctx, "get", "pods", "-n", startupNamespace, "-l", "app in (startup-a,startup-e,startup-ctl)",
			"-o", `jsonpath={range .items[*]}{.metadata.name}{" "}{.status.phase}{"\n"}{end}`)
		if err != nil {
			return err
		}
		clear(phases)
		var running []string
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			f := strings.Fields(line)
			if len(f) != 2 {
				continue
			}
			phases[f[0]] = f[1]
			if f[1] != "Succeeded" && f[1] != "Failed" {
				running = append(running, f[0]+"="+f[1])
			}
		}
		if len(phases) != startupForbidden+startupEgress+startupControl || len(running) > 0 {
			return fmt.Errorf("%d Pods, not terminated: %v", len(phases), running)
		}
		return nil
	})
	return phases
}

func podLogs(ctx context.Context, name string) string {
	out, err := kubectlOut(ctx, "logs", "-n", startupNamespace, name)
	if err != nil {
		return err.Error()
	}
	return out
}

var barrierLine = regexp.MustCompile(`Pod start-up barrier passed.*pod="` + startupNamespace + `/([a-z0-9-]+)".*waited="([^"]+)"`)

// barrierWaits reads the agents' logs for the barrier waits of this test's Pods:
// those a policy names (a-*) and those none names (c-*).
func barrierWaits(t *testing.T) (named, unnamed []time.Duration) {
	t.Helper()
	for node := 1; node <= 2; node++ {
		data, err := os.ReadFile(filepath.Join(lc.Dir, "logs", fmt.Sprintf("strata-agent-worker%d.log", node)))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range barrierLine.FindAllStringSubmatch(string(data), -1) {
			d, err := time.ParseDuration(m[2])
			if err != nil {
				t.Fatalf("barrier wait %q: %v", m[2], err)
			}
			switch {
			case strings.HasPrefix(m[1], "a-"):
				named = append(named, d)
			case strings.HasPrefix(m[1], "c-"):
				unnamed = append(unnamed, d)
			}
		}
	}
	return named, unnamed
}

// percentile is the p-th percentile (nearest rank) of ds.
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (p*len(s)+99)/100 - 1
	return s[max(0, min(i, len(s)-1))].Round(100 * time.Microsecond)
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
