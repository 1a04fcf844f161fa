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

package artifacts

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
)

// scriptValue is the first submatch of re in a script of hack/.
func scriptValue(t *testing.T, file, re string) string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(re).FindSubmatch(data)
	if m == nil {
		t.Fatalf("%s: no match for %s", file, re)
	}
	return string(m[1])
}

// TestCoreDNS checks the local cluster's CoreDNS against what the scripts use:
// the image of the CoreDNS version hack/kube-binaries.sh builds, the Service at
// the nodes' --cluster-dns, the Corefile's plugins and the reads of the
// kubernetes plugin.
func TestCoreDNS(t *testing.T) {
	version := scriptValue(t, "../hack/kube-binaries.sh", `COREDNS_VERSION=\$\{COREDNS_VERSION:-(v[0-9.]+)\}`)
	dnsIP := scriptValue(t, "../hack/local-cluster.sh", `DNS_IP=([0-9.]+)`)
	var dep *appsv1.Deployment
	var svc *corev1.Service
	var cm *corev1.ConfigMap
	var role *rbacv1.ClusterRole
	for _, o := range decodeFiles(t, "local-cluster/coredns.yaml") {
		switch o := o.(type) {
		case *appsv1.Deployment:
			dep = o
		case *corev1.Service:
			svc = o
		case *corev1.ConfigMap:
			cm = o
		case *rbacv1.ClusterRole:
			role = o
		}
	}
	if dep == nil || svc == nil || cm == nil || role == nil {
		t.Fatalf("coredns.yaml: Deployment %v, Service %v, ConfigMap %v, ClusterRole %v", dep != nil, svc != nil, cm != nil, role != nil)
	}
	if img := dep.Spec.Template.Spec.Containers[0].Image; img != "registry.k8s.io/coredns/coredns:"+version {
		t.Errorf("image %q, want registry.k8s.io/coredns/coredns:%s (hack/kube-binaries.sh's COREDNS_VERSION)", img, version)
	}
	if dep.Namespace != "kube-system" || dep.Spec.Template.Labels["k8s-app"] != "kube-dns" || dep.Spec.Template.Spec.ServiceAccountName != "coredns" {
		t.Errorf("Deployment %s/%s: labels %v, serviceAccount %q", dep.Namespace, dep.Name, dep.Spec.Template.Labels, dep.Spec.Template.Spec.ServiceAccountName)
	}
	if svc.Name != "kube-dns" || svc.Spec.ClusterIP != dnsIP || svc.Spec.Selector["k8s-app"] != "kube-dns" {
		t.Errorf("Service %s: clusterIP %q, selector %v; want kube-dns at %s (hack/local-cluster.sh's DNS_IP)", svc.Name, svc.Spec.ClusterIP, svc.Spec.Selector, dnsIP)
	}
	var ports []string
	for _, p := range svc.Spec.Ports {
		ports = append(ports, p.Name+"/"+string(p.Protocol)+"/"+p.TargetPort.String())
	}
	if want := []string{"dns/UDP/53", "dns-tcp/TCP/53", "metrics/TCP/9153"}; !slices.Equal(ports, want) {
		t.Errorf("Service ports %v, want %v", ports, want)
	}
	corefile := cm.Data["Corefile"]
	for _, plugin := range []string{"errors", "health", "ready", "kubernetes cluster.local in-addr.arpa ip6.arpa", "pods insecure",
		"fallthrough in-addr.arpa ip6.arpa", "prometheus :9153", "forward . /etc/resolv.conf", "cache 30", "loop", "reload", "loadbalance"} {
		if !strings.Contains(corefile, plugin) {
			t.Errorf("the Corefile lacks %q", plugin)
		}
	}
	reads := map[string]bool{}
	for _, r := range role.Rules {
		if slices.Contains(r.Verbs, "list") && slices.Contains(r.Verbs, "watch") {
			for _, res := range r.Resources {
				reads[res] = true
			}
		}
	}
	for _, res := range []string{"endpointslices", "services", "pods", "namespaces"} {
		if !reads[res] {
			t.Errorf("ClusterRole %s does not list and watch %s", role.Name, res)
		}
	}
}
