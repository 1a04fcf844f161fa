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
	"strings"
	"testing"
	"time"

	"github.com/strata-net/strata/test/e2e/framework"
)

const (
	svcNamespace = "svc-e2e"
	// svcTimeout bounds the waits for the Service proxy to apply a change of
	// Services or EndpointSlices on both nodes.
	svcTimeout = 60 * time.Second
	// spreadConnections is how many connections the spread check makes.
	spreadConnections = 200
)

// svcManifests are two clients (one per node), three netexec backends
// behind the Service web (TCP 80 and UDP 81), a Pod alone behind solo (the
// hairpin case) and a Service whose selector matches no Pod.
func svcManifests() string {
	backend := "netexec, --http-port=8080, --udp-port=8081"
	pods := manifests([]string{svcNamespace},
		agnhostPod{namespace: svcNamespace, name: "client", labels: "role: client", node: 1, args: "pause"},
		agnhostPod{namespace: svcNamespace, name: "client2", labels: "role: client2", node: 2, args: "pause"},
		agnhostPod{namespace: svcNamespace, name: "web-1", labels: "app: web", node: 1, args: backend},
		agnhostPod{namespace: svcNamespace, name: "web-2", labels: "app: web", node: 2, args: backend},
		agnhostPod{namespace: svcNamespace, name: "web-3", labels: "app: web", node: 2, args: backend},
		agnhostPod{namespace: svcNamespace, name: "solo", labels: "app: solo", node: 1, args: backend},
	)
	return pods + fmt.Sprintf(`---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: %[1]s}
spec:
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: 8080}
  - {name: udp, port: 81, targetPort: 8081, protocol: UDP}
---
apiVersion: v1
kind: Service
metadata: {name: solo, namespace: %[1]s}
spec:
  selector: {app: solo}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: empty, namespace: %[1]s}
spec:
  selector: {app: nothing}
  ports:
  - {name: http, port: 80, targetPort: 8080}
  - {name: udp, port: 81, targetPort: 8081, protocol: UDP}
`, svcNamespace)
}

// svcEnv is the running setup of TestServices.
type svcEnv struct {
	pods   map[string]framework.Pod
	netns  map[string]string // Pod name: its network namespace
	vips   map[string]string // Service name: its ClusterIP
	client string            // the client Pod's network namespace
}

func svcSetup(ctx context.Context, t *testing.T) svcEnv {
	t.Helper()
	file := t.TempDir() + "/services.yaml"
	if err := os.WriteFile(file, []byte(svcManifests()), 0o644); err != nil {
		t.Fatal(err)
	}
	deleteOnCleanup(t, file)
	kubectl(ctx, t, "apply", "-f", file)
	var pods []framework.Pod
	eventually(ctx, t, framework.ReadyTimeout, "the Pods of "+svcNamespace+" to be Running and Ready", func(ctx context.Context) error {
		var err error
		pods, err = framework.ReadyPods(ctx, lc.Kubeconfig, svcNamespace, 6)
		return err
	})
	env := svcEnv{pods: map[string]framework.Pod{}, netns: map[string]string{}, vips: map[string]string{}}
	for _, p := range pods {
		env.pods[p.Name] = p
		node := map[string]int{"worker1": 1, "worker2": 2}[p.Node]
		env.netns[p.Name] = podNetNS(t, node, podUIDIn(t, svcNamespace, p.Name))
	}
	env.client = env.netns["client"]
	for _, svc := range []string{"web", "solo", "empty"} {
		env.vips[svc] = kubectl(ctx, t, "get", "service", svc, "-n", svcNamespace, "-o", "jsonpath={.spec.clusterIP}")
	}
	return env
}

// TestServices sends real traffic through the Service proxy of both nodes'
// Open vSwitch: ClusterIP load-balancing over TCP and UDP from either node, the
// client's own address at the endpoint (no SNAT inside the cluster), hairpin,
// a Service without endpoints rejected at once, a NetworkPolicy on the
// endpoints matching after DNAT, and an endpoint's removal applied.
func TestServices(t *testing.T) {
	ctx := ctxT(t)
	env := svcSetup(ctx, t)
	web := env.vips["web"]
	backends := []string{"web-1", "web-2", "web-3"}

	t.Run("spread over every endpoint", func(t *testing.T) {
		for _, from := range []string{"client", "client2"} {
			// The EndpointSlice fills as the web Pods turn Ready and each
			// node applies it on its own; measure only once both nodes have
			// every backend in the Service's group.
			waitEveryBackend(ctx, t, env.netns[from], web, backends)
			counts, err := spread(ctx, env.netns[from], web)
			if err != nil {
				t.Fatal(err)
			}
			checkSpread(t, from, counts, backends)
		}
	})
	t.Run("UDP", func(t *testing.T) {
		seen := map[string]bool{}
		eventually(ctx, t, svcTimeout, fmt.Sprintf("UDP answers from every backend of %s:81", web), func(context.Context) error {
			for range 30 {
				name, err := udpCommand(env.client, web, 81, "hostname")
				if err != nil {
					return err
				}
				seen[name] = true
			}
			return missing(seen, backends)
		})
	})
	t.Run("the endpoint sees the client's address", func(t *testing.T) {
		for range 10 {
			got, err := httpGet(ctx, env.client, web, 80, "/clientip")
			if err != nil {
				t.Fatal(err)
			}
			if host, _, _ := strings.Cut(got, ":"); host != env.pods["client"].IP {
				t.Fatalf("GET /clientip through %s answered %q, want the client Pod's %s", web, got, env.pods["client"].IP)
			}
		}
	})
	t.Run("hairpin", func(t *testing.T) {
		got, err := httpGet(ctx, env.netns["solo"], env.vips["solo"], 80, "/hostname")
		if err != nil || got != "solo" {
			t.Fatalf("solo through its own Service %s: %q, %v; want its own hostname", env.vips["solo"], got, err)
		}
	})
	t.Run("no endpoints: rejected", func(t *testing.T) {
		checkNoEndpoints(ctx, t, env)
	})
	t.Run("NetworkPolicy after DNAT", func(t *testing.T) {
		checkPolicyAfterDNAT(ctx, t, env)
	})
	t.Run("endpoint removed", func(t *testing.T) {
		checkEndpointRemoved(ctx, t, env, backends)
	})
}

// checkEndpointRemoved deletes web-3: once the nodes have applied its
// EndpointSlice change, no new connection reaches it, and the established
// connections to the other backends keep working.
func checkEndpointRemoved(ctx context.Context, t *testing.T, env svcEnv, backends []string) {
	web := env.vips["web"]
	var kept []*keepAlive
	for range 6 {
		c, err := dialKeepAlive(ctx, env.client, web, 80)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if c.backend != "web-3" {
			kept = append(kept, c)
		}
	}
	kubectl(ctx, t, "delete", "pod", "-n", svcNamespace, "web-3", "--wait=false")
	eventually(ctx, t, svcTimeout, "no connection through "+web+" to reach web-3", func(ctx context.Context) error {
		counts, err := spread(ctx, env.client, web)
		if err != nil {
			return err
		}
		if counts["web-3"] > 0 {
			return fmt.Errorf("web-3 still answered %d of %d connections", counts["web-3"], spreadConnections)
		}
		return missing(map[string]bool{"web-1": counts["web-1"] > 0, "web-2": counts["web-2"] > 0}, backends[:2])
	})
	for _, c := range kept {
		if got, err := c.get("/hostname"); err != nil || got != c.backend {
			t.Errorf("an established connection to %s through %s, after web-3's removal: %q, %v", c.backend, web, got, err)
		}
	}
	t.Logf("%d established connections to the other backends kept working", len(kept))
}

// spread makes spreadConnections HTTP requests for /hostname to vip:80 from
// netns, each on a new connection, and counts the answers by backend.
func spread(ctx context.Context, netns, vip string) (map[string]int, error) {
	counts := map[string]int{}
	for range spreadConnections {
		name, err := httpGet(ctx, netns, vip, 80, "/hostname")
		if err != nil {
			return counts, fmt.Errorf("GET /hostname through %s: %w", vip, err)
		}
		counts[name]++
	}
	return counts, nil
}

// waitEveryBackend waits until connections from netns through vip have
// reached every backend: the node has applied the whole EndpointSlice.
func waitEveryBackend(ctx context.Context, t *testing.T, netns, vip string, backends []string) {
	t.Helper()
	seen := map[string]bool{}
	eventually(ctx, t, svcTimeout, fmt.Sprintf("answers from every backend of %s:80", vip), func(ctx context.Context) error {
		for range 30 {
			name, err := httpGet(ctx, netns, vip, 80, "/hostname")
			if err != nil {
				return fmt.Errorf("GET /hostname through %s: %w", vip, err)
			}
			seen[name] = true
		}
		return missing(seen, backends)
	})
}

// checkSpread fails unless every backend, and only they, got a fair share:
// a chi-square test of uniformity at p = 0.001 (2 degrees of freedom: 13.82).
func checkSpread(t *testing.T, from string, counts map[string]int, backends []string) {
	t.Helper()
	expected := float64(spreadConnections) / float64(len(backends))
	chi2 := 0.0
	for _, b := range backends {
		d := float64(counts[b]) - expected
		chi2 += d * d / expected
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	if total != spreadConnections || chi2 > 13.82 {
		t.Fatalf("from %s, %d connections spread as %v (chi-square %.1f > 13.82 or answers from elsewhere)", from, spreadConnections, counts, chi2)
	}
	t.Logf("from %s: %v (chi-square %.2f)", from, counts, chi2)
}

// missing fails with the backends not seen.
func missing(seen map[string]bool, backends []string) error {
	var out []string
	for _, b := range backends {
		if !seen[b] {
			out = append(out, b)
		}
	}
	if len(out) > 0 {
		return fmt.Errorf("no answer from %v (answers: %v)", out, seen)
	}
	return nil
}

// checkNoEndpoints: TCP to a Service without endpoints is reset at once and
// UDP gets an ICMP unreachable, as with kube-proxy.
func checkNoEndpoints(ctx context.Context, t *testing.T, env svcEnv) {
	vip := env.vips["empty"]
	if got := probeTCP(ctx, env.client, vip, 80, 0); got != rejected {
		t.Errorf("TCP to %s:80 (no endpoints): %s, want %s", vip, got, rejected)
	}
	if got := probeUDP(env.client, vip, 81); got != rejected {
		t.Errorf("UDP to %s:81 (no endpoints): %s, want %s", vip, got, rejected)
	}
}

// checkPolicyAfterDNAT isolates the web Pods for ingress from client2 only:
// through the ClusterIP, client is dropped and client2 connects, since the
// policy sees the endpoint as destination and the client Pod as source.
func checkPolicyAfterDNAT(ctx context.Context, t *testing.T, env svcEnv) {
	file := t.TempDir() + "/np.yaml"
	np := fmt.Sprintf(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-from-client2, namespace: %s}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
  ingress: [{from: [{podSelector: {matchLabels: {role: client2}}}]}]
`, svcNamespace)
	if err := os.WriteFile(file, []byte(np), 0o644); err != nil {
		t.Fatal(err)
	}
	kubectl(ctx, t, "apply", "-f", file)
	web := env.vips["web"]
	eventually(ctx, t, svcTimeout, "client's connections through "+web+" to be dropped", func(ctx context.Context) error {
		for range 6 {
			if got := probeTCP(ctx, env.client, web, 80, 0); got != dropped {
				return fmt.Errorf("client to %s:80: %s", web, got)
			}
		}
		return nil
	})
	for range 6 {
		if got := probeTCP(ctx, env.netns["client2"], web, 80, 0); got != connects {
			t.Fatalf("client2 to %s:80 under the policy: %s, want %s", web, got, connects)
		}
	}
	kubectl(ctx, t, "delete", "-f", file)
	eventually(ctx, t, svcTimeout, "client to connect through "+web+" once the policy is gone", func(ctx context.Context) error {
		if got := probeTCP(ctx, env.client, web, 80, 0); got != connects {
			return fmt.Errorf("client to %s:80: %s", web, got)
		}
		return nil
	})
}
