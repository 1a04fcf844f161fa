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
	"net/netip"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/strata-net/strata/test/e2e/framework"
)

const (
	podnetNamespace = "e2e-podnet"
	// podsTimeout bounds scheduling, CNI ADD and the responders starting.
	podsTimeout = 4 * time.Minute
	// connectTimeout is agnhost connect's own timeout; a dropped connection
	// takes that long to fail.
	connectTimeout = "3s"
)

// podInfo is what the tests need of a Pod.
type podInfo struct {
	Name, Node, IP, App, Role string
}

func (p podInfo) String() string { return fmt.Sprintf("%s(%s@%s)", p.Name, p.IP, p.Node) }

// guestbookFiles are the seed's guestbook manifests, unchanged.
func guestbookFiles() []string {
	var out []string
	for _, f := range []string{"redis-master-controller.json", "redis-master-service.json",
		"redis-slave-controller.json", "redis-slave-service.json",
		"guestbook-controller.json", "guestbook-service.json"} {
		out = append(out, filepath.Join(lc.Root, "test", "manifests", "seed", "guestbook", f))
	}
	return out
}

// TestPodNetworking runs the seed's guestbook on the cluster's nodes and checks
// pod IPs, Endpoints, pod-to-pod TCP and UDP on one node and across nodes, and
// a K8s NetworkPolicy enforced across nodes.
func TestPodNetworking(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	kubectl(ctx, t, "create", "namespace", podnetNamespace)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		if out, err := framework.Kubectl(ctx, lc.Kubeconfig, "delete", "namespace", podnetNamespace, "--wait=true", "--timeout=2m"); err != nil {
			t.Errorf("cleanup: %v\n%s", err, out)
		}
	})
	for _, f := range guestbookFiles() {
		kubectl(ctx, t, "apply", "-n", podnetNamespace, "-f", f)
	}
	pods := waitGuestbookRunning(ctx, t)
	t.Run("pod IPs from the node's PodCIDR", func(t *testing.T) { checkPodCIDRs(ctx, t, pods) })
	t.Run("endpoints list the pods", func(t *testing.T) { checkEndpoints(ctx, t, pods) })
	same, cross := pairs(t, pods)
	for _, proto := range []string{"tcp", "udp"} {
		t.Run("same node "+proto, func(t *testing.T) { mustConnect(ctx, t, same[0], same[1], same[1].port(), proto) })
		t.Run("across nodes "+proto, func(t *testing.T) {
			mustConnect(ctx, t, cross[0], cross[1], cross[1].port(), proto)
			mustConnect(ctx, t, cross[1], cross[0], cross[0].port(), proto)
		})
	}
	t.Run("K8s NetworkPolicy across nodes", func(t *testing.T) { checkNetworkPolicy(ctx, t, pods) })
}

// waitGuestbookRunning waits for the 6 guestbook pods to be Running and Ready
// with an IP.
func waitGuestbookRunning(ctx context.Context, t *testing.T) []podInfo {
	t.Helper()
	var pods []podInfo
	eventually(ctx, t, podsTimeout, "the 6 guestbook pods Running and Ready with IPs", func(ctx context.Context) error {
		ready, err := framework.ReadyPods(ctx, lc.Kubeconfig, podnetNamespace, 6)
		if err != nil {
			return err
		}
		pods = nil
		for _, p := range ready {
			pods = append(pods, podInfo{Name: p.Name, Node: p.Node, IP: p.IP, App: p.Labels["app"], Role: p.Labels["role"]})
		}
		return nil
	})
	t.Logf("guestbook pods: %v", pods)
	return pods
}

func checkPodCIDRs(ctx context.Context, t *testing.T, pods []podInfo) {
	cidrs := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(kubectl(ctx, t, "get", "nodes", "-o",
		`jsonpath={range .items[*]}{.metadata.name}{" "}{.spec.podCIDR}{"\n"}{end}`)), "\n") {
		if f := strings.Fields(line); len(f) == 2 {
			cidrs[f[0]] = f[1]
		}
	}
	for _, p := range pods {
		prefix, err := netip.ParsePrefix(cidrs[p.Node])
		if err != nil {
			t.Errorf("pod %v: node %s has no valid podCIDR (%q)", p, p.Node, cidrs[p.Node])
			continue
		}
		if ip, err := netip.ParseAddr(p.IP); err != nil || !prefix.Contains(ip) {
			t.Errorf("pod %v: IP not in its node's podCIDR %s", p, prefix)
		}
	}
}

func checkEndpoints(ctx context.Context, t *testing.T, pods []podInfo) {
	for svc, app := range map[string]string{"guestbook": "guestbook", "redis-slave": "redis"} {
		var want []string
		for _, p := range pods {
			if p.App == app && (svc != "redis-slave" || p.Role == "slave") {
				want = append(want, p.IP)
			}
		}
		sort.Strings(want)
		eventually(ctx, t, settleTimeout, "the EndpointSlices of Service "+svc+" to list "+strings.Join(want, ","),
			func(ctx context.Context) error {
				out, err := framework.Kubectl(ctx, lc.Kubeconfig, "get", "endpointslices", "-n", podnetNamespace,
					"-l", "kubernetes.io/service-name="+svc, "-o", `jsonpath={.items[*].endpoints[*].addresses[*]}`)
				if err != nil {
					return err
				}
				got := strings.Fields(out)
				sort.Strings(got)
				if !slices.Equal(got, want) {
					return fmt.Errorf("got %v", got)
				}
				return nil
			})
	}
}

// pairs picks two pods on one node and two on different nodes.
func pairs(t *testing.T, pods []podInfo) (same, cross [2]podInfo) {
	t.Helper()
	var foundSame, foundCross bool
	for i, a := range pods {
		for _, b := range pods[i+1:] {
			if a.Node == b.Node && !foundSame {
				same, foundSame = [2]podInfo{a, b}, true
			}
			if a.Node != b.Node && !foundCross {
				cross, foundCross = [2]podInfo{a, b}, true
			}
		}
	}
	if !foundSame || !foundCross {
		t.Fatalf("need two pods on one node and two on different nodes among %v", pods)
	}
	return same, cross
}

// port is the containerPort a pod's responder answers on.
func (p podInfo) port() int {
	if p.App == "guestbook" {
		return 3000
	}
	return 6379
}

// connect runs agnhost connect in src towards dst:port.
func connect(ctx context.Context, src, dst podInfo, port int, proto string) (string, error) {
	return framework.Kubectl(ctx, lc.Kubeconfig, "exec", "-n", podnetNamespace, src.Name, "--",
		"/agnhost", "connect", fmt.Sprintf("%s:%d", dst.IP, port), "--timeout="+connectTimeout, "--protocol="+proto)
}

func mustConnect(ctx context.Context, t *testing.T, src, dst podInfo, port int, proto string) {
	t.Helper()
	// The first packets may race the flows of a just-started pod; retry briefly.
	eventually(ctx, t, 30*time.Second, fmt.Sprintf("%s %v -> %v:%d to connect", proto, src, dst, port),
		func(ctx context.Context) error {
			_, err := connect(ctx, src, dst, port, proto)
			return err
		})
}

func mustTimeOut(ctx context.Context, t *testing.T, src, dst podInfo, port int, proto string) {
	t.Helper()
	out, err := connect(ctx, src, dst, port, proto)
	if err == nil {
		t.Fatalf("%s %v -> %v:%d connected, want a drop", proto, src, dst, port)
	}
	if !strings.Contains(out+err.Error(), "TIMEOUT") {
		t.Fatalf("%s %v -> %v:%d failed without timing out (want a silent drop): %v\n%s", proto, src, dst, port, err, out)
	}
}

// checkNetworkPolicy isolates the guestbook pods for ingress, allowing only the
// redis master: a pod on another node is dropped, the master connects;
// deleting the policy lets the other pod in again.
func checkNetworkPolicy(ctx context.Context, t *testing.T, pods []podInfo) {
	master := pickPod(t, pods, func(p podInfo) bool { return p.Role == "master" })
	// target: a guestbook pod with a pod that is not the master on another node.
	var target, other podInfo
	for _, tg := range pods {
		if tg.App != "guestbook" {
			continue
		}
		if i := slices.IndexFunc(pods, func(p podInfo) bool { return p.Role != "master" && p.Node != tg.Node }); i >= 0 {
			target, other = tg, pods[i]
			break
		}
	}
	if target.Name == "" {
		t.Fatalf("no guestbook pod with a non-master pod on another node among %v", pods)
	}
	const np = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: guestbook-from-master}
spec:
  podSelector: {matchLabels: {app: guestbook}}
  policyTypes: [Ingress]
  ingress:
  - from: [{podSelector: {matchLabels: {role: master}}}]
`
	mustConnect(ctx, t, other, target, 3000, "tcp")
	kubectlIn(ctx, t, np, "apply", "-n", podnetNamespace, "-f", "-")
	eventually(ctx, t, settleTimeout, fmt.Sprintf("%v -> %v blocked by the NetworkPolicy", other, target),
		func(ctx context.Context) error {
			if _, err := connect(ctx, other, target, 3000, "tcp"); err == nil {
				return fmt.Errorf("still connects")
			}
			return nil
		})
	mustTimeOut(ctx, t, other, target, 3000, "tcp")
	mustConnect(ctx, t, master, target, 3000, "tcp")
	kubectl(ctx, t, "delete", "networkpolicy", "-n", podnetNamespace, "guestbook-from-master")
	mustConnect(ctx, t, other, target, 3000, "tcp")
}

func pickPod(t *testing.T, pods []podInfo, ok func(podInfo) bool) podInfo {
	t.Helper()
	for _, p := range pods {
		if ok(p) {
			return p
		}
	}
	t.Fatalf("no suitable pod among %v", pods)
	return podInfo{}
}
