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

// Package localcluster is the end-to-end test of Strata on the local cluster of
// hack/local-cluster.sh: real etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler and strata-apiserver behind its APIServices, driven with the real
// kubectl. TestMain brings up a fresh cluster on free ports in a temporary directory
// and always takes it down again, also when a test fails, panics or times out.
package localcluster

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
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/strata-net/strata/test/e2e/framework"
)

// Timeouts of the cluster's life cycle.
const (
	upTimeout   = 10 * time.Minute
	downTimeout = 3 * time.Minute
)

// cluster is the local cluster the tests run against.
type cluster struct {
	Root       string // module root
	Dir        string // hack/local-cluster.sh --dir
	Kubeconfig string // admin kubeconfig
	PortBase   int
}

// Port offsets of hack/local-cluster.sh, relative to --port-base.
var portOffsets = map[string]int{
	"etcd": 0, "etcd-peer": 1, "strata-apiserver-etcd": 2, "kube-apiserver": 43,
	"strata-apiserver": 49, "kube-controller-manager": 57, "kube-scheduler": 59,
	"kubelet-worker1": 61, "kubelet-worker2": 62,
}

// nodes is the number of worker nodes (hack/local-cluster.sh --nodes).
const nodes = 2

// StrataPort is strata-apiserver's port on 127.0.0.1.
func (c *cluster) StrataPort() int { return c.PortBase + portOffsets["strata-apiserver"] }

// Script runs hack/local-cluster.sh with ARGS and returns its combined output.
func (c *cluster) Script(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(c.Root, "hack", "local-cluster.sh"), args...)
	cmd.Dir = c.Root
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 10 * time.Second
	err := cmd.Run()
	return out.String(), err
}

var lc *cluster

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	c, parent, err := prepare()
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: local-cluster e2e: %v\n", err)
		return 1
	}
	defer os.RemoveAll(parent)
	if err := startReaper(c, parent); err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: local-cluster e2e: %v\n", err)
		return 1
	}
	defer down(c)

	if err := up(c); err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: local-cluster e2e: %v\n", err)
		dumpLogs(c)
		return 1
	}
	lc = c
	code := m.Run()
	if code != 0 {
		dumpLogs(c)
	}
	return code
}

// prepare checks the prerequisites and picks a directory and ports for the cluster.
func prepare() (*cluster, string, error) {
	root, err := framework.ModuleRoot()
	if err != nil {
		return nil, "", err
	}
	if _, err := exec.LookPath("kubectl"); err != nil {
		return nil, "", errors.New("kubectl is not in PATH; these tests drive the real, preinstalled kubectl")
	}
	if err := checkKubeBinaries(root); err != nil {
		return nil, "", err
	}
	parent, err := os.MkdirTemp("", "strata-e2e-localcluster-")
	if err != nil {
		return nil, "", err
	}
	dir := filepath.Join(parent, "cluster")
	return &cluster{Root: root, Dir: dir, Kubeconfig: filepath.Join(dir, "kubeconfig")}, parent, nil
}

// checkKubeBinaries fails, saying how to fix it, when hack/kube-binaries.sh has not
// built the control-plane binaries (CI builds them before `make test`).
func checkKubeBinaries(root string) error {
	script := filepath.Join(root, "hack", "kube-binaries.sh")
	var missing []string
	for _, d := range []struct{ flag, names string }{
		{"--print-etcd-dir", "etcd"},
		{"--print-dir", "kube-apiserver kube-controller-manager kube-scheduler"},
	} {
		out, err := exec.Command(script, d.flag).Output()
		if err != nil {
			return fmt.Errorf("%s %s: %w", script, d.flag, err)
		}
		for _, name := range strings.Fields(d.names) {
			path := filepath.Join(strings.TrimSpace(string(out)), name)
			if st, err := os.Stat(path); err != nil || st.Mode()&0o111 == 0 {
				missing = append(missing, path)
			}
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("the Kubernetes control-plane binaries are missing (%s): run hack/kube-binaries.sh first "+
			"(it builds and caches them; a cold build takes 15-36 minutes), or `make test`, which runs it", strings.Join(missing, ", "))
	}
	return nil
}

// up brings the cluster up on the first block of free ports, moving on when another
// program grabbed one of them between the check and the start.
func up(c *cluster) error {
	start := 26000 + 100*(os.Getpid()%50)
	var lastErr error
	for attempt := 0; attempt < 8; attempt++ {
		base := start + 100*attempt
		if base > 31900 {
			base -= 5900
		}
		if !portsFree(base) {
			continue
		}
		c.PortBase = base
		ctx, cancel := context.WithTimeout(context.Background(), upTimeout)
		began := time.Now()
		out, err := c.Script(ctx, "up", "--dir", c.Dir, "--port-base", strconv.Itoa(base),
			"--nodes", strconv.Itoa(nodes), "--skip-kube-build")
		cancel()
		fmt.Fprintf(os.Stderr, "hack/local-cluster.sh up --port-base %d (%s):\n%s\n", base, time.Since(began).Round(time.Millisecond), out)
		if err == nil {
			return nil
		}
		lastErr = fmt.Errorf("hack/local-cluster.sh up: %w", err)
		if !strings.Contains(out, "ports needed by the local cluster are taken") {
			return lastErr
		}
		// Lost a race for a port: clean up and try the next block.
		if out, err := c.Script(context.Background(), "down", "--dir", c.Dir); err != nil {
			return fmt.Errorf("%v; then down: %v\n%s", lastErr, err, out)
		}
	}
	if lastErr == nil {
		lastErr = errors.New("no block of free ports found in 26000-31999")
	}
	return lastErr
}

func portsFree(base int) bool {
	for _, off := range portOffsets {
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(base+off))
		if err != nil {
			return false
		}
		l.Close()
	}
	return true
}

func down(c *cluster) {
	ctx, cancel := context.WithTimeout(context.Background(), downTimeout)
	defer cancel()
	out, err := c.Script(ctx, "down", "--dir", c.Dir)
	fmt.Fprintf(os.Stderr, "hack/local-cluster.sh down:\n%s\n", out)
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: hack/local-cluster.sh down: %v\n", err)
	}
}

// startReaper starts a process, in its own session, that runs `down` once this test
// process is gone however it ended (a panic or the go test timeout skip TestMain's
// deferred down): it blocks reading a pipe whose only writer is this process.
func startReaper(c *cluster, parent string) error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	const script = `cat >/dev/null
[ -e "$1/local-cluster.env" ] || { rm -rf "$3"; exit 0; }
"$2" down --dir "$1" >"$3/reaper.log" 2>&1 && rm -rf "$3"`
	cmd := exec.Command("bash", "-c", script, "reaper", c.Dir, filepath.Join(c.Root, "hack", "local-cluster.sh"), parent)
	cmd.Stdin = r
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting the clean-up process: %w", err)
	}
	r.Close()
	reaperPipe = w // kept open (never written) for the life of this process
	go func() { _ = cmd.Wait() }()
	return nil
}

var reaperPipe *os.File

// dumpLogs prints the end of every component's log.
func dumpLogs(c *cluster) {
	logs, _ := filepath.Glob(filepath.Join(c.Dir, "logs", "*.log"))
	for _, f := range logs {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
		if len(lines) > 40 {
			lines = lines[len(lines)-40:]
		}
		fmt.Fprintf(os.Stderr, "==== %s (last %d lines)\n%s\n", f, len(lines), strings.Join(lines, "\n"))
	}
}
