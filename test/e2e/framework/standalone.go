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

// Package framework runs the real binaries for the end-to-end tests: it builds
// strata-apiserver, starts it as a process and drives it with the real kubectl.
package framework

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
)

// Timeouts of the end-to-end steps.
const (
	ReadyTimeout   = 90 * time.Second
	CommandTimeout = 60 * time.Second
)

// BuildBinary builds a command of the module (e.g. ./cmd/strata-apiserver) into dir.
func BuildBinary(ctx context.Context, moduleRoot, pkg, dir string) (string, error) {
	out := filepath.Join(dir, filepath.Base(pkg))
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
	cmd.Dir = moduleRoot
	if output, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %w\n%s", pkg, err, output)
	}
	return out, nil
}

// ModuleRoot finds the directory of go.mod above the working directory.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// Standalone is a strata-apiserver process in standalone mode.
type Standalone struct {
	Kubeconfig string
	Port       int
	DataDir    string
	cmd        *exec.Cmd
	exited     chan error
	log        *bytes.Buffer
}

// StartStandalone starts the binary with --standalone on a free loopback port, waits
// until kubectl can list Tiers, and stops it (by PID) when the test ends.
func StartStandalone(t testing.TB, binary string, extraFlags ...string) *Standalone {
	t.Helper()
	s, err := startStandalone(binary, t.TempDir(), extraFlags...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("stopping strata-apiserver: %v", err)
		}
		if t.Failed() {
			t.Logf("strata-apiserver log (tail):\n%s", tail(s.log.Bytes(), 4000))
		}
	})
	return s
}

func startStandalone(binary, dir string, extraFlags ...string) (*Standalone, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &Standalone{Kubeconfig: filepath.Join(dir, "kubeconfig"), Port: port, DataDir: dir, exited: make(chan error, 1), log: &bytes.Buffer{}}
	args := append([]string{"--standalone", "--data-dir=" + dir, "--bind-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(port), "--write-kubeconfig=" + s.Kubeconfig}, extraFlags...)
	s.cmd = exec.Command(binary, args...)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", binary, err)
	}
	go func() { s.exited <- s.cmd.Wait() }()
	if err := s.waitReady(); err != nil {
		_ = s.Stop()
		return nil, fmt.Errorf("%w\nlog:\n%s", err, tail(s.log.Bytes(), 4000))
	}
	return s, nil
}

func (s *Standalone) waitReady() error {
	ctx, cancel := context.WithTimeout(context.Background(), ReadyTimeout)
	defer cancel()
	var last error
	err := wait.PollUntilContextCancel(ctx, 200*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		select {
		case err := <-s.exited:
			s.exited <- err
			return false, fmt.Errorf("strata-apiserver exited before it was ready: %v", err)
		default:
		}
		_, last = Kubectl(ctx, s.Kubeconfig, "get", "--raw", "/readyz")
		return last == nil, nil
	})
	if err != nil {
		return fmt.Errorf("waiting %s for strata-apiserver's /readyz: %w (last: %v)", ReadyTimeout, err, last)
	}
	return nil
}

// Stop sends SIGTERM to the process it started and waits for it to exit (SIGKILL
// after 30s).
func (s *Standalone) Stop() error {
	if s.cmd.Process == nil {
		return nil
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
		return nil
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
		return errors.New("strata-apiserver did not stop within 30s of SIGTERM; killed it")
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
