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
	"net"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/strata-net/strata/test/e2e/framework"
)

const (
	dnsNamespace = "dns-e2e"
	clusterDNSIP = "10.96.0.10"
	// dnsTimeout bounds the waits for DNS answers (endpoints reaching CoreDNS's
	// watch included).
	dnsTimeout = 90 * time.Second
)

// dnsManifests are a client Pod, two backends, a ClusterIP Service and a
// headless Service over the backends.
func dnsManifests() string {
	pods := manifests([]string{dnsNamespace},
		agnhostPod{namespace: dnsNamespace, name: "client", labels: "role: client", node: 1, args: "pause"},
		agnhostPod{namespace: dnsNamespace, name: "web-1", labels: "app: web", node: 1, args: "netexec, --http-port=8080"},
		agnhostPod{namespace: dnsNamespace, name: "web-2", labels: "app: web", node: 2, args: "netexec, --http-port=8080"},
	)
	return pods + fmt.Sprintf(`---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: %[1]s}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: web-headless, namespace: %[1]s}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
`, dnsNamespace)
}

// dnsSetup applies dnsManifests, waits for its Pods and builds dnsquery, the
// resolver run inside the client Pod. It returns the Pods and dnsquery's path.
func dnsSetup(ctx context.Context, t *testing.T) (map[string]framework.Pod, string) {
	t.Helper()
	dir := t.TempDir()
	file := dir + "/dns.yaml"
	if err := os.WriteFile(file, []byte(dnsManifests()), 0o644); err != nil {
		t.Fatal(err)
	}
	deleteOnCleanup(t, file)
	kubectl(ctx, t, "apply", "-f", file)
	bin, err := framework.BuildBinary(ctx, lc.Root, "./test/e2e/localcluster/dnsquery", dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil { // the Pods run it from the host's file system
		t.Fatal(err)
	}
	var pods []framework.Pod
	eventually(ctx, t, framework.ReadyTimeout, "the Pods of "+dnsNamespace+" to be Running and Ready", func(ctx context.Context) error {
		pods, err = framework.ReadyPods(ctx, lc.Kubeconfig, dnsNamespace, 3)
		return err
	})
	byName := map[string]framework.Pod{}
	for _, p := range pods {
		byName[p.Name] = p
	}
	return byName, bin
}

// TestClusterDNS proves the cluster DNS: CoreDNS's Pods Ready behind the
// kube-dns Service, a Pod's ClusterFirst /etc/resolv.conf, and from inside a
// Pod, every CoreDNS Pod answering (UDP and TCP) for the kubernetes Service, a
// Service (its ClusterIP), a headless Service (its Pods' IPs) and a Pod's
// dashed-IP name (pods insecure). Each Pod's hostname is its name, through
// kubectl exec and agnhost netexec's /hostname from another Pod.
func TestClusterDNS(t *testing.T) {
	if nodes == 0 {
		t.Skip("no worker nodes")
	}
	ctx := ctxT(t)
	var coredns []framework.Pod
	eventually(ctx, t, framework.ReadyTimeout, "the 2 CoreDNS Pods (kube-system, k8s-app=kube-dns) to be Ready", func(ctx context.Context) error {
		var err error
		coredns, err = readyCoreDNS(ctx)
		return err
	})
	if ip := kubectl(ctx, t, "get", "service", "kube-dns", "-n", "kube-system", "-o", "jsonpath={.spec.clusterIP}"); ip != clusterDNSIP {
		t.Errorf("Service kube-system/kube-dns has clusterIP %q, want %s", ip, clusterDNSIP)
	}

	pods, dnsquery := dnsSetup(ctx, t)
	t.Run("resolv.conf", func(t *testing.T) {
		want := "search " + strings.Join(append([]string{dnsNamespace + ".svc.cluster.local", "svc.cluster.local", "cluster.local"}, hostSearches(t)...), " ") +
			"\nnameserver " + clusterDNSIP + "\noptions ndots:5\n"
		if got := kubectl(ctx, t, "exec", "-n", dnsNamespace, "client", "--", "cat", "/etc/resolv.conf"); got != want {
			t.Errorf("the client Pod's /etc/resolv.conf:\n%s\nwant\n%s", got, want)
		}
	})

	t.Run("hostnames", func(t *testing.T) {
		for _, name := range []string{"client", "web-1", "web-2"} {
			if got := kubectl(ctx, t, "exec", "-n", dnsNamespace, name, "--", "hostname"); got != name+"\n" {
				t.Errorf("hostname in Pod %s: %q, want its name", name, got)
			}
		}
		for _, name := range []string{"web-1", "web-2"} {
			url := "http://" + net.JoinHostPort(pods[name].IP, "8080") + "/hostname"
			if got := kubectl(ctx, t, "exec", "-n", dnsNamespace, "client", "--", "curl", "-sS", "--max-time", "10", url); got != name {
				t.Errorf("agnhost netexec %s answered %q, want its Pod's name", url, got)
			}
		}
	})

	webIP := kubectl(ctx, t, "get", "service", "web", "-n", dnsNamespace, "-o", "jsonpath={.spec.clusterIP}")
	backends := []string{pods["web-1"].IP, pods["web-2"].IP}
	slices.Sort(backends)
	client := pods["client"]
	want := map[string]string{
		"kubernetes.default.svc.cluster.local.":                                              "10.96.0.1",
		"kube-dns.kube-system.svc.cluster.local.":                                            clusterDNSIP,
		"web." + dnsNamespace + ".svc.cluster.local.":                                        webIP,
		"web-headless." + dnsNamespace + ".svc.cluster.local.":                               strings.Join(backends, " "),
		strings.ReplaceAll(client.IP, ".", "-") + "." + dnsNamespace + ".pod.cluster.local.": client.IP,
	}
	// Through the kube-dns ClusterIP: the Service proxy load-balances the
	// queries to CoreDNS; without --server, dnsquery reads the Pod's
	// resolv.conf, whose search path completes a short name.
	for _, tcp := range []bool{false, true} {
		proto := map[bool]string{false: "udp", true: "tcp"}[tcp]
		t.Run("kube-dns ClusterIP/"+proto, func(t *testing.T) {
			args := []string{"exec", "-n", dnsNamespace, "client", "--", dnsquery, "--server", clusterDNSIP + ":53"}
			if tcp {
				args = append(args, "--tcp")
			}
			checkResolves(ctx, t, args, want)
		})
	}
	t.Run("resolv.conf search path", func(t *testing.T) {
		checkResolves(ctx, t, []string{"exec", "-n", dnsNamespace, "client", "--", dnsquery}, map[string]string{"web": webIP})
	})
	for _, server := range coredns {
		for _, tcp := range []bool{false, true} {
			proto := map[bool]string{false: "udp", true: "tcp"}[tcp]
			t.Run(server.Name+"/"+proto, func(t *testing.T) {
				args := []string{"exec", "-n", dnsNamespace, "client", "--", dnsquery, "--server", server.IP + ":53"}
				if tcp {
					args = append(args, "--tcp")
				}
				checkResolves(ctx, t, args, want)
			})
		}
	}
}

// readyCoreDNS is the CoreDNS Pods when both are Running and Ready.
func readyCoreDNS(ctx context.Context) ([]framework.Pod, error) {
	out, err := framework.Kubectl(ctx, lc.Kubeconfig, "get", "pods", "-n", "kube-system", "-l", "k8s-app=kube-dns", "-o",
		`jsonpath={range .items[*]}{.metadata.name} {.status.podIP} {.status.phase} {.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}`)
	if err != nil {
		return nil, err
	}
	var pods []framework.Pod
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if len(f) == 4 && f[2] == "Running" && f[3] == "True" {
			pods = append(pods, framework.Pod{Namespace: "kube-system", Name: f[0], IP: f[1]})
		}
	}
	if len(pods) != 2 {
		return nil, fmt.Errorf("%d Ready CoreDNS Pods, want 2:\n%s", len(pods), out)
	}
	return pods, nil
}

// checkResolves runs dnsquery (args, names appended) until every name resolves
// to its addresses.
func checkResolves(ctx context.Context, t *testing.T, args []string, want map[string]string) {
	t.Helper()
	names := make([]string, 0, len(want))
	for n := range want {
		names = append(names, n)
	}
	slices.Sort(names)
	eventually(ctx, t, dnsTimeout, fmt.Sprintf("%v to resolve to %v", names, want), func(ctx context.Context) error {
		out, err := framework.Kubectl(ctx, lc.Kubeconfig, append(args, names...)...)
		if err != nil {
			return err
		}
		got := map[string]string{}
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			name, addrs, _ := strings.Cut(line, " ")
			got[name] = addrs
		}
		for n, w := range want {
			if got[n] != w {
				return fmt.Errorf("%s resolved to %q, want %q (output %q)", n, got[n], w, out)
			}
		}
		return nil
	})
}

// hostSearches is the search line of the machine's /etc/resolv.conf, which the
// nodes use as theirs (strata-vnode --resolv-conf default): a kubelet appends it
// to a ClusterFirst Pod's searches.
func hostSearches(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile("/etc/resolv.conf")
	if err != nil {
		t.Fatalf("the host's resolv.conf: %v", err)
	}
	var searches []string
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) > 0 && f[0] == "search" {
			searches = nil
			for _, s := range f[1:] {
				if s != "." {
					searches = append(searches, strings.TrimSuffix(s, "."))
				}
			}
		}
	}
	return searches
}
