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
	"errors"
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
	utilexec "k8s.io/utils/exec"
)

// TestPodLifecycle runs a responder Pod through the real ptp plugin: address,
// answers from the node, probes, exec, logs, port-forward, deletion.
func TestPodLifecycle(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	c := responderContainer(3000, 53)
	c.ReadinessProbe = &corev1.Probe{PeriodSeconds: 1, ProbeHandler: corev1.ProbeHandler{
		HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromString("p3000")}}}
	c.LivenessProbe = &corev1.Probe{PeriodSeconds: 1, ProbeHandler: corev1.ProbeHandler{
		TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(3000)}}}
	deleted := make(chan *corev1.Pod, 10)
	h.p.OnPodDeleted(func(_ context.Context, pod *corev1.Pod) { deleted <- pod })
	pod := h.create(newPod("web-1", c))
	got := h.waitReady(pod)

	podIP := got.Status.PodIP
	t.Run("status", func(t *testing.T) {
		_, subnet, _ := net.ParseCIDR(h.subnet)
		if ip := net.ParseIP(podIP); ip == nil || !subnet.Contains(ip) {
			t.Errorf("podIP %q is not in the network's subnet %s", podIP, h.subnet)
		}
		if len(got.Status.PodIPs) != 1 || got.Status.PodIPs[0].IP != podIP {
			t.Errorf("podIPs %v, want [%s]", got.Status.PodIPs, podIP)
		}
		if got.Status.HostIP != h.cfg.NodeIP || got.Status.StartTime == nil || got.Status.QOSClass != corev1.PodQOSBestEffort {
			t.Errorf("hostIP %q startTime %v qosClass %q", got.Status.HostIP, got.Status.StartTime, got.Status.QOSClass)
		}
		cs := got.Status.ContainerStatuses
		if len(cs) != 1 || !cs[0].Ready || cs[0].Started == nil || !*cs[0].Started || cs[0].State.Running == nil ||
			!strings.HasPrefix(cs[0].ContainerID, containerIDPrefix) || cs[0].RestartCount != 0 {
			t.Errorf("container status %+v", cs)
		}
		for _, ct := range []corev1.PodConditionType{corev1.PodScheduled, corev1.PodReadyToStartContainers, corev1.PodInitialized, corev1.ContainersReady, corev1.PodReady} {
			if cond := condition(got, ct); cond.Status != corev1.ConditionTrue {
				t.Errorf("condition %s = %q", ct, cond.Status)
			}
		}
		if !h.ipReserved(podIP) {
			t.Errorf("IPAM holds no reservation for %s", podIP)
		}
	})

	t.Run("tcp from the node", func(t *testing.T) {
		for _, port := range []string{"3000", "53"} {
			conn := h.dialHost("tcp", net.JoinHostPort(podIP, port))
			answer, err := io.ReadAll(conn)
			conn.Close()
			if err != nil || string(answer) != "web-1\n" {
				t.Errorf("tcp %s: %q %v, want %q", port, answer, err, "web-1\n")
			}
		}
	})
	t.Run("udp from the node", func(t *testing.T) {
		conn := h.dialHost("udp", net.JoinHostPort(podIP, "53"))
		defer conn.Close()
		if _, err := conn.Write([]byte("hostname\n")); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 64)
		n, err := conn.Read(buf)
		if err != nil || string(buf[:n]) != "web-1\n" {
			t.Errorf("udp: %q %v, want %q", buf[:n], err, "web-1\n")
		}
	})
	t.Run("http from the node", func(t *testing.T) {
		conn := h.dialHost("tcp", net.JoinHostPort(podIP, "3000"))
		defer conn.Close()
		fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: %s\r\n\r\n", podIP)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("reading the HTTP answer: %v", err)
		}
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || string(body) != "web-1" {
			t.Errorf("HTTP %d %q", resp.StatusCode, body)
		}
	})

	t.Run("exec in the pod netns", func(t *testing.T) {
		out, errOut, err := h.exec(pod, false, "ip", "-o", "addr", "show", "dev", "eth0")
		if err != nil || !strings.Contains(out, " "+podIP+"/") {
			t.Errorf("ip -o addr: %v\nstdout %q\nstderr %q\nwant the pod IP %s", err, out, errOut, podIP)
		}
		out, _, err = h.exec(pod, false, "sh", "-c", "echo $HOSTNAME; exit 3")
		var exitErr utilexec.ExitError
		if !errors.As(err, &exitErr) || exitErr.ExitStatus() != 3 || strings.TrimSpace(out) != "web-1" {
			t.Errorf("exit 3: %v (stdout %q), want an exit error with status 3", err, out)
		}
		out, _, err = h.exec(pod, true, "sh", "-c", "test -t 0 && test -t 1 && echo on-a-tty")
		if err != nil || !strings.Contains(out, "on-a-tty") {
			t.Errorf("tty exec: %v, output %q", err, out)
		}
		if _, _, err := h.exec(pod, false, "/agnhost", "pause"); err == nil || !strings.Contains(err.Error(), "no agnhost binary configured") {
			t.Errorf("exec /agnhost without an agnhost: %v", err)
		}
	})

	t.Run("exec with stdin", func(t *testing.T) {
		tio := &testIO{stdin: strings.NewReader("from stdin\n")}
		if err := h.p.RunInContainer(h.ctx, pod.Namespace, pod.Name, "app", []string{"cat"}, tio); err != nil {
			t.Fatalf("cat: %v", err)
		}
		if got := tio.stdout.String(); got != "from stdin\n" {
			t.Errorf("cat echoed %q", got)
		}
	})

	t.Run("logs", func(t *testing.T) {
		all := h.logs(pod, "app", api.ContainerLogOpts{})
		if !strings.Contains(all, "responder web-1: tcp") || !strings.Contains(all, "responder web-1: udp") || !strings.Contains(all, `http "GET /healthz HTTP/1.1"`) {
			t.Errorf("logs lack the connections:\n%s", all)
		}
		if last := h.logs(pod, "app", api.ContainerLogOpts{Tail: 1}); strings.Count(last, "\n") != 1 {
			t.Errorf("tail 1: %q", last)
		}
		if lim := h.logs(pod, "app", api.ContainerLogOpts{LimitBytes: 10}); len(lim) != 10 {
			t.Errorf("limitBytes 10: %q", lim)
		}
	})

	t.Run("logs follow", func(t *testing.T) {
		ctx, cancel := context.WithCancel(h.ctx)
		rc, err := h.p.GetContainerLogs(ctx, pod.Namespace, pod.Name, "app", api.ContainerLogOpts{Follow: true, Tail: 1})
		if err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 100)
		go func() {
			defer close(lines)
			sc := bufio.NewScanner(rc)
			for sc.Scan() {
				lines <- sc.Text()
			}
		}()
		conn := h.dialHost("udp", net.JoinHostPort(podIP, "3000"))
		_, _ = conn.Write([]byte("x"))
		conn.Close()
		deadline := time.After(waitTimeout)
	wait:
		for {
			select {
			case l := <-lines:
				if strings.Contains(l, "responder web-1: udp") {
					break wait
				}
			case <-deadline:
				t.Fatal("the followed log did not show the new UDP datagram")
			}
		}
		cancel()
		for range lines { // the reader ends with the client
		}
		rc.Close()
	})

	t.Run("port-forward", func(t *testing.T) {
		client, server := net.Pipe()
		done := make(chan error, 1)
		go func() { done <- h.p.PortForward(h.ctx, pod.Namespace, pod.Name, 3000, server) }()
		_ = client.SetDeadline(time.Now().Add(20 * time.Second))
		answer, err := io.ReadAll(client)
		if err != nil || string(answer) != "web-1\n" {
			t.Errorf("port-forward read %q %v", answer, err)
		}
		client.Close()
		if err := <-done; err != nil {
			t.Errorf("PortForward: %v", err)
		}
	})

	t.Run("delete", func(t *testing.T) {
		netns := h.netns(pod)
		if err := h.p.DeletePod(h.ctx, pod); err != nil {
			t.Fatalf("DeletePod: %v", err)
		}
		h.waitGone(pod)
		if _, err := os.Stat(netns); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("netns %s still exists after delete (%v)", netns, err)
		}
		if h.ipReserved(podIP) {
			t.Errorf("IP %s still reserved after delete", podIP)
		}
		h.mu.Lock()
		last := h.notified["web-1"]
		h.mu.Unlock()
		if last == nil || len(last.Status.ContainerStatuses) != 1 || last.Status.ContainerStatuses[0].State.Terminated == nil {
			t.Errorf("the last notified status is not terminal:\n%s", describe(last))
		}
		select {
		case d := <-deleted:
			if d.UID != pod.UID || d.Status.ContainerStatuses[0].State.Terminated == nil {
				t.Errorf("OnPodDeleted got %s %s:\n%s", d.Name, d.UID, describe(d))
			}
		default:
			t.Errorf("OnPodDeleted was not called")
		}
		if err := h.p.DeletePod(h.ctx, pod); err == nil {
			t.Errorf("deleting a deleted pod: no NotFound error")
		}
		if entries, _ := os.ReadDir(podsDir(h.cfg.StateDir)); len(entries) != 0 {
			t.Errorf("pod dirs left: %v", entries)
		}
	})
}

// TestRestartPolicy checks exits, restarts with back-off, logs of the previous
// start, terminal phases and the network release of finished Pods.
func TestRestartPolicy(t *testing.T) {
	h := newHarness(t, harnessOptions{})

	t.Run("always restarts a failing container", func(t *testing.T) {
		pod := h.create(newPod("crash", shellContainer("c", "echo run; exit 3")))
		got := h.waitPod(pod, "two restarts", func(p *corev1.Pod) bool {
			cs := p.Status.ContainerStatuses
			return len(cs) == 1 && cs[0].RestartCount >= 2 && cs[0].LastTerminationState.Terminated != nil
		})
		cs := got.Status.ContainerStatuses[0]
		if cs.LastTerminationState.Terminated.ExitCode != 3 || cs.LastTerminationState.Terminated.Reason != "Error" {
			t.Errorf("last termination %+v, want exit 3 Error", cs.LastTerminationState.Terminated)
		}
		if got.Status.Phase != corev1.PodRunning {
			t.Errorf("phase %s while restarting, want Running", got.Status.Phase)
		}
		if prev := h.logs(pod, "c", api.ContainerLogOpts{Previous: true}); prev != "run\n" {
			t.Errorf("previous logs %q", prev)
		}
		h.waitPod(pod, "CrashLoopBackOff", func(p *corev1.Pod) bool {
			w := p.Status.ContainerStatuses[0].State.Waiting
			return w != nil && w.Reason == "CrashLoopBackOff"
		})
		if err := h.p.DeletePod(h.ctx, pod); err != nil {
			t.Fatal(err)
		}
		h.waitGone(pod)
	})

	t.Run("never: failed", func(t *testing.T) {
		p := newPod("fail-once", shellContainer("c", "exit 4"))
		p.Spec.RestartPolicy = corev1.RestartPolicyNever
		pod := h.create(p)
		got := h.waitPod(pod, "phase Failed", func(p *corev1.Pod) bool { return p.Status.Phase == corev1.PodFailed })
		cs := got.Status.ContainerStatuses[0]
		if cs.RestartCount != 0 || cs.State.Terminated == nil || cs.State.Terminated.ExitCode != 4 {
			t.Errorf("container status %+v", cs)
		}
		if err := h.p.DeletePod(h.ctx, pod); err != nil {
			t.Fatal(err)
		}
		h.waitGone(pod)
	})

	t.Run("on failure: succeeded releases the network", func(t *testing.T) {
		p := newPod("job", shellContainer("c", "echo done"))
		p.Spec.RestartPolicy = corev1.RestartPolicyOnFailure
		pod := h.create(p)
		got := h.waitPod(pod, "phase Succeeded", func(p *corev1.Pod) bool { return p.Status.Phase == corev1.PodSucceeded })
		ip := got.Status.PodIP
		h.waitPod(pod, "the network released", func(p *corev1.Pod) bool {
			return condition(p, corev1.PodReadyToStartContainers).Status == corev1.ConditionFalse
		})
		if h.ipReserved(ip) {
			t.Errorf("the finished pod still holds %s", ip)
		}
		if logs := h.logs(pod, "c", api.ContainerLogOpts{}); logs != "done\n" {
			t.Errorf("logs of the finished pod %q", logs)
		}
		if err := h.p.DeletePod(h.ctx, pod); err != nil {
			t.Fatal(err)
		}
		h.waitGone(pod)
	})

	t.Run("init containers run first", func(t *testing.T) {
		flag := h.dir + "/init-ran"
		p := newPod("with-init", shellContainer("main", "test -e "+flag+" && exec sleep 600"))
		p.Spec.InitContainers = []corev1.Container{shellContainer("init", "touch "+flag)}
		pod := h.create(p)
		got := h.waitReady(pod)
		if ic := got.Status.InitContainerStatuses; len(ic) != 1 || ic[0].State.Terminated == nil || ic[0].State.Terminated.ExitCode != 0 {
			t.Errorf("init container status %+v", ic)
		}
		if cs := got.Status.ContainerStatuses[0]; cs.RestartCount != 0 {
			t.Errorf("main container restarted %d times: did it start before the init container finished?", cs.RestartCount)
		}
		if err := h.p.DeletePod(h.ctx, pod); err != nil {
			t.Fatal(err)
		}
		h.waitGone(pod)
	})
}

// TestProbes checks that Ready follows the readiness probe and that a failing
// liveness probe restarts the container.
func TestProbes(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	readyFile, deadFile := h.dir+"/ready", h.dir+"/dead"
	c := shellContainer("app", "exec sleep 600")
	c.ReadinessProbe = &corev1.Probe{PeriodSeconds: 1, ProbeHandler: corev1.ProbeHandler{
		Exec: &corev1.ExecAction{Command: []string{"test", "-e", readyFile}}}}
	c.LivenessProbe = &corev1.Probe{PeriodSeconds: 1, FailureThreshold: 2, ProbeHandler: corev1.ProbeHandler{
		Exec: &corev1.ExecAction{Command: []string{"sh", "-c", "test ! -e " + deadFile}}}}
	pod := h.create(newPod("probed", c))

	h.waitPod(pod, "Running, not Ready (no ready file)", func(p *corev1.Pod) bool {
		cs := p.Status.ContainerStatuses
		return p.Status.Phase == corev1.PodRunning && len(cs) == 1 && cs[0].Started != nil && *cs[0].Started && !podReady(p)
	})
	if err := os.WriteFile(readyFile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	h.waitReady(pod)
	if err := os.Remove(readyFile); err != nil {
		t.Fatal(err)
	}
	h.waitPod(pod, "not Ready again", func(p *corev1.Pod) bool {
		return !podReady(p) && condition(p, corev1.ContainersReady).Status == corev1.ConditionFalse
	})

	if err := os.WriteFile(deadFile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	got := h.waitPod(pod, "a restart after the liveness failure", func(p *corev1.Pod) bool {
		return p.Status.ContainerStatuses[0].RestartCount >= 1
	})
	if err := os.Remove(deadFile); err != nil {
		t.Fatal(err)
	}
	last := got.Status.ContainerStatuses[0].LastTerminationState.Terminated
	if last == nil || !strings.Contains(last.Message, "liveness probe failed") || last.ExitCode != 128+15 {
		t.Errorf("last termination %+v, want SIGTERM (143) with a liveness message", last)
	}
	if err := h.p.DeletePod(h.ctx, pod); err != nil {
		t.Fatal(err)
	}
	h.waitGone(pod)
}

// TestStartupProbe: a container is not started (nor ready) until its startup
// probe succeeds.
func TestStartupProbe(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	startedFile := h.dir + "/started"
	c := shellContainer("app", "exec sleep 600")
	c.StartupProbe = &corev1.Probe{PeriodSeconds: 1, FailureThreshold: 60, ProbeHandler: corev1.ProbeHandler{
		Exec: &corev1.ExecAction{Command: []string{"test", "-e", startedFile}}}}
	pod := h.create(newPod("slow-start", c))
	h.waitPod(pod, "running, not started", func(p *corev1.Pod) bool {
		cs := p.Status.ContainerStatuses[0]
		return cs.State.Running != nil && cs.Started != nil && !*cs.Started && !cs.Ready
	})
	if err := os.WriteFile(startedFile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	got := h.waitReady(pod)
	if cs := got.Status.ContainerStatuses[0]; !*cs.Started || cs.RestartCount != 0 {
		t.Errorf("container status %+v", cs)
	}
}

// TestSandboxRetries: without a CNI config the Pod waits with a clear message;
// ADD is retried on TRY_AGAIN_LATER; the Pod runs once the network is ready.
func TestSandboxRetries(t *testing.T) {
	h := newHarness(t, harnessOptions{noConfig: true})
	pod := h.create(newPod("early", responderContainer(8080)))
	h.waitPod(pod, "a message about the missing config", func(p *corev1.Pod) bool {
		c := condition(p, corev1.PodReadyToStartContainers)
		return p.Status.Phase == corev1.PodPending && c.Status == corev1.ConditionFalse && strings.Contains(c.Message, "no CNI network config")
	})
	agentReady := h.dir + "/agent-ready"
	h.writeConfig(agentReady)
	got := h.waitPod(pod, "a TRY_AGAIN_LATER message", func(p *corev1.Pod) bool {
		return strings.Contains(condition(p, corev1.PodReadyToStartContainers).Message, "does not exist yet")
	})
	if w := got.Status.ContainerStatuses[0].State.Waiting; w == nil || w.Reason != "ContainerCreating" {
		t.Errorf("container state %+v, want waiting ContainerCreating", got.Status.ContainerStatuses[0].State)
	}
	if err := os.WriteFile(agentReady, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	got = h.waitReady(pod)
	if !h.ipReserved(got.Status.PodIP) {
		t.Errorf("no reservation for %s", got.Status.PodIP)
	}
	if n := len(h.podNamespaces()); n != 1 {
		t.Errorf("%d pod namespaces after the retries, want 1 (one per sandbox)", n)
	}
	entries, _ := os.ReadDir(h.ipamDir + "/" + h.netName)
	ips := 0
	for _, e := range entries {
		if net.ParseIP(e.Name()) != nil {
			ips++
		}
	}
	if ips != 1 {
		t.Errorf("%d addresses reserved after the retries, want 1: failed ADDs leak", ips)
	}
}

// TestAgnhostContainer runs the real agnhost (built by hack/kube-binaries.sh).
func TestAgnhostContainer(t *testing.T) {
	h := newHarness(t, harnessOptions{agnhost: findAgnhost(t)})
	c := corev1.Container{Name: "netexec", Image: agnhostImage, Args: []string{"netexec", "--http-port=8080", "--udp-port=8081"},
		Ports: []corev1.ContainerPort{{ContainerPort: 8080}, {ContainerPort: 8081, Protocol: corev1.ProtocolUDP}},
		ReadinessProbe: &corev1.Probe{PeriodSeconds: 1, ProbeHandler: corev1.ProbeHandler{
			HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromInt32(8080)}}}}
	server := h.waitReady(h.create(newPod("netexec", c)))
	ip := server.Status.PodIP

	conn := h.dialHost("tcp", net.JoinHostPort(ip, "8080"))
	fmt.Fprintf(conn, "GET /echo?msg=hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("GET /echo: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	conn.Close()
	if string(body) != "hello" {
		t.Errorf("/echo answered %d %q", resp.StatusCode, body)
	}

	client := h.waitReady(h.create(newPod("client", responderContainer(3000))))
	for _, proto := range []string{"tcp", "udp"} {
		port := map[string]string{"tcp": "8080", "udp": "8081"}[proto]
		out, errOut, err := h.exec(client, false, "/agnhost", "connect", net.JoinHostPort(ip, port), "--timeout=3s", "--protocol="+proto)
		if err != nil {
			t.Errorf("exec /agnhost connect %s pod to pod: %v\n%s%s", proto, err, out, errOut)
		}
	}
	out, _, err := h.exec(server, false, "/agnhost", "connect", net.JoinHostPort(client.Status.PodIP, "3000"), "--timeout=3s")
	if err != nil {
		t.Errorf("agnhost connect to the responder: %v %s", err, out)
	}
}

// TestHostNetworkPod runs a hostNetwork Pod in the node's namespace with the
// node's address, without CNI, and leaves that namespace alone on deletion.
func TestHostNetworkPod(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	p := newPod("host-1", responderContainer(7070))
	p.Spec.HostNetwork = true
	pod := h.create(p)
	got := h.waitReady(pod)
	if got.Status.PodIP != h.cfg.NodeIP {
		t.Errorf("podIP %q, want the node's %s", got.Status.PodIP, h.cfg.NodeIP)
	}
	var answer []byte
	err := wait.PollUntilContextTimeout(h.ctx, 100*time.Millisecond, waitTimeout, true, func(context.Context) (bool, error) {
		err := inNetNS(h.hostNS, func() error {
			c, err := net.DialTimeout("tcp", "127.0.0.1:7070", 5*time.Second)
			if err != nil {
				return err
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(10 * time.Second))
			answer, err = io.ReadAll(c)
			return err
		})
		return err == nil, nil
	})
	if err != nil || string(answer) != "host-1\n" {
		t.Errorf("the responder in the node's namespace: %q %v", answer, err)
	}
	if n := len(h.podNamespaces()); n != 0 {
		t.Errorf("%d pod namespaces for a hostNetwork pod", n)
	}
	if err := h.p.DeletePod(h.ctx, pod); err != nil {
		t.Fatal(err)
	}
	h.waitGone(pod)
	if _, err := os.Stat(h.hostNS); err != nil {
		t.Errorf("deleting a hostNetwork pod removed the node's namespace: %v", err)
	}
}
