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

package cniserver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/containernetworking/cni/libcni"
	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/strata-net/strata/cni/plugin"
	"github.com/strata-net/strata/nodeagent/ovs/openflow"
	"github.com/strata-net/strata/nodeagent/ovs/ovsdb"
	"github.com/strata-net/strata/nodeagent/ovs/ovstest"
	"github.com/strata-net/strata/nodeagent/pipeline"
	"github.com/strata-net/strata/nodeagent/podsync"
)

// The Node network of the tests (inside namespaces the tests create).
const (
	testPodCIDR = "10.88.1.0/24"
	testGateway = "10.88.1.1"
	testNetwork = "strata"
)

// plugin binary, built once per test binary into pluginDir.
var (
	pluginDir  string
	pluginOnce sync.Once
	pluginPath string
	pluginErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if pluginDir != "" {
		_ = os.RemoveAll(pluginDir)
	}
	os.Exit(code)
}

// pluginBinary builds cmd/strata-cni with the go tool running the tests.
func pluginBinary(t testing.TB) string {
	t.Helper()
	pluginOnce.Do(func() {
		if pluginDir, pluginErr = os.MkdirTemp("", "strata-cni-bin-"); pluginErr != nil {
			return
		}
		pluginPath = filepath.Join(pluginDir, "strata-cni")
		goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, goTool, "build", "-o", pluginPath, "github.com/strata-net/strata/cmd/strata-cni").CombinedOutput()
		if err != nil {
			pluginErr = fmt.Errorf("go build cmd/strata-cni: %w: %s", err, out)
		}
	})
	require.NoError(t, pluginErr)
	return pluginPath
}

// testNode is a private OVS with a bridge driven by a real pipeline (OpenFlow
// client) and podsync, and a CNI server on its own socket, IPAM directory and
// CNI directories (strata-cni installed there).
type testNode struct {
	t        testing.TB
	ctx      context.Context
	ovs      *ovstest.Instance
	bridge   string
	db       *ovsdb.Client
	srv      *Server
	syncer   *flakySyncer
	ready    atomic.Bool
	dir      string
	socket   string
	ipamDir  string
	hostNS   string // path
	binDir   string
	confPath string
	cacheDir string
}

type nodeOptions struct {
	notReady     bool
	readyTimeout time.Duration
}

func startNode(t testing.TB, opts nodeOptions) *testNode {
	t.Helper()
	ovstest.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	t.Cleanup(cancel)
	n := &testNode{t: t, ctx: ctx, ovs: ovstest.StartOVS(t), bridge: ovstest.UniqueName("br")}
	n.ready.Store(!opts.notReady)
	mgmt, err := n.ovs.AddBridge(n.bridge)
	require.NoError(t, err)
	n.hostNS = filepath.Join("/run/netns", n.ovs.NetNS())
	n.db, err = ovsdb.Connect(ctx, n.ovs.DBSocket())
	require.NoError(t, err)
	t.Cleanup(func() { _ = n.db.Close() })
	require.NoError(t, pipeline.NameTables(ctx, n.db, n.bridge))
	n.syncer = &flakySyncer{inner: n.startPipeline(mgmt)}
	// A short directory: unix socket paths are limited to 108 bytes.
	n.dir, err = os.MkdirTemp("", "cnis-")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(n.dir) })
	n.socket, n.ipamDir = filepath.Join(n.dir, "cni.sock"), filepath.Join(n.dir, "ipam")
	n.binDir, n.cacheDir = filepath.Join(n.dir, "bin"), filepath.Join(n.dir, "cache")
	nw, err := ParseNodeNetwork([]string{testPodCIDR}, 0)
	require.NoError(t, err)
	n.srv, err = New(Config{SocketPath: n.socket, HostNetNS: n.hostNS, Bridge: n.bridge, OVSDB: n.db, Pods: n.syncer,
		Network: StaticNetwork(nw), Ready: n.ready.Load, ReadyTimeout: opts.readyTimeout, IPAMDataDir: n.ipamDir})
	require.NoError(t, err)
	n.runServer()
	_, n.confPath, err = Install(InstallConfig{PluginBinary: pluginBinary(t), BinDir: n.binDir,
		ConfDir: filepath.Join(n.dir, "net.d"), AgentSocket: n.socket, NetworkName: testNetwork})
	require.NoError(t, err)
	return n
}

// startPipeline runs an OpenFlow client whose connection replays a pipeline,
// and returns a podsync.Syncer feeding the pipeline's Pod flows.
func (n *testNode) startPipeline(mgmt string) *podsync.Syncer {
	t := n.t
	var pl *pipeline.Pipeline
	of, err := openflow.NewClient(openflow.ClientConfig{
		Conn: openflow.Config{Addr: "unix:" + mgmt, PacketInQueue: 256},
		OnConnect: func(ctx context.Context, c *openflow.Conn, reconnect bool) error {
			return pl.OnConnect(ctx, c, reconnect)
		},
		MaxBackoff: 500 * time.Millisecond,
	})
	require.NoError(t, err)
	pl, err = pipeline.New(pipeline.Config{Switch: of, Round: 1, PacketInRate: 100})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(n.ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = of.Run(ctx)
	}()
	t.Cleanup(func() { cancel(); <-done })
	_, err = of.Conn(n.ctx)
	require.NoError(t, err)
	syncer, err := podsync.New(podsync.Config{OVSDB: n.db, Bridge: n.bridge, Pods: pl.Pods()})
	require.NoError(t, err)
	return syncer
}

// flakySyncer fails the next failures Syncs.
type flakySyncer struct {
	inner    PortSyncer
	failures atomic.Int32
}

func (f *flakySyncer) Sync(ctx context.Context) error {
	if f.failures.Add(-1) >= 0 {
		return errors.New("injected Sync failure")
	}
	f.failures.Store(0)
	return f.inner.Sync(ctx)
}

// runServer serves the socket until the test ends.
func (n *testNode) runServer() {
	t := n.t
	ctx, cancel := context.WithCancel(n.ctx)
	done := make(chan error, 1)
	go func() { done <- n.srv.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("CNI server: %v", err)
		}
	})
	n.poll("the CNI server to listen on "+n.socket, 30*time.Second, func() error {
		c, err := net.Dial("unix", n.socket)
		if err == nil {
			c.Close()
		}
		return err
	})
}

// poll waits for cond to succeed.
func (n *testNode) poll(what string, timeout time.Duration, cond func() error) {
	n.t.Helper()
	var last error
	err := wait.PollUntilContextTimeout(n.ctx, 20*time.Millisecond, timeout, true, func(context.Context) (bool, error) {
		last = cond()
		return last == nil, nil
	})
	if err != nil {
		n.t.Fatalf("waiting %s for %s: %v", timeout, what, last)
	}
}

// testPod is a network namespace standing for a Pod sandbox.
type testPod struct {
	name, namespace string
	containerID     string
	netnsPath       string
	netns           ns.NetNS // nil for a made-up path
}

func (n *testNode) newPod(name string) *testPod {
	n.t.Helper()
	netns, err := testutils.NewNS()
	require.NoError(n.t, err)
	p := &testPod{name: name, namespace: "default", containerID: randomID(), netnsPath: netns.Path(), netns: netns}
	n.t.Cleanup(func() { p.removeNetNS() })
	return p
}

// removeNetNS deletes the Pod's netns (as a runtime does when the sandbox goes).
func (p *testPod) removeNetNS() {
	if p.netns != nil {
		_ = p.netns.Close()
		_ = testutils.UnmountNS(p.netns)
	}
}

// ovsPod wraps the Pod for ovstest's traffic helpers.
func (p *testPod) ovsPod() *ovstest.Pod {
	return &ovstest.Pod{Name: p.name, NetNS: filepath.Base(p.netnsPath), IfName: "eth0"}
}

func randomID() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// --- the runtime's way: libcni with the installed plugin and config list ---

func (n *testNode) libcni() (*libcni.CNIConfig, *libcni.NetworkConfigList) {
	n.t.Helper()
	list, err := libcni.ConfListFromFile(n.confPath)
	require.NoError(n.t, err)
	return libcni.NewCNIConfigWithCacheDir([]string{n.binDir}, n.cacheDir, nil), list
}

func (p *testPod) runtimeConf() *libcni.RuntimeConf {
	return &libcni.RuntimeConf{ContainerID: p.containerID, NetNS: p.netnsPath, IfName: "eth0",
		Args: [][2]string{{"IgnoreUnknown", "1"}, {"K8S_POD_NAMESPACE", p.namespace}, {"K8S_POD_NAME", p.name},
			{"K8S_POD_INFRA_CONTAINER_ID", p.containerID}}}
}

func (n *testNode) runtimeAdd(p *testPod) (*current.Result, error) {
	cfg, list := n.libcni()
	res, err := cfg.AddNetworkList(n.ctx, list, p.runtimeConf())
	if err != nil {
		return nil, err
	}
	return current.NewResultFromResult(res)
}

func (n *testNode) runtimeCheck(p *testPod) error {
	cfg, list := n.libcni()
	return cfg.CheckNetworkList(n.ctx, list, p.runtimeConf())
}

func (n *testNode) runtimeDel(p *testPod) error {
	cfg, list := n.libcni()
	return cfg.DelNetworkList(n.ctx, list, p.runtimeConf())
}

// --- the plugin's functions driven through containernetworking's testutils ---

// pluginConf is the network config the plugin reads on stdin; prevResult is
// added for CHECK.
func (n *testNode) pluginConf(prev *current.Result) []byte {
	conf := map[string]any{"cniVersion": "1.0.0", "name": testNetwork, "type": "strata", "agentSocket": n.socket,
		"ipam": map[string]string{"type": "host-local"}}
	if prev != nil {
		conf["prevResult"] = prev
	}
	b, err := json.Marshal(conf)
	require.NoError(n.t, err)
	return b
}

func (n *testNode) cmdArgs(p *testPod, prev *current.Result) *skel.CmdArgs {
	return &skel.CmdArgs{ContainerID: p.containerID, Netns: p.netnsPath, IfName: "eth0",
		Args: fmt.Sprintf("IgnoreUnknown=1;K8S_POD_NAMESPACE=%s;K8S_POD_NAME=%s", p.namespace, p.name),
		Path: n.binDir, StdinData: n.pluginConf(prev)}
}

func (n *testNode) pluginAdd(p *testPod) (*current.Result, error) {
	args := n.cmdArgs(p, nil)
	res, _, err := testutils.CmdAddWithArgs(args, func() error { return plugin.Add(args) })
	if err != nil {
		return nil, err
	}
	return current.NewResultFromResult(res)
}

func (n *testNode) pluginCheck(p *testPod, prev *current.Result) error {
	args := n.cmdArgs(p, prev)
	return testutils.CmdCheckWithArgs(args, func() error { return plugin.Check(args) })
}

func (n *testNode) pluginDel(p *testPod) error {
	args := n.cmdArgs(p, nil)
	return testutils.CmdDelWithArgs(args, func() error { return plugin.Del(args) })
}

// cniCode returns the CNI error code of err (0 if it carries none).
func cniCode(err error) uint {
	var e *types.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}

// --- what is left on the node ---

// leftovers lists address files, Pod ports and host veths.
func (n *testNode) leftovers() (ips, ports, veths []string) {
	n.t.Helper()
	ips, err := openStoreList(n.ipamDir, testNetwork)
	if !errors.Is(err, os.ErrNotExist) {
		require.NoError(n.t, err)
	}
	list, err := n.db.ListPorts(n.ctx, ovsdb.PortFilter{Bridge: n.bridge})
	require.NoError(n.t, err)
	for _, p := range list {
		if p.Name != n.bridge {
			ports = append(ports, p.Name)
		}
	}
	out, err := exec.Command("ip", "-n", n.ovs.NetNS(), "-o", "link", "show", "type", "veth").CombinedOutput()
	require.NoError(n.t, err, string(out))
	return ips, ports, vethNames(string(out))
}

// vethNames returns the names in `ip -o link show` output: the second field of the
// lines that start with a link index ("3: name@if2: ..."). Other lines are notes,
// such as the one whose second word is "Peer" seen in CI while a peer's namespace
// was being removed.
func vethNames(out string) []string {
	var names []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || !isLinkIndex(f[0]) {
			continue
		}
		names = append(names, strings.TrimSuffix(strings.Split(f[1], "@")[0], ":"))
	}
	return names
}

// isLinkIndex tells whether a field is a link index followed by a colon.
func isLinkIndex(field string) bool {
	n, ok := strings.CutSuffix(field, ":")
	if !ok || n == "" {
		return false
	}
	for _, r := range n {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func (n *testNode) requireClean() {
	n.t.Helper()
	ips, ports, veths := n.leftovers()
	require.Empty(n.t, ips, "address files left")
	require.Empty(n.t, ports, "OVS ports left")
	require.Empty(n.t, veths, "host veths left")
}

// flows dumps the bridge's flows.
func (n *testNode) flows() string {
	n.t.Helper()
	out, err := n.ovs.OFCtl("-O", "OpenFlow15", "dump-flows", n.bridge)
	require.NoError(n.t, err)
	return out
}

// inPod runs a command in the Pod's netns.
func inPod(p *testPod, argv ...string) (string, error) {
	out, err := exec.Command("ip", append([]string{"netns", "exec", filepath.Base(p.netnsPath)}, argv...)...).CombinedOutput()
	return string(out), err
}
