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
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/strata-net/strata/test/e2e/framework"
)

const (
	tosvcNamespace = "e2e-tosvc"
	tosvcPort      = 8080
	// tosvcLateIP is the ClusterIP the Service created after its policy asks
	// for (in the local cluster's 10.96.0.0/16), so that it is probed before
	// it exists.
	tosvcLateIP = "10.96.77.77"
)

// tosvcPods: two agnhost netexec endpoints (app: web, one per Node) and two
// clients on worker1: c-client (role: client, which the policies apply to) and
// c-other (not selected).
func tosvcPods() string {
	netexec := fmt.Sprintf("netexec, --http-port=%d", tosvcPort)
	return manifests([]string{tosvcNamespace},
		agnhostPod{tosvcNamespace, "web-1", "app: web", 1, netexec},
		agnhostPod{tosvcNamespace, "web-2", "app: web", 2, netexec},
		agnhostPod{tosvcNamespace, "c-client", "role: client", 1, "pause"},
		agnhostPod{tosvcNamespace, "c-other", "role: other", 1, "pause"})
}

// tosvcService is a ClusterIP Service in front of the web Pods; clusterIP ""
// lets the API server choose.
func tosvcService(name string, port int, clusterIP string) string {
	ip := ""
	if clusterIP != "" {
		ip = "\n  clusterIP: " + clusterIP
	}
	return fmt.Sprintf(`apiVersion: v1
kind: Service
metadata: {name: %s, namespace: %s}
spec:
  selector: {app: web}%s
  ports: [{protocol: TCP, port: %d, targetPort: %d}]
`, name, tosvcNamespace, ip, port, tosvcPort)
}

// tosvcACNP drops c-client's egress to the Service svc.
func tosvcACNP(name, svc string) string {
	return fmt.Sprintf(`apiVersion: crd.antrea.io/v1beta1
kind: ClusterNetworkPolicy
metadata: {name: %s}
spec:
  tier: securityops
  priority: 5
  appliedTo: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: %s}}, podSelector: {matchLabels: {role: client}}}]
  egress:
  - {action: Drop, name: drop-svc, toServices: [{name: %s, namespace: %s}]}
`, name, tosvcNamespace, svc, tosvcNamespace)
}

// tosvcANNP allows c-client's egress to the Service web (an entry without a
// namespace: the policy's own) and drops the rest of its egress.
const tosvcANNP = `apiVersion: crd.antrea.io/v1beta1
kind: NetworkPolicy
metadata: {name: only-web, namespace: e2e-tosvc}
spec:
  tier: application
  priority: 5
  appliedTo: [{podSelector: {matchLabels: {role: client}}}]
  egress:
  - {action: Allow, name: allow-web, toServices: [{name: web}]}
  - {action: Drop, name: drop-rest}
`

// tosvcFixture is what the subtests probe with.
type tosvcFixture struct {
	client, other string // network namespaces of c-client and c-other
	web, pod      string // the Service web's ClusterIP:port, web-1's IP:port
}

func (fx *tosvcFixture) expect(ctx context.Context, t *testing.T, netns, from, addr, want string) {
	t.Helper()
	ip, port, _ := strings.Cut(addr, ":")
	p, err := strconv.Atoi(port)
	if err != nil {
		t.Fatalf("address %q: %v", addr, err)
	}
	if got := probeTCP(ctx, netns, ip, p, 0); got != want {
		t.Fatalf("%s -> %s: %s, want %s", from, addr, got, want)
	}
}

// TestToServices: toServices egress rules on real connections through the
// agents' Service proxy in the local cluster:
//   - an ACNP's Drop to the Service web drops c-client's connections to web's
//     ClusterIP while c-client still reaches the same endpoint by its Pod IP,
//     and c-other (not selected) the ClusterIP; without the ACNP the ClusterIP
//     works again;
//   - annp: an ANNP's Allow to web (no namespace: its own) above a Drop of the
//     rest lets c-client reach the ClusterIP and not the Pod IP;
//   - a Service created after the ACNP naming it is never reached by c-client,
//     probed from before the Service exists until after c-other reaches it
//     through the same Node; until it exists the ACNP's status says so
//     (Realizable False, ServiceNotFound), with the rule installed on its Node.
func TestToServices(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dir := t.TempDir()
	pods, svc := filepath.Join(dir, "pods.yaml"), filepath.Join(dir, "svc.yaml")
	writeFile(t, pods, tosvcPods())
	writeFile(t, svc, tosvcService("web", 80, ""))
	deleteOnCleanup(t, svc, pods)
	kubectl(ctx, t, "apply", "-f", pods)
	kubectl(ctx, t, "apply", "-f", svc)
	eventually(ctx, t, settleTimeout, "the toServices test's Pods to be Ready", func(ctx context.Context) error {
		_, err := framework.ReadyPods(ctx, lc.Kubeconfig, tosvcNamespace, 4)
		return err
	})
	fx := &tosvcFixture{
		client: podNetNS(t, 1, podUIDIn(t, tosvcNamespace, "c-client")),
		other:  podNetNS(t, 1, podUIDIn(t, tosvcNamespace, "c-other")),
		pod:    fmt.Sprintf("%s:%d", podIP(ctx, t, tosvcNamespace, "web-1"), tosvcPort),
	}
	clusterIP := strings.TrimSpace(kubectl(ctx, t, "get", "svc", "-n", tosvcNamespace, "web", "-o", "jsonpath={.spec.clusterIP}"))
	fx.web = clusterIP + ":80"
	eventually(ctx, t, settleTimeout, "c-client to reach the Service web's ClusterIP", func(ctx context.Context) error {
		if got := probeTCP(ctx, fx.client, clusterIP, 80, 0); got != connects {
			return fmt.Errorf("c-client -> %s: %s", fx.web, got)
		}
		return nil
	})

	t.Run("acnp", func(t *testing.T) {
		acnpFile := filepath.Join(t.TempDir(), "acnp.yaml")
		writeFile(t, acnpFile, tosvcACNP("e2e-tosvc-drop", "web"))
		kubectl(ctx, t, "apply", "-f", acnpFile)
		waitPolicyRealized(ctx, t, "e2e-tosvc-drop", 1)
		fx.expect(ctx, t, fx.client, "c-client", fx.web, dropped)
		fx.expect(ctx, t, fx.client, "c-client", fx.pod, connects)
		fx.expect(ctx, t, fx.other, "c-other", fx.web, connects)
		kubectl(ctx, t, "delete", "-f", acnpFile)
		eventually(ctx, t, settleTimeout, "c-client to reach the ClusterIP once the ACNP is deleted", func(ctx context.Context) error {
			if got := probeTCP(ctx, fx.client, clusterIP, 80, 0); got != connects {
				return fmt.Errorf("c-client -> %s: %s", fx.web, got)
			}
			return nil
		})
	})
	t.Run("annp", func(t *testing.T) {
		annpFile := filepath.Join(t.TempDir(), "annp.yaml")
		writeFile(t, annpFile, tosvcANNP)
		kubectl(ctx, t, "apply", "-f", annpFile)
		waitANNPRealized(ctx, t, tosvcNamespace, "only-web", 1)
		fx.expect(ctx, t, fx.client, "c-client", fx.web, connects)
		fx.expect(ctx, t, fx.client, "c-client", fx.pod, dropped)
		kubectl(ctx, t, "delete", "-f", annpFile)
		eventually(ctx, t, settleTimeout, "c-client to reach web-1's Pod IP once the ANNP is deleted", func(ctx context.Context) error {
			if got := probeTCP(ctx, fx.client, strings.Split(fx.pod, ":")[0], tosvcPort, 0); got != connects {
				return fmt.Errorf("c-client -> %s: %s", fx.pod, got)
			}
			return nil
		})
	})
	t.Run("a Service created after the policy", func(t *testing.T) {
		tmp := t.TempDir()
		acnpFile, lateFile := filepath.Join(tmp, "acnp.yaml"), filepath.Join(tmp, "late.yaml")
		writeFile(t, acnpFile, tosvcACNP("e2e-tosvc-late", "late"))
		writeFile(t, lateFile, tosvcService("late", 81, tosvcLateIP))
		deleteOnCleanup(t, lateFile, acnpFile)
		kubectl(ctx, t, "apply", "-f", acnpFile)
		waitServiceNotFound(ctx, t, "e2e-tosvc-late", tosvcNamespace+"/late")
		leaks := probeUntil(ctx, fx.client, tosvcLateIP, 81)
		kubectl(ctx, t, "apply", "-f", lateFile)
		eventually(ctx, t, settleTimeout, "c-other to reach the new Service late through worker1", func(ctx context.Context) error {
			if got := probeTCP(ctx, fx.other, tosvcLateIP, 81, 0); got != connects {
				return fmt.Errorf("c-other -> %s:81: %s", tosvcLateIP, got)
			}
			return nil
		})
		for range 3 {
			fx.expect(ctx, t, fx.client, "c-client", tosvcLateIP+":81", dropped)
		}
		waitPolicyRealized(ctx, t, "e2e-tosvc-late", 1) // the status follows the Service
		n, outcomes := leaks()
		t.Logf("c-client -> %s:81: %d probes from before the Service's creation until after c-other reached it", tosvcLateIP, n)
		if n == 0 || len(outcomes) > 0 {
			t.Fatalf("c-client -> %s:81 during the Service's creation: %d probes, connected at %v", tosvcLateIP, n, outcomes)
		}
	})
}

// probeUntil probes ip:port from netns over and over until the returned func is
// called, which stops it and returns the number of probes and the times of those
// that connected (before the Service exists a probe may fail otherwise: the
// ClusterIP routes nowhere).
func probeUntil(ctx context.Context, netns, ip string, port int) func() (int, []string) {
	ctx, cancel := context.WithCancel(ctx)
	var (
		wg       sync.WaitGroup
		n        int
		outcomes []string
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ctx.Err() == nil {
			got := probeTCP(ctx, netns, ip, port, 0)
			if ctx.Err() != nil {
				return
			}
			n++
			if got == connects {
				outcomes = append(outcomes, time.Now().Format("15:04:05.000"))
			}
		}
	}()
	return func() (int, []string) {
		cancel()
		wg.Wait()
		return n, outcomes
	}
}

// waitServiceNotFound waits until an ACNP is installed at its generation on its
// one Node and its status names the missing Service: phase Failed, Realizable
// False with reason ServiceNotFound.
func waitServiceNotFound(ctx context.Context, t *testing.T, name, service string) {
	t.Helper()
	eventually(ctx, t, settleTimeout, fmt.Sprintf("%s's status to name the missing Service %s", name, service),
		func(ctx context.Context) error {
			out, err := kubectlOut(ctx, "get", "acnp", name, "-o",
				`jsonpath={.metadata.generation} {.status.observedGeneration} {.status.phase} {.status.currentNodesRealized} {.status.conditions[?(@.type=="Realizable")].status} {.status.conditions[?(@.type=="Realizable")].reason}|{.status.conditions[?(@.type=="Realizable")].message}`)
			if err != nil {
				return fmt.Errorf("%v: %s", err, out)
			}
			head, msg, _ := strings.Cut(out, "|")
			f := strings.Fields(head)
			if len(f) != 6 || f[0] != f[1] || f[2] != "Failed" || f[3] != "1" || f[4] != "False" || f[5] != "ServiceNotFound" ||
				!strings.Contains(msg, fmt.Sprintf("Service %q does not exist", service)) {
				return fmt.Errorf("generation, observed generation, phase, nodes realized, Realizable, reason | message: %q", out)
			}
			return nil
		})
}
