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
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/virtual-kubelet/virtual-kubelet/node"
	"github.com/virtual-kubelet/virtual-kubelet/node/nodeutil"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/remotecommand"
	utilexec "k8s.io/utils/exec"
)

// TestExecThroughKubeletAPI execs through client-go's SPDY executor against the
// node's kubelet API, with the parameters kube-apiserver sends a kubelet. Clients
// written against real kubelets (cyclonus, the network-policy-api conformance
// suite) ask for a TTY together with stderr, which a kubelet runs with the TTY
// alone.
func TestExecThroughKubeletAPI(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	pod := h.waitReady(h.create(newPod("exec-api", shellContainer("app", "exec sleep 600"))))
	api := h.kubeletAPI()

	cases := []struct {
		name             string
		tty, stderr      bool
		script           string
		wantOut, wantErr string
		wantCode         int
	}{{
		name: "tty and stderr: stderr goes to the tty", tty: true, stderr: true,
		script:  "test -t 1 && echo on-a-tty; echo to-stderr >&2",
		wantOut: "on-a-tty\r\nto-stderr\r\n",
	}, {
		name: "tty and stderr: exit status", tty: true, stderr: true,
		script:  "echo failing; exit 3",
		wantOut: "failing\r\n", wantCode: 3,
	}, {
		name: "tty without stderr", tty: true,
		script:  "test -t 1 && echo on-a-tty; echo to-stderr >&2; exit 4",
		wantOut: "on-a-tty\r\nto-stderr\r\n", wantCode: 4,
	}, {
		name: "no tty: stderr apart", stderr: true,
		script:  "test -t 1 || echo no-tty; echo to-stderr >&2; exit 2",
		wantOut: "no-tty\n", wantErr: "to-stderr\n", wantCode: 2,
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr syncBuffer
			opts := remotecommand.StreamOptions{Stdout: &stdout, Tty: tc.tty}
			if tc.stderr {
				opts.Stderr = &stderr
			}
			err := api.exec(h.ctx, pod, "app", []string{"sh", "-c", tc.script}, opts)
			if code := execExitStatus(t, err); code != tc.wantCode {
				t.Errorf("exit status %d, want %d", code, tc.wantCode)
			}
			if got := stdout.String(); got != tc.wantOut {
				t.Errorf("stdout %q, want %q", got, tc.wantOut)
			}
			if got := stderr.String(); got != tc.wantErr {
				t.Errorf("stderr %q, want %q", got, tc.wantErr)
			}
		})
	}
}

// execExitStatus is the exit status that err reports; any other error fails the test.
func execExitStatus(t *testing.T, err error) int {
	t.Helper()
	if err == nil {
		return 0
	}
	var exitErr utilexec.ExitError
	if !errors.As(err, &exitErr) {
		t.Fatalf("exec failed: %v", err)
	}
	return exitErr.ExitStatus()
}

// kubeletAPIServer is the node's kubelet API on loopback.
type kubeletAPIServer struct{ *httptest.Server }

// kubeletAPI serves the kubelet API of h's provider on loopback, wired as Run
// wires it (without the Node's registration: the client is a fake).
func (h *harness) kubeletAPI() kubeletAPIServer {
	h.t.Helper()
	mux := http.NewServeMux()
	var handler http.Handler
	_, err := nodeutil.NewNode(h.cfg.NodeName,
		func(nodeutil.ProviderConfig) (nodeutil.Provider, node.NodeProvider, error) { return h.p, nil, nil },
		nodeutil.WithClient(fake.NewClientset()),
		withKubeletAPI(mux),
		func(c *nodeutil.NodeConfig) error { handler = c.Handler; return nil },
	)
	if err != nil {
		h.t.Fatalf("creating the node: %v", err)
	}
	srv := httptest.NewServer(handler)
	h.t.Cleanup(srv.Close)
	return kubeletAPIServer{srv}
}

// exec runs cmd in a container through client-go's SPDY executor, with the
// query parameters kube-apiserver sends a kubelet for the streams in opts.
func (s kubeletAPIServer) exec(ctx context.Context, pod *corev1.Pod, container string, cmd []string, opts remotecommand.StreamOptions) error {
	q := url.Values{corev1.ExecCommandParam: cmd}
	for param, on := range map[string]bool{
		corev1.ExecStdinParam:  opts.Stdin != nil,
		corev1.ExecStdoutParam: opts.Stdout != nil,
		corev1.ExecStderrParam: opts.Stderr != nil,
		corev1.ExecTTYParam:    opts.Tty,
	} {
		if on {
			q.Set(param, "1")
		}
	}
	u, err := url.Parse(fmt.Sprintf("%s/exec/%s/%s/%s?%s", s.URL, pod.Namespace, pod.Name, container, q.Encode()))
	if err != nil {
		return fmt.Errorf("exec URL: %w", err)
	}
	executor, err := remotecommand.NewSPDYExecutor(&rest.Config{Host: s.URL}, http.MethodPost, u)
	if err != nil {
		return fmt.Errorf("SPDY executor for %s: %w", u, err)
	}
	ctx, cancel := context.WithTimeout(ctx, waitTimeout)
	defer cancel()
	err = executor.StreamWithContext(ctx, opts)
	if ctx.Err() != nil {
		return fmt.Errorf("exec %q: waited %s for its exit: %w", cmd, waitTimeout, err)
	}
	return err
}
