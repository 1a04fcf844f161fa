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

package framework

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Timeouts of the local cluster's life cycle.
const (
	LocalClusterUpTimeout   = 10 * time.Minute
	LocalClusterDownTimeout = 3 * time.Minute
)

// LocalClusterNodes is the number of worker nodes the e2e suites bring up
// (hack/local-cluster.sh --nodes).
const LocalClusterNodes = 2

// localClusterPortOffsets are the ports of hack/local-cluster.sh, relative to
// --port-base.
var localClusterPortOffsets = map[string]int{
	"etcd": 0, "etcd-peer": 1, "strata-apiserver-etcd": 2, "kube-apiserver": 43,
	"strata-apiserver": 49, "kube-controller-manager": 57, "kube-scheduler": 59,
	"kubelet-worker1": 61, "kubelet-worker2": 62,
	"strata-agent-worker1": 71, "strata-agent-worker2": 72,
}

// LocalCluster is a cluster of hack/local-cluster.sh in a temporary directory,
// on a block of free loopback ports.
type LocalCluster struct {
	Root       string // module root
	Dir        string // hack/local-cluster.sh --dir
	Kubeconfig string // admin kubeconfig
	PortBase   int
	Nodes      int
	// APIServerReplicas and EtcdMembers are hack/local-cluster.sh's
	// --apiserver-replicas and --etcd-members; 0 leaves the script's defaults (one
	// strata-apiserver on its embedded etcd).
	APIServerReplicas int
	EtcdMembers       int

	parent string // temporary directory holding Dir
}

// reaperPipes are the write ends of the reapers' pipes, kept open (never
// written) for the life of this process: package-level so that no finalizer
// closes one early.
var reaperPipes []*os.File

// NewLocalCluster checks the prerequisites (kubectl in PATH, the cached
// Kubernetes binaries) and picks a temporary directory for a cluster of
// LocalClusterNodes worker nodes; name goes into the directory's name.
func NewLocalCluster(name string) (*LocalCluster, error) {
	root, err := ModuleRoot()
	if err != nil {
		return nil, err
	}
	if _, err := exec.LookPath("kubectl"); err != nil {
		return nil, errors.New("kubectl is not in PATH; these tests drive the real, preinstalled kubectl")
	}
	if err := CheckKubeBinaries(root); err != nil {
		return nil, err
	}
	parent, err := os.MkdirTemp("", "strata-e2e-"+name+"-")
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(parent, "cluster")
	return &LocalCluster{Root: root, Dir: dir, Kubeconfig: filepath.Join(dir, "kubeconfig"),
		Nodes: LocalClusterNodes, parent: parent}, nil
}

// StrataPort is strata-apiserver's port on 127.0.0.1.
func (c *LocalCluster) StrataPort() int {
	return c.PortBase + localClusterPortOffsets["strata-apiserver"]
}

// AgentPort is the port of worker node k's agent server (1-based) on 127.0.0.1.
func (c *LocalCluster) AgentPort(k int) int {
	return c.PortBase + 70 + k
}

// NodeDir is the directory of worker node k (1-based): its log/np.log, its
// run/br-int.mgmt.
func (c *LocalCluster) NodeDir(k int) string {
	return filepath.Join(c.Dir, "nodes", strconv.Itoa(k))
}

// Script runs hack/local-cluster.sh with ARGS and returns its combined output.
func (c *LocalCluster) Script(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(c.Root, "hack", "local-cluster.sh"), args...)
	cmd.Dir = c.Root
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 10 * time.Second
	err := cmd.Run()
	return out.String(), err
}

// CheckKubeBinaries fails, saying how to fix it, when hack/kube-binaries.sh has
// not built the control-plane binaries (CI builds them before `make test`).
func CheckKubeBinaries(root string) error {
	script := filepath.Join(root, "hack", "kube-binaries.sh")
	var missing []string
	for _, d := range []struct{ flag, names string }{
		{"--print-etcd-dir", "etcd"},
		{"--print-dir", "kube-apiserver kube-controller-manager kube-scheduler"},
		{"--print-coredns-dir", "coredns"},
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

// Up brings the cluster up on the first block of free ports, moving on when
// another program grabbed one of them between the check and the start.
func (c *LocalCluster) Up() error {
	start := 26000 + 100*(os.Getpid()%50)
	var lastErr error
	for attempt := 0; attempt < 8; attempt++ {
		base := start + 100*attempt
		if base > 31900 {
			base -= 5900
		}
		if !portsFree(base, c.extraPortOffsets()) {
			continue
		}
		c.PortBase = base
		ctx, cancel := context.WithTimeout(context.Background(), LocalClusterUpTimeout)
		began := time.Now()
		out, err := c.Script(ctx, c.upArgs(base)...)
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

// upArgs are the arguments of `hack/local-cluster.sh up` on the ports from base.
func (c *LocalCluster) upArgs(base int) []string {
	args := []string{"up", "--dir", c.Dir, "--port-base", strconv.Itoa(base),
		"--nodes", strconv.Itoa(c.Nodes), "--skip-kube-build"}
	if c.APIServerReplicas > 0 {
		args = append(args, "--apiserver-replicas", strconv.Itoa(c.APIServerReplicas))
	}
	if c.EtcdMembers > 0 {
		args = append(args, "--etcd-members", strconv.Itoa(c.EtcdMembers))
	}
	return args
}

// extraPortOffsets are the ports of the etcd members (client, peer) and of the
// replicas beyond the first (hack/local-cluster/replicas.sh).
func (c *LocalCluster) extraPortOffsets() []int {
	var offs []int
	for m := 1; m <= c.EtcdMembers; m++ {
		offs = append(offs, 3+2*(m-1), 4+2*(m-1))
	}
	if c.APIServerReplicas > 1 {
		for r := 1; r <= c.APIServerReplicas; r++ {
			offs = append(offs, localClusterPortOffsets["strata-apiserver"]+r)
		}
	}
	return offs
}

// ReplicaPort is the port of strata-apiserver replica r (1-based) on 127.0.0.1.
func (c *LocalCluster) ReplicaPort(r int) int {
	if c.APIServerReplicas <= 1 {
		return c.StrataPort()
	}
	return c.StrataPort() + r
}

// EtcdClientPort is the client port of member m (1-based) of strata-apiserver's etcd
// cluster on 127.0.0.1 (--etcd-members).
func (c *LocalCluster) EtcdClientPort(m int) int {
	return c.PortBase + 3 + 2*(m-1)
}

func portsFree(base int, extra []int) bool {
	offsets := slices.Collect(maps.Values(localClusterPortOffsets))
	for _, off := range append(offsets, extra...) {
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(base+off))
		if err != nil {
			return false
		}
		l.Close()
	}
	return true
}

// Down takes the cluster down, printing what hack/local-cluster.sh says.
func (c *LocalCluster) Down() {
	ctx, cancel := context.WithTimeout(context.Background(), LocalClusterDownTimeout)
	defer cancel()
	out, err := c.Script(ctx, "down", "--dir", c.Dir)
	fmt.Fprintf(os.Stderr, "hack/local-cluster.sh down:\n%s\n", out)
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: hack/local-cluster.sh down: %v\n", err)
	}
}

// StartReaper starts a process, in its own session, that runs `down` once this
// test process is gone however it ended (a panic or the go test timeout skip
// TestMain's deferred Down): it blocks reading a pipe whose only writer is this
// process, then removes the temporary directory.
func (c *LocalCluster) StartReaper() error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	const script = `cat >/dev/null
[ -e "$1/local-cluster.env" ] || { rm -rf "$3"; exit 0; }
"$2" down --dir "$1" >"$3/reaper.log" 2>&1 && rm -rf "$3"`
	cmd := exec.Command("bash", "-c", script, "reaper", c.Dir, filepath.Join(c.Root, "hack", "local-cluster.sh"), c.parent)
	cmd.Stdin = r
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting the clean-up process: %w", err)
	}
	r.Close()
	reaperPipes = append(reaperPipes, w)
	go func() { _ = cmd.Wait() }()
	return nil
}

// DumpLogs prints the end of every component's log.
func (c *LocalCluster) DumpLogs() {
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

// KeepLogs copies the cluster's logs (components, supervisor, nodes' agents and
// OVS) into a new directory under the system's temporary directory, which
// outlives the cluster, and returns its path.
func (c *LocalCluster) KeepLogs(name string) (string, error) {
	dst, err := os.MkdirTemp("", "strata-e2e-logs-"+name+"-")
	if err != nil {
		return "", err
	}
	files, _ := filepath.Glob(filepath.Join(c.Dir, "logs", "*.log"))
	nodeLogs, _ := filepath.Glob(filepath.Join(c.Dir, "nodes", "*", "log", "*"))
	for _, f := range append(files, nodeLogs...) {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		rel, _ := filepath.Rel(c.Dir, f)
		out := filepath.Join(dst, strings.ReplaceAll(rel, string(filepath.Separator), "_"))
		if err := os.WriteFile(out, data, 0o600); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

// TestingM is the part of *testing.M that RunWithLocalCluster needs.
type TestingM interface{ Run() int }

// RunWithLocalCluster is the body of a TestMain: it brings up a fresh local
// cluster, hands it to use, runs the tests and always takes the cluster down
// again (a reaper does it when the process dies early); the logs are dumped
// when bringing it up or a test fails. It returns the exit code for os.Exit.
func RunWithLocalCluster(m TestingM, name string, use func(*LocalCluster)) int {
	return RunWithLocalClusterShape(m, name, 0, 0, use)
}

// RunWithLocalClusterShape is RunWithLocalCluster with strata-apiserver's
// replicas and etcd members (hack/local-cluster.sh --apiserver-replicas,
// --etcd-members; 0: the script's default).
func RunWithLocalClusterShape(m TestingM, name string, replicas, etcdMembers int, use func(*LocalCluster)) int {
	c, err := NewLocalCluster(name)
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: %s e2e: %v\n", name, err)
		return 1
	}
	c.APIServerReplicas, c.EtcdMembers = replicas, etcdMembers
	defer os.RemoveAll(c.parent)
	if err := c.StartReaper(); err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: %s e2e: %v\n", name, err)
		return 1
	}
	defer c.Down()

	if err := c.Up(); err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: %s e2e: %v\n", name, err)
		c.DumpLogs()
		return 1
	}
	use(c)
	code := m.Run()
	if code != 0 {
		c.DumpLogs()
	}
	return code
}

// ComponentPID is the PID of a running component of the cluster (its DIR/run/NAME.pid,
// written by its supervisor), or an error when it is not running.
func (c *LocalCluster) ComponentPID(name string) (int, error) {
	data, err := os.ReadFile(filepath.Join(c.Dir, "run", name+".pid"))
	if err != nil {
		return 0, fmt.Errorf("%s is not running: %w", name, err)
	}
	fields := strings.Fields(string(data))
	if len(fields) == 0 {
		return 0, fmt.Errorf("%s: empty PID file", name)
	}
	pid, err := strconv.Atoi(fields[0])
	if err != nil {
		return 0, fmt.Errorf("%s: PID file %q: %w", name, data, err)
	}
	return pid, nil
}

// KillComponent sends SIGKILL to a running component (a crash); its supervisor
// starts it again after its back-off. It returns the PID it killed.
func (c *LocalCluster) KillComponent(name string) (int, error) {
	pid, err := c.ComponentPID(name)
	if err != nil {
		return 0, err
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		return 0, fmt.Errorf("kill -9 %s (pid %d): %w", name, pid, err)
	}
	return pid, nil
}
