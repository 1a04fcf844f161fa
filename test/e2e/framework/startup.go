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

package framework

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
)

// The Pod start-up scenario: new Pods whose only command is one connection, at
// start, to a server on one of the two Nodes. The ones an ingress Drop names as
// peers (a-*) and the ones an egress Drop applies to (e-*) must not connect, not
// even with their first packet; control Pods no policy names (c-*) must.
const (
	StartupNamespace = "e2e-startup"
	StartupForbidden = 20
	StartupEgress    = 10
	StartupControl   = 10
)

// StartupPolicy drops ingress to the servers from app=startup-a, and egress from
// app=startup-e to the servers.
const StartupPolicy = `apiVersion: crd.antrea.io/v1beta1
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

// StartupServers is the namespace and a server on each of worker1 and worker2.
func StartupServers() string {
	var b strings.Builder
	fmt.Fprintf(&b, "apiVersion: v1\nkind: Namespace\nmetadata: {name: %s}\n", StartupNamespace)
	for node := 1; node <= 2; node++ {
		fmt.Fprintf(&b, `---
apiVersion: v1
kind: Pod
metadata: {name: b-%d, namespace: %s, labels: {app: startup-server}}
spec:
  nodeName: worker%d
  containers:
  - {name: c, image: registry.k8s.io/e2e-test-images/agnhost:2.53, command: [/agnhost], args: [netexec, --http-port=80]}
`, node, StartupNamespace, node)
	}
	return b.String()
}

// StartupClients are the Pods a-<round>-*, e-<round>-* and c-<round>-*
// (label startup-round=<round>), spread over both Nodes, each connecting at
// start to b-1 or b-2 so that every combination of same Node and other Node
// occurs.
func StartupClients(servers []Pod, round int) string {
	var b strings.Builder
	client := func(prefix, app string, i int) {
		server := servers[(i/2)%2]
		fmt.Fprintf(&b, `---
apiVersion: v1
kind: Pod
metadata: {name: %s-%d-%d, namespace: %s, labels: {app: %s, startup-round: "%d"}}
spec:
  nodeName: worker%d
  restartPolicy: Never
  containers:
  - {name: c, image: registry.k8s.io/e2e-test-images/agnhost:2.53, command: [/agnhost], args: [connect, "%s:80", --timeout=5s]}
`, prefix, round, i, StartupNamespace, app, round, 1+i%2, server.IP)
	}
	for i := range StartupForbidden {
		client("a", "startup-a", i)
	}
	for i := range StartupEgress {
		client("e", "startup-e", i)
	}
	for i := range StartupControl {
		client("c", "startup-ctl", i)
	}
	return b.String()
}

// WaitStartupClientsDone waits until every client Pod of round has terminated
// and returns their phases by name.
func WaitStartupClientsDone(ctx context.Context, kubeconfig string, round int, timeout time.Duration) (map[string]string, error) {
	phases := map[string]string{}
	var last error
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		last = startupPhases(ctx, kubeconfig, round, phases)
		return last == nil, nil
	})
	if err != nil {
		return nil, fmt.Errorf("waiting %s for every new Pod to terminate: %w", timeout, last)
	}
	return phases, nil
}

func startupPhases(ctx context.Context, kubeconfig string, round int, phases map[string]string) error {
	out, err := Kubectl(ctx, kubeconfig, "get", "pods", "-n", StartupNamespace, "-l", fmt.Sprintf("startup-round=%d", round),
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
	if len(phases) != StartupForbidden+StartupEgress+StartupControl || len(running) > 0 {
		return fmt.Errorf("%d Pods, not terminated: %v", len(phases), running)
	}
	return nil
}

// StartupViolations checks the clients' phases: a forbidden Pod that connected
// or failed without a timeout, a control Pod that did not connect; each with its
// log.
func StartupViolations(ctx context.Context, kubeconfig string, phases map[string]string) []string {
	var out []string
	logs := func(name string) string {
		log, err := Kubectl(ctx, kubeconfig, "logs", "-n", StartupNamespace, name)
		if err != nil {
			return err.Error()
		}
		return log
	}
	for name, phase := range phases {
		forbidden := strings.HasPrefix(name, "a-") || strings.HasPrefix(name, "e-")
		switch {
		case forbidden && phase == "Succeeded":
			out = append(out, fmt.Sprintf("new Pod %s connected to a server a Drop forbids it:\n%s", name, logs(name)))
		case forbidden && !strings.Contains(logs(name), "TIMEOUT"):
			out = append(out, fmt.Sprintf("new Pod %s failed without a timeout (want its connection dropped):\n%s", name, logs(name)))
		case !forbidden && phase != "Succeeded":
			out = append(out, fmt.Sprintf("control Pod %s did not connect (%s):\n%s", name, phase, logs(name)))
		}
	}
	slices.Sort(out)
	return out
}

var barrierLine = regexp.MustCompile(`Pod start-up barrier passed.*pod="` + StartupNamespace + `/([a-z0-9-]+)".*waited="([^"]+)"`)

// BarrierWaits reads the agents' logs (logs/strata-agent-worker1.log and
// worker2's under dir) for the barrier waits of the scenario's Pods of round:
// those a policy names (a-*) and those none names (c-*).
func BarrierWaits(dir string, round int) (named, unnamed []time.Duration, err error) {
	for node := 1; node <= 2; node++ {
		data, err := os.ReadFile(filepath.Join(dir, "logs", fmt.Sprintf("strata-agent-worker%d.log", node)))
		if err != nil {
			return nil, nil, err
		}
		for _, m := range barrierLine.FindAllStringSubmatch(string(data), -1) {
			d, err := time.ParseDuration(m[2])
			if err != nil {
				return nil, nil, fmt.Errorf("barrier wait %q: %w", m[2], err)
			}
			switch {
			case strings.HasPrefix(m[1], fmt.Sprintf("a-%d-", round)):
				named = append(named, d)
			case strings.HasPrefix(m[1], fmt.Sprintf("c-%d-", round)):
				unnamed = append(unnamed, d)
			}
		}
	}
	return named, unnamed, nil
}

// Percentile is the p-th percentile (nearest rank) of ds.
func Percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (p*len(s)+99)/100 - 1
	return s[max(0, min(i, len(s)-1))].Round(100 * time.Microsecond)
}
