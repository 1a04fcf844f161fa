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

package vnode

import (
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/virtual-kubelet/virtual-kubelet/node/api"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes/fake"
)

// TestPodMounts runs a Pod with a ConfigMap volume and the ServiceAccount
// volume in one container and neither in the other: each container sees its
// own mounts, from its process and from exec, the Pod's ClusterFirst
// resolv.conf at /etc/resolv.conf, and the relay's address as the API
// server's; the host sees none of it; deletion removes the mount namespaces.
func TestPodMounts(t *testing.T) {
	resolv := filepath.Join(t.TempDir(), "resolv.conf")
	if err := os.WriteFile(resolv, []byte("nameserver 192.0.2.53\nsearch corp.example\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, harnessOptions{agnhost: findAgnhost(t), runtime: func(c *RuntimeConfig) {
		c.ClusterDNS, c.ResolvConf, c.APIServerRelayPort = []string{"10.96.0.10"}, resolv, 6443
	}})
	client := fake.NewClientset(volumeObjects()...)
	(&tokenRecorder{}).install(client)
	h.p.UseClient(client)

	mnt := t.TempDir()
	configDir, saDir := filepath.Join(mnt, "etc/coredns"), filepath.Join(mnt, "serviceaccount")
	app := shellContainer("app", "cat "+configDir+"/Corefile; exec sleep 3600")
	app.VolumeMounts = []corev1.VolumeMount{{Name: "config-volume", MountPath: configDir, ReadOnly: true},
		{Name: "kube-api-access-x1", MountPath: saDir, ReadOnly: true}}
	side := shellContainer("side", "exec sleep 3600")
	pod := newPod("mounts", app, side)
	pod.Namespace, pod.Spec.ServiceAccountName, pod.Spec.DNSPolicy = "kube-system", "coredns", corev1.DNSClusterFirst
	pod.Spec.Volumes = []corev1.Volume{{Name: "config-volume", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
		LocalObjectReference: corev1.LocalObjectReference{Name: "coredns"}, Items: []corev1.KeyToPath{{Key: "Corefile", Path: "Corefile"}}}}},
		kubeAPIAccess()}
	h.waitReady(h.create(pod))

	const wantResolv = "search kube-system.svc.cluster.local svc.cluster.local cluster.local corp.example\nnameserver 10.96.0.10\noptions ndots:5\n"
	checks := []struct {
		name, container string
		cmd             []string
		want            string
	}{
		{"resolv.conf", "app", []string{"cat", "/etc/resolv.conf"}, wantResolv},
		{"resolv.conf of the other container", "side", []string{"cat", "/etc/resolv.conf"}, wantResolv},
		{"ConfigMap volume", "app", []string{"cat", configDir + "/Corefile"}, ".:53 {\n    errors\n}\n"},
		{"token", "app", []string{"cat", saDir + "/token"}, "token-of-coredns"},
		{"ca.crt", "app", []string{"cat", saDir + "/ca.crt"}, "-----BEGIN CERTIFICATE-----\n"},
		{"namespace", "app", []string{"cat", saDir + "/namespace"}, "kube-system"},
		{"read-only", "app", []string{"sh", "-c", "touch " + configDir + "/x 2>/dev/null && echo writable || echo read-only"}, "read-only\n"},
		{"not in the other container", "side", []string{"sh", "-c", "ls -A " + configDir + " | wc -l"}, "0\n"},
		{"the relay as the API server", "app", []string{"sh", "-c", "echo $KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT"}, "172.30.99.11:6443\n"},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			out, errOut, err := execIn(h, pod, c.container, c.cmd...)
			if err != nil || out != c.want {
				t.Errorf("exec %q in %s: %q (stderr %q, err %v), want %q", c.cmd, c.container, out, errOut, err, c.want)
			}
		})
	}
	if logs := h.logs(pod, "app", api.ContainerLogOpts{}); logs != ".:53 {\n    errors\n}\n" {
		t.Errorf("the container's own process read %q from its ConfigMap volume", logs)
	}
	if entries, err := os.ReadDir(configDir); err != nil || len(entries) != 0 {
		t.Errorf("the host sees the mount point %s with %d entries (%v), want it empty", configDir, len(entries), err)
	}
	if host, _ := os.ReadFile("/etc/resolv.conf"); strings.Contains(string(host), "10.96.0.10") {
		t.Errorf("the host's /etc/resolv.conf is the Pod's: %q", host)
	}

	if n := len(mountNamespaces(t, h)); n != 2 {
		t.Errorf("%d mount namespaces while the pod runs, want 2 (one per container)", n)
	}
	if err := h.p.DeletePod(h.ctx, pod); err != nil {
		t.Fatal(err)
	}
	h.waitGone(pod)
	if left := mountNamespaces(t, h); len(left) != 0 {
		t.Errorf("mount namespaces left after the pod's deletion: %v", left)
	}
}

// TestImageBinaryMounts runs the commands of the network-policy-api conformance
// manifests, `/bin/bash -c "/agnhost serve-hostname ..."`: the image's binary must
// be at /agnhost in the container, read-only, for the container's own process and
// for exec; likewise /coredns in a CoreDNS container (a stand-in binary here).
func TestImageBinaryMounts(t *testing.T) {
	coredns := filepath.Join(t.TempDir(), "coredns")
	if err := os.WriteFile(coredns, []byte("#!/bin/sh\necho coredns stand-in \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, harnessOptions{agnhost: findAgnhost(t), runtime: func(c *RuntimeConfig) { c.CoreDNSPath = coredns }})
	server := corev1.Container{Name: "server", Image: agnhostImage,
		Command: []string{"/bin/bash", "-c", "/agnhost serve-hostname --tcp --http=false --port 8080"},
		ReadinessProbe: &corev1.Probe{PeriodSeconds: 1, ProbeHandler: corev1.ProbeHandler{
			TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(8080)}}}}
	dns := corev1.Container{Name: "dns", Image: "registry.k8s.io/coredns/coredns:v1.15.0",
		Command: []string{"/bin/sh", "-c", "/coredns -version; exec sleep 3600"}}
	pod := h.waitReady(h.create(newPod("image-binaries", server, dns)))

	t.Run("the container's bash runs /agnhost", func(t *testing.T) {
		conn := h.dialHost("tcp", net.JoinHostPort(pod.Status.PodIP, "8080"))
		defer conn.Close()
		if answer, err := io.ReadAll(conn); err != nil || string(answer) != "image-binaries" {
			t.Errorf("serve-hostname answered %q (%v), want the pod's hostname %q", answer, err, "image-binaries")
		}
	})
	t.Run("the container's sh runs /coredns", func(t *testing.T) {
		const want = "coredns stand-in -version\n"
		if logs := h.waitLogs(pod, "dns", want); logs != want {
			t.Errorf("logs of the CoreDNS container: %q within %s, want %q", logs, waitTimeout, want)
		}
	})
	checks := []struct {
		name, container string
		cmd             []string
		want            string
	}{
		{"exec bash -c /agnhost", "server", []string{"/bin/bash", "-c", "/agnhost --help >/dev/null && echo ran"}, "ran\n"},
		{"/agnhost read-only", "server", []string{"sh", "-c", "(: > /agnhost) 2>/dev/null && echo writable || echo read-only"}, "read-only\n"},
		{"exec sh -c /coredns", "dns", []string{"sh", "-c", "/coredns -x"}, "coredns stand-in -x\n"},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			out, errOut, err := execIn(h, pod, c.container, c.cmd...)
			if err != nil || out != c.want {
				t.Errorf("exec %q in %s: %q (stderr %q, err %v), want %q", c.cmd, c.container, out, errOut, err, c.want)
			}
		})
	}
}

// TestPodDNSPolicies checks /etc/resolv.conf for Default and None, and
// ClusterFirst on the host network (Default, as from a kubelet).
func TestPodDNSPolicies(t *testing.T) {
	resolv := filepath.Join(t.TempDir(), "resolv.conf")
	if err := os.WriteFile(resolv, []byte("nameserver 192.0.2.53\nsearch corp.example\noptions timeout:2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, harnessOptions{agnhost: findAgnhost(t), runtime: func(c *RuntimeConfig) {
		c.ClusterDNS, c.ResolvConf = []string{"10.96.0.10"}, resolv
	}})
	value := "2"
	tests := []struct {
		name string
		pod  func(*corev1.Pod)
		want string
	}{
		{name: "Default", pod: func(p *corev1.Pod) { p.Spec.DNSPolicy = corev1.DNSDefault },
			want: "search corp.example\nnameserver 192.0.2.53\noptions timeout:2\n"},
		{name: "None", pod: func(p *corev1.Pod) {
			p.Spec.DNSPolicy = corev1.DNSNone
			p.Spec.DNSConfig = &corev1.PodDNSConfig{Nameservers: []string{"192.0.2.1"}, Options: []corev1.PodDNSConfigOption{{Name: "ndots", Value: &value}}}
		}, want: "nameserver 192.0.2.1\noptions ndots:2\n"},
		{name: "ClusterFirst on the host network", pod: func(p *corev1.Pod) { p.Spec.DNSPolicy, p.Spec.HostNetwork = corev1.DNSClusterFirst, true },
			want: "search corp.example\nnameserver 192.0.2.53\noptions timeout:2\n"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pod := newPod("dns-"+string(rune('a'+i)), shellContainer("app", "exec sleep 3600"))
			tc.pod(pod)
			h.waitReady(h.create(pod))
			out, errOut, err := execIn(h, pod, "app", "cat", "/etc/resolv.conf")
			if err != nil || out != tc.want {
				t.Errorf("/etc/resolv.conf = %q (stderr %q, err %v), want %q", out, errOut, err, tc.want)
			}
		})
	}
}

// execIn runs cmd in a container of the Pod.
func execIn(h *harness, pod *corev1.Pod, container string, cmd ...string) (string, string, error) {
	h.t.Helper()
	tio := &testIO{}
	ctx, cancel := context.WithTimeout(h.ctx, waitTimeout)
	defer cancel()
	err := h.p.RunInContainer(ctx, pod.Namespace, pod.Name, container, cmd, tio)
	return tio.stdout.String(), tio.stderr.String(), err
}

// mountNamespaces lists the mount namespace files of the provider.
func mountNamespaces(t *testing.T, h *harness) []string {
	t.Helper()
	entries, err := os.ReadDir(mntnsDir(h.cfg.StateDir))
	if err != nil {
		t.Fatalf("mount namespace dir: %v", err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}
