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
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/virtual-kubelet/virtual-kubelet/node/api"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/wait"
)

// TestPodHostname runs Pods with agnhost netexec and a shell container and
// checks the Pod's hostname everywhere a program asks for it: hostname(1) in
// the containers' own processes, through exec and in an exec readiness probe,
// agnhost's /hostname, /etc/hostname and /etc/hosts. Both containers share
// one UTS namespace, not the host's (the host's for hostNetwork); the host's
// hostname is untouched and deletion removes the namespace file.
func TestPodHostname(t *testing.T) {
	h := newHarness(t, harnessOptions{agnhost: findAgnhost(t)})
	hostUTS, err := os.Readlink("/proc/self/ns/uts")
	if err != nil {
		t.Fatal(err)
	}
	nodeHostname, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		pod     string
		spec    func(*corev1.PodSpec)
		want    string
		hostNet bool
	}{
		{name: "the pod's name", pod: "hostname-pod", spec: func(*corev1.PodSpec) {}, want: "hostname-pod"},
		{name: "spec.hostname wins", pod: "named-pod", spec: func(s *corev1.PodSpec) { s.Hostname = "custom-host" }, want: "custom-host"},
		{name: "host network", pod: "host-pod", spec: func(s *corev1.PodSpec) {
			// The node's address is not on the test node's interfaces.
			s.HostNetwork, s.Containers[0].StartupProbe.TCPSocket.Host = true, "127.0.0.1"
		}, want: nodeHostname, hostNet: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pod := hostnamePod(tc.pod, tc.want)
			tc.spec(&pod.Spec)
			got := h.waitPod(h.create(pod), "netexec listening", func(p *corev1.Pod) bool {
				return len(p.Status.ContainerStatuses) > 0 && p.Status.ContainerStatuses[0].Ready
			})
			h.checkHostname(t, got, tc.want)
			utsNS := map[string]string{}
			for _, c := range []string{"netexec", "shell"} {
				out, errOut, err := execIn(h, got, c, "readlink", "/proc/self/ns/uts")
				if err != nil {
					t.Fatalf("exec readlink in %s: %v %s", c, err, errOut)
				}
				utsNS[c] = strings.TrimSpace(out)
			}
			if utsNS["netexec"] != utsNS["shell"] {
				t.Errorf("the containers have different UTS namespaces: %v", utsNS)
			}
			if isHost := utsNS["netexec"] == hostUTS; isHost != tc.hostNet {
				t.Errorf("the containers' UTS namespace %s is the host's: %v, want %v", utsNS["netexec"], isHost, tc.hostNet)
			}
			if !tc.hostNet {
				h.checkEtcHosts(t, got, tc.want)
			}
			h.waitPod(got, "the shell container's exec readiness probe to see the hostname "+tc.want, podReady)
			if err := h.p.DeletePod(h.ctx, got); err != nil {
				t.Fatal(err)
			}
			h.waitGone(got)
		})
	}
	if now, err := os.Hostname(); err != nil || now != nodeHostname {
		t.Errorf("the host's hostname is now %q (%v), was %q", now, err, nodeHostname)
	}
	if entries, err := os.ReadDir(utsnsDir(h.cfg.StateDir)); err != nil || len(entries) != 0 {
		t.Errorf("UTS namespace files left after the pods' deletion: %v (%v)", entries, err)
	}
}

// hostnamePod has agnhost netexec, started once it listens, and a shell
// container that prints its hostname and /etc/hostname at start, ready only
// while hostname(1) says want in an exec probe.
func hostnamePod(name, want string) *corev1.Pod {
	netexec := corev1.Container{Name: "netexec", Image: agnhostImage, Args: []string{"netexec", "--http-port=8080", "--udp-port=-1"},
		StartupProbe: &corev1.Probe{PeriodSeconds: 1, FailureThreshold: 30, ProbeHandler: corev1.ProbeHandler{
			TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(8080)}}}}
	shell := shellContainer("shell", "hostname; cat /etc/hostname 2>/dev/null || hostname; exec sleep 3600")
	shell.ReadinessProbe = &corev1.Probe{PeriodSeconds: 1, ProbeHandler: corev1.ProbeHandler{
		Exec: &corev1.ExecAction{Command: []string{"sh", "-c", fmt.Sprintf(`test "$(hostname)" = %q`, want)}}}}
	return newPod(name, netexec, shell)
}

// checkHostname checks hostname(1) through exec in both containers, the
// shell container's own output and agnhost's /hostname.
func (h *harness) checkHostname(t *testing.T, pod *corev1.Pod, want string) {
	t.Helper()
	for _, c := range []string{"netexec", "shell"} {
		if out, errOut, err := execIn(h, pod, c, "hostname"); err != nil || out != want+"\n" {
			t.Errorf("exec hostname in %s: %q (stderr %q, err %v), want %q", c, out, errOut, err, want)
		}
	}
	var logs string
	_ = wait.PollUntilContextTimeout(h.ctx, 50*time.Millisecond, waitTimeout, true, func(context.Context) (bool, error) {
		logs = h.logs(pod, "shell", api.ContainerLogOpts{})
		return strings.Count(logs, "\n") >= 2, nil
	})
	if logs != want+"\n"+want+"\n" {
		t.Errorf("the shell container printed hostname and /etc/hostname %q, want %q twice", logs, want)
	}
	addr := net.JoinHostPort(pod.Status.PodIP, "8080")
	if pod.Spec.HostNetwork {
		addr = "127.0.0.1:8080"
	}
	conn := h.dialHost("tcp", addr)
	defer conn.Close()
	fmt.Fprintf(conn, "GET /hostname HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("GET /hostname: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	if string(body) != want {
		t.Errorf("agnhost netexec /hostname answered %d %q, want %q", resp.StatusCode, body, want)
	}
}

// checkEtcHosts checks that /etc/hosts maps the Pod's IP to its hostname.
func (h *harness) checkEtcHosts(t *testing.T, pod *corev1.Pod, want string) {
	t.Helper()
	out, errOut, err := execIn(h, pod, "shell", "cat", "/etc/hosts")
	if err != nil {
		t.Fatalf("exec cat /etc/hosts: %v %s", err, errOut)
	}
	line := pod.Status.PodIP + "\t" + want + "\n"
	if !strings.HasPrefix(out, "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n") || !strings.Contains(out, line) {
		t.Errorf("/etc/hosts = %q, want the managed file with %q", out, line)
	}
}
