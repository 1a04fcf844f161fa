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

// The harness of the root tests: real netns, the real ptp CNI plugin (built from
// github.com/containernetworking/plugins) with the testipam IPAM plugin, the
// responder of a built strata-vnode, in a private "node" network namespace.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/virtual-kubelet/virtual-kubelet/node/api"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/klog/v2/ktesting"

	"github.com/strata-net/strata/nodeagent/ovs/ovstest"
)

const (
	agnhostImage = "registry.k8s.io/e2e-test-images/agnhost:2.53"
	waitTimeout  = 90 * time.Second
)

// binDir holds the binaries built once per test process (removed by TestMain).
var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

func TestMain(m *testing.M) {
	if os.Getenv(crashHelperEnv) != "" {
		runCrashHelper()
		return
	}
	code := m.Run()
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// buildBinaries builds ptp, testipam and strata-vnode.
func buildBinaries(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "vnode-bin-")
		if buildErr != nil {
			return
		}
		for _, b := range []struct{ out, pkg string }{
			{"ptp", "github.com/containernetworking/plugins/plugins/main/ptp"},
			{"testipam", "github.com/strata-net/strata/test/vnode/internal/testipam"},
			{"strata-vnode", "github.com/strata-net/strata/cmd/strata-vnode"},
		} {
			out, err := exec.Command("go", "build", "-o", filepath.Join(binDir, b.out), b.pkg).CombinedOutput()
			if err != nil {
				buildErr = fmt.Errorf("go build %s: %v\n%s", b.pkg, err, out)
				return
			}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binDir
}

// harness is one node: its host netns, CNI dirs and a provider.
type harness struct {
	t       *testing.T
	ctx     context.Context
	dir     string
	hostNS  string
	subnet  string // 10.99.N.0/24
	netName string
	ipamDir string
	cfg     RuntimeConfig
	p       *Provider

	mu       sync.Mutex
	notified map[string]*corev1.Pod
}

type harnessOptions struct {
	// noConfig leaves the CNI config dir empty (writeConfig installs it).
	noConfig bool
	// tryAgainUntil makes IPAM answer TRY_AGAIN_LATER until the file exists.
	tryAgainUntil string
	agnhost       string
	// noProvider leaves starting the provider to the test (startProvider).
	noProvider bool
	// runtime changes the runtime configuration before the provider starts.
	runtime func(*RuntimeConfig)
}

func newHarness(t *testing.T, opts harnessOptions) *harness {
	ovstest.Require(t)
	bins := buildBinaries(t)
	_, ctx := ktesting.NewTestContext(t)
	dir := t.TempDir()
	h := &harness{t: t, ctx: ctx, dir: dir, netName: "vnodetest-" + randomHex(6), ipamDir: filepath.Join(dir, "ipam"),
		subnet: fmt.Sprintf("10.99.%d.0/24", 1+rand.IntN(250)), notified: map[string]*corev1.Pod{}}
	h.hostNS = filepath.Join("/run/netns", "vnode-test-"+randomHex(8))
	if err := createNetNS(h.hostNS); err != nil {
		t.Fatalf("node netns: %v", err)
	}
	t.Cleanup(func() { _ = removeNetNS(h.hostNS) })
	h.cfg = RuntimeConfig{
		NodeName: "vnode-test", NodeIP: "172.30.99.11", StateDir: filepath.Join(dir, "state"),
		CNIBinDir: bins, CNIConfDir: filepath.Join(dir, "net.d"), HostNetNS: h.hostNS,
		AgnhostPath: opts.agnhost, ResponderCommand: []string{filepath.Join(bins, "strata-vnode"), "respond"},
		RestartBackoff: 200 * time.Millisecond, RestartBackoffMax: time.Second, CNIRetryMax: 500 * time.Millisecond,
	}
	if opts.runtime != nil {
		opts.runtime(&h.cfg)
	}
	h.cfg.Defaults()
	if err := os.MkdirAll(h.cfg.CNIConfDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if !opts.noConfig {
		h.writeConfig(opts.tryAgainUntil)
	}
	if !opts.noProvider {
		h.startProvider()
	}
	return h
}

// writeConfig installs the node's network: ptp with testipam on h.subnet.
func (h *harness) writeConfig(tryAgainUntil string) {
	ipam := map[string]any{"type": "testipam", "dataDir": h.ipamDir, "ranges": [][]map[string]string{{{"subnet": h.subnet}}}}
	if tryAgainUntil != "" {
		ipam["tryAgainUntil"] = tryAgainUntil
	}
	conf := map[string]any{"cniVersion": "1.0.0", "name": h.netName,
		"plugins": []map[string]any{{"type": "ptp", "ipMasq": false, "mtu": 1500, "ipam": ipam}}}
	data, err := json.Marshal(conf)
	if err != nil {
		h.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(h.cfg.CNIConfDir, "10-test.conflist"), data, 0o644); err != nil {
		h.t.Fatal(err)
	}
}

// startProvider creates the provider; the test's end shuts it down and checks
// that no namespace of its Pods is left.
func (h *harness) startProvider() {
	p, err := NewProvider(h.ctx, h.cfg)
	if err != nil {
		h.t.Fatalf("NewProvider: %v", err)
	}
	h.p = p
	ctx, cancel := context.WithCancel(h.ctx)
	p.NotifyPods(ctx, func(pod *corev1.Pod) {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.notified[pod.Name] = pod
	})
	h.t.Cleanup(func() {
		defer cancel()
		sctx, scancel := context.WithTimeout(context.Background(), waitTimeout)
		defer scancel()
		if err := p.Shutdown(sctx, 5*time.Second); err != nil {
			h.t.Errorf("Shutdown: %v", err)
		}
		if left := h.podNamespaces(); len(left) > 0 {
			h.t.Errorf("pod namespaces left after shutdown: %v", left)
		}
	})
}

// podNamespaces lists the namespaces of this node's Pods under /run/netns.
func (h *harness) podNamespaces() []string {
	entries, _ := os.ReadDir(h.cfg.NetNSDir)
	var names []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "vnode-"+h.cfg.NodeName+"-") {
			names = append(names, e.Name())
		}
	}
	return names
}

func newPod(name string, containers ...corev1.Container) *corev1.Pod {
	grace := int64(2)
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default", UID: types.UID(randomHex(32))},
		Spec: corev1.PodSpec{NodeName: "vnode-test", Containers: containers, RestartPolicy: corev1.RestartPolicyAlways,
			TerminationGracePeriodSeconds: &grace},
		Status: corev1.PodStatus{QOSClass: corev1.PodQOSBestEffort},
	}
}

func responderContainer(ports ...int32) corev1.Container {
	c := corev1.Container{Name: "app", Image: "registry.k8s.io/guestbook:v3"}
	for _, p := range ports {
		c.Ports = append(c.Ports, corev1.ContainerPort{Name: fmt.Sprintf("p%d", p), ContainerPort: p})
	}
	return c
}

// shellContainer runs a host shell command (an agnhost image with a command).
func shellContainer(name, script string) corev1.Container {
	return corev1.Container{Name: name, Image: agnhostImage, Command: []string{"sh", "-c", script}}
}

func (h *harness) create(pod *corev1.Pod) *corev1.Pod {
	h.t.Helper()
	if err := h.p.CreatePod(h.ctx, pod); err != nil {
		h.t.Fatalf("CreatePod %s: %v", pod.Name, err)
	}
	return pod
}

// waitPod polls the Pod until cond holds; the error shows its last status.
func (h *harness) waitPod(pod *corev1.Pod, what string, cond func(*corev1.Pod) bool) *corev1.Pod {
	h.t.Helper()
	var last *corev1.Pod
	err := wait.PollUntilContextTimeout(h.ctx, 100*time.Millisecond, waitTimeout, true, func(ctx context.Context) (bool, error) {
		got, err := h.p.GetPod(ctx, pod.Namespace, pod.Name)
		if err != nil {
			return false, nil
		}
		last = got
		return cond(got), nil
	})
	if err != nil {
		h.t.Fatalf("pod %s: timed out after %s waiting for %s; last status:\n%s", pod.Name, waitTimeout, what, describe(last))
	}
	return last
}

func (h *harness) waitReady(pod *corev1.Pod) *corev1.Pod {
	h.t.Helper()
	return h.waitPod(pod, "Running and Ready", func(p *corev1.Pod) bool {
		return p.Status.Phase == corev1.PodRunning && podReady(p)
	})
}

// waitGone waits until the provider has torn the Pod down.
func (h *harness) waitGone(pod *corev1.Pod) {
	h.t.Helper()
	err := wait.PollUntilContextTimeout(h.ctx, 100*time.Millisecond, waitTimeout, true, func(ctx context.Context) (bool, error) {
		_, err := h.p.GetPod(ctx, pod.Namespace, pod.Name)
		return err != nil, nil
	})
	if err != nil {
		h.t.Fatalf("pod %s: timed out after %s waiting for its teardown", pod.Name, waitTimeout)
	}
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func condition(p *corev1.Pod, t corev1.PodConditionType) corev1.PodCondition {
	for _, c := range p.Status.Conditions {
		if c.Type == t {
			return c
		}
	}
	return corev1.PodCondition{}
}

func describe(p *corev1.Pod) string {
	if p == nil {
		return "(not found)"
	}
	data, _ := json.MarshalIndent(p.Status, "", "  ")
	return string(data)
}

// netns is the Pod's sandbox namespace path.
func (h *harness) netns(pod *corev1.Pod) string {
	r := h.p.lookup(podKey(pod.Namespace, pod.Name))
	if r == nil {
		h.t.Fatalf("pod %s is not in the provider", pod.Name)
	}
	return r.netnsPath()
}

// ipReserved reports whether testipam holds ip.
func (h *harness) ipReserved(ip string) bool {
	_, err := os.Stat(filepath.Join(h.ipamDir, h.netName, ip))
	return err == nil
}

// dialHost connects from the node's host namespace.
func (h *harness) dialHost(network, addr string) net.Conn {
	h.t.Helper()
	var c net.Conn
	err := inNetNS(h.hostNS, func() error {
		var err error
		c, err = net.DialTimeout(network, addr, 10*time.Second)
		return err
	})
	if err != nil {
		h.t.Fatalf("dial %s %s from the node: %v", network, addr, err)
	}
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	return c
}

// exec runs cmd in the Pod's first container and returns stdout, stderr and the
// error of RunInContainer.
func (h *harness) exec(pod *corev1.Pod, tty bool, cmd ...string) (string, string, error) {
	h.t.Helper()
	tio := &testIO{tty: tty}
	ctx, cancel := context.WithTimeout(h.ctx, waitTimeout)
	defer cancel()
	err := h.p.RunInContainer(ctx, pod.Namespace, pod.Name, "", cmd, tio)
	return tio.stdout.String(), tio.stderr.String(), err
}

// testIO is the streams of an exec.
type testIO struct {
	tty            bool
	stdin          io.Reader
	stdout, stderr syncBuffer
}

func (t *testIO) Stdin() io.Reader            { return t.stdin }
func (t *testIO) Stdout() io.WriteCloser      { return &t.stdout }
func (t *testIO) Stderr() io.WriteCloser      { return &t.stderr }
func (t *testIO) TTY() bool                   { return t.tty }
func (t *testIO) Resize() <-chan api.TermSize { return nil }

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) Close() error { return nil }

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// logs reads a container's log.
func (h *harness) logs(pod *corev1.Pod, container string, opts api.ContainerLogOpts) string {
	h.t.Helper()
	rc, err := h.p.GetContainerLogs(h.ctx, pod.Namespace, pod.Name, container, opts)
	if err != nil {
		h.t.Fatalf("GetContainerLogs %s/%s: %v", pod.Name, container, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		h.t.Fatalf("reading the logs of %s/%s: %v", pod.Name, container, err)
	}
	return string(data)
}

// waitLogs waits until a container's log is want (a process writes it some time
// after it is Running) and returns the last log read.
func (h *harness) waitLogs(pod *corev1.Pod, container, want string) string {
	h.t.Helper()
	var got string
	_ = wait.PollUntilContextTimeout(h.ctx, 100*time.Millisecond, waitTimeout, true, func(context.Context) (bool, error) {
		got = h.logs(pod, container, api.ContainerLogOpts{})
		return got == want, nil
	})
	return got
}

// findAgnhost is $STRATA_AGNHOST or the agnhost hack/kube-binaries.sh builds.
func findAgnhost(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("STRATA_AGNHOST"); p != "" {
		return p
	}
	dir, _ := os.Getwd()
	for ; dir != "/"; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "_output/bin/kube-*/agnhost"))
	if len(matches) == 0 {
		t.Fatalf("no agnhost binary: run hack/kube-binaries.sh (it builds _output/bin/kube-*/agnhost) or set STRATA_AGNHOST")
	}
	return matches[len(matches)-1]
}
