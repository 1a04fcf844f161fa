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
	"encoding/json"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/containernetworking/cni/pkg/invoke"
	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-net/strata/cni"
	"github.com/strata-net/strata/nodeagent/ovs/ovsdb"
	"github.com/strata-net/strata/nodeagent/ovs/ovstest"
	"github.com/strata-net/strata/nodeagent/podsync"
)

// TestRuntimeAddTwoPodsTalk attaches two Pods the way a container runtime does
// (libcni with the installed strata-cni binary and config list) and checks
// the result, the interfaces, the OVS port and flows, and real traffic
// through the pipeline; then CHECK, STATUS and DEL.
func TestRuntimeAddTwoPodsTalk(t *testing.T) {
	n := startNode(t, nodeOptions{})
	a, b := n.newPod("client"), n.newPod("server")
	resA, err := n.runtimeAdd(a)
	require.NoError(t, err)
	resB, err := n.runtimeAdd(b)
	require.NoError(t, err)
	ipA, ipB := n.checkResult(a, resA), n.checkResult(b, resB)
	assert.NotEqual(t, ipA, ipB)
	n.checkPort(a, resA)
	n.checkOffloadOff(a, resA)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	require.NoError(t, a.ovsPod().Ping(ctx, ipB), "ping through the pipeline's Pod flows")
	require.NoError(t, b.ovsPod().Ping(ctx, ipA))
	tcpEcho(ctx, t, b.ovsPod(), a.ovsPod(), net.JoinHostPort(ipB, "8080"))

	require.NoError(t, n.runtimeCheck(a))
	cfg, list := n.libcni()
	require.NoError(t, cfg.GetStatusNetworkList(n.ctx, list), "STATUS")

	macA := resA.Interfaces[contIfIndex].Mac
	require.Contains(t, n.flows(), macA, "Pod flows installed before ADD returned")
	require.NoError(t, n.runtimeDel(a))
	require.NoError(t, n.runtimeDel(b))
	assert.NotContains(t, n.flows(), macA, "Pod flows removed by DEL")
	n.requireClean()
	_, err = inPod(a, "ip", "link", "show", "eth0")
	assert.Error(t, err, "the container interface is gone")
}

// checkResult checks an ADD result and returns the Pod's IP.
func (n *testNode) checkResult(p *testPod, res *current.Result) string {
	t := n.t
	require.Len(t, res.Interfaces, 2)
	host, cont := res.Interfaces[hostIfIndex], res.Interfaces[contIfIndex]
	assert.Equal(t, HostVethName(p.name, p.containerID), host.Name)
	assert.Empty(t, host.Sandbox)
	assert.Equal(t, "eth0", cont.Name)
	assert.Equal(t, p.netnsPath, cont.Sandbox)
	require.Len(t, res.IPs, 1)
	ipc := res.IPs[0]
	require.NotNil(t, ipc.Interface)
	assert.Equal(t, contIfIndex, *ipc.Interface)
	_, cidr, _ := net.ParseCIDR(testPodCIDR)
	assert.True(t, cidr.Contains(ipc.Address.IP), "%s in %s", ipc.Address.IP, testPodCIDR)
	assert.Equal(t, 24, maskLen(ipc.Address.Mask))
	assert.NotEqual(t, testGateway, ipc.Address.IP.String(), "the gateway is never a Pod address")
	assert.Equal(t, testGateway, ipc.Gateway.String())
	require.Len(t, res.Routes, 1)
	assert.Equal(t, "0.0.0.0/0", res.Routes[0].Dst.String())
	assert.Equal(t, testGateway, res.Routes[0].GW.String())

	out, err := inPod(p, "ip", "-o", "addr", "show", "eth0")
	require.NoError(t, err, out)
	assert.Contains(t, out, ipc.Address.String())
	out, err = inPod(p, "ip", "-o", "link", "show", "eth0")
	require.NoError(t, err, out)
	assert.Contains(t, out, cont.Mac)
	assert.Contains(t, out, "state UP")
	out, err = inPod(p, "ip", "route", "show", "default")
	require.NoError(t, err, out)
	assert.Contains(t, out, "via "+testGateway+" dev eth0")
	return ipc.Address.IP.String()
}

func maskLen(m net.IPMask) int {
	ones, _ := m.Size()
	return ones
}

// checkPort checks the OVS port's external_ids and ofport.
func (n *testNode) checkPort(p *testPod, res *current.Result) {
	t := n.t
	name := res.Interfaces[hostIfIndex].Name
	ports, err := n.db.ListPorts(n.ctx, ovsdb.PortFilter{Bridge: n.bridge, Name: name})
	require.NoError(t, err)
	require.Len(t, ports, 1)
	assert.Positive(t, ports[0].OFPort)
	assert.Equal(t, map[string]string{
		podsync.KeyPodName: p.name, podsync.KeyPodNamespace: p.namespace, podsync.KeyContainerID: p.containerID,
		podsync.KeyPodIPs: res.IPs[0].Address.IP.String(), podsync.KeyNetNS: p.netnsPath,
		podsync.KeyMAC: res.Interfaces[contIfIndex].Mac, KeyIfName: "eth0", KeyNetwork: testNetwork,
	}, ports[0].ExternalIDs)
}

// checkOffloadOff checks transmit checksum offload on both veth ends.
func (n *testNode) checkOffloadOff(p *testPod, res *current.Result) {
	t := n.t
	out, err := inPod(p, "ethtool", "-k", "eth0")
	require.NoError(t, err, out)
	assert.Contains(t, out, "tx-checksumming: off")
	hostOut, err := exec.Command("ip", "netns", "exec", n.ovs.NetNS(), "ethtool", "-k", res.Interfaces[hostIfIndex].Name).CombinedOutput()
	require.NoError(t, err, string(hostOut))
	assert.Contains(t, string(hostOut), "tx-checksumming: off")
}

// tcpEcho sends a line from client to a server listening on addr.
func tcpEcho(ctx context.Context, t *testing.T, server, client *ovstest.Pod, addr string) {
	t.Helper()
	require.NoError(t, ovstest.TCPEcho(ctx, server, client, addr, 10*time.Second))
}

// TestAddDelCyclesLeakNothing runs 20 ADD/DEL cycles of one Pod name (new
// sandbox each time) through the plugin's functions.
func TestAddDelCyclesLeakNothing(t *testing.T) {
	n := startNode(t, nodeOptions{})
	seen := map[string]bool{}
	for i := 0; i < 20; i++ {
		p := n.newPod("cycler")
		res, err := n.pluginAdd(p)
		require.NoError(t, err, "cycle %d", i)
		seen[res.IPs[0].Address.IP.String()] = true
		ips, ports, veths := n.leftovers()
		require.Len(t, ips, 1, "cycle %d", i)
		require.Equal(t, []string{HostVethName(p.name, p.containerID)}, ports, "cycle %d", i)
		require.Equal(t, ports, veths, "cycle %d", i)
		require.NoError(t, n.pluginDel(p), "cycle %d", i)
		n.requireClean()
		p.removeNetNS()
	}
	assert.Greater(t, len(seen), 1, "host-local hands out addresses round-robin")
	assert.Equal(t, 0, n.srv.containers.size(), "no container lock left")
}

func TestDelIdempotent(t *testing.T) {
	n := startNode(t, nodeOptions{})
	tests := []struct {
		name string
		// before prepares the Pod and returns it.
		before func(t *testing.T) *testPod
		args   func(p *testPod) *testPod
	}{
		{name: "twice", before: func(t *testing.T) *testPod {
			p := n.newPod("twice")
			_, err := n.pluginAdd(p)
			require.NoError(t, err)
			require.NoError(t, n.pluginDel(p))
			return p
		}},
		{name: "unknown container", before: func(*testing.T) *testPod { return n.newPod("unknown") }},
		{name: "netns already gone", before: func(t *testing.T) *testPod {
			p := n.newPod("gone")
			_, err := n.pluginAdd(p)
			require.NoError(t, err)
			p.removeNetNS()
			return p
		}},
		{name: "added by the runtime, deleted without netns", before: func(t *testing.T) *testPod {
			p := n.newPod("nonetns")
			_, err := n.runtimeAdd(p)
			require.NoError(t, err)
			return p
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.before(t)
			require.NoError(t, n.pluginDel(p))
			require.NoError(t, n.pluginDel(p), "a repeated DEL")
			n.requireClean()
		})
	}
}

func TestCheck(t *testing.T) {
	n := startNode(t, nodeOptions{})
	tests := []struct {
		name string
		// break damages the attachment or the prevResult.
		brk      func(t *testing.T, p *testPod, prev *current.Result)
		wantCode uint
		wantMsg  string
	}{
		{name: "intact", brk: func(*testing.T, *testPod, *current.Result) {}},
		{name: "container interface removed", brk: func(t *testing.T, p *testPod, _ *current.Result) {
			out, err := inPod(p, "ip", "link", "del", "eth0")
			require.NoError(t, err, out)
		}, wantCode: cni.ErrCheckInterfaceFailure, wantMsg: "host end"},
		{name: "address removed", brk: func(t *testing.T, p *testPod, prev *current.Result) {
			out, err := inPod(p, "ip", "addr", "del", prev.IPs[0].Address.String(), "dev", "eth0")
			require.NoError(t, err, out)
		}, wantCode: cni.ErrCheckInterfaceFailure, wantMsg: "addr"},
		{name: "default route removed", brk: func(t *testing.T, p *testPod, _ *current.Result) {
			out, err := inPod(p, "ip", "route", "del", "default")
			require.NoError(t, err, out)
		}, wantCode: cni.ErrCheckInterfaceFailure, wantMsg: "Route"},
		{name: "prevResult with another MAC", brk: func(_ *testing.T, _ *testPod, prev *current.Result) {
			prev.Interfaces[contIfIndex].Mac = "02:00:00:00:00:99"
		}, wantCode: cni.ErrCheckInterfaceFailure, wantMsg: "attached-mac"},
		{name: "prevResult with another address", brk: func(_ *testing.T, _ *testPod, prev *current.Result) {
			prev.IPs[0].Address.IP = net.ParseIP("10.88.1.250").To4()
		}, wantCode: cni.ErrCheckInterfaceFailure, wantMsg: "pod-ips"},
		{name: "OVS port removed", brk: func(t *testing.T, _ *testPod, prev *current.Result) {
			_, err := n.ovs.VSCtl("del-port", n.bridge, prev.Interfaces[hostIfIndex].Name)
			require.NoError(t, err)
		}, wantCode: cni.ErrCheckInterfaceFailure, wantMsg: "0 OVS ports"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := n.newPod("checked")
			prev, err := n.pluginAdd(p)
			require.NoError(t, err)
			require.NoError(t, n.pluginCheck(p, prev), "CHECK right after ADD")
			tc.brk(t, p, prev)
			err = n.pluginCheck(p, prev)
			if tc.wantCode == 0 {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
				assert.Equal(t, tc.wantCode, cniCode(err), "%v", err)
				assert.Contains(t, err.Error(), tc.wantMsg)
			}
			require.NoError(t, n.pluginDel(p))
			n.requireClean()
		})
	}
}

func TestAddWaitsForReady(t *testing.T) {
	n := startNode(t, nodeOptions{notReady: true, readyTimeout: 300 * time.Millisecond})
	p := n.newPod("early")
	start := time.Now()
	_, err := n.runtimeAdd(p)
	require.Error(t, err)
	assert.Equal(t, types.ErrTryAgainLater, cniCode(err), "%v", err)
	assert.Contains(t, err.Error(), "first policy sync")
	assert.Less(t, time.Since(start), 5*time.Second, "answered after the bounded wait")
	n.requireClean()
	cfg, list := n.libcni()
	err = cfg.GetStatusNetworkList(n.ctx, list)
	assert.Equal(t, types.ErrPluginNotAvailable, cniCode(err), "STATUS before the first sync: %v", err)

	n.ready.Store(true)
	_, err = n.runtimeAdd(p)
	require.NoError(t, err, "the retry after the first sync")
	require.NoError(t, n.runtimeDel(p))
	n.requireClean()
}

// TestAddRetry: a repeated ADD of an intact attachment answers the same; a
// partial one is rebuilt with the same address.
func TestAddRetry(t *testing.T) {
	n := startNode(t, nodeOptions{})
	p := n.newPod("retried")
	first, err := n.pluginAdd(p)
	require.NoError(t, err)
	again, err := n.pluginAdd(p)
	require.NoError(t, err)
	assert.Equal(t, mustJSON(t, first), mustJSON(t, again), "same result for an intact attachment")

	_, err = n.ovs.VSCtl("del-port", n.bridge, first.Interfaces[hostIfIndex].Name)
	require.NoError(t, err)
	rebuilt, err := n.pluginAdd(p)
	require.NoError(t, err)
	assert.Equal(t, first.IPs[0].Address.String(), rebuilt.IPs[0].Address.String(), "the address is kept")
	require.NoError(t, n.pluginCheck(p, rebuilt))
	ips, ports, veths := n.leftovers()
	assert.Len(t, ips, 1)
	assert.Len(t, ports, 1)
	assert.Len(t, veths, 1)
	require.NoError(t, n.pluginDel(p))
	n.requireClean()
}

// TestAddRollsBack: an ADD failing after the address, veth and port exist
// (installing the flows fails) leaves nothing behind, and a retry works.
func TestAddRollsBack(t *testing.T) {
	n := startNode(t, nodeOptions{})
	p := n.newPod("doomed")
	n.syncer.failures.Store(1)
	_, err := n.pluginAdd(p)
	require.Error(t, err)
	assert.Equal(t, cni.ErrConfigInterfaceFailure, cniCode(err), "%v", err)
	assert.Contains(t, err.Error(), "installing the Pod flows")
	n.requireClean()
	_, err = inPod(p, "ip", "link", "show", "eth0")
	assert.Error(t, err, "no container interface")

	_, err = n.pluginAdd(p)
	require.NoError(t, err, "the runtime's retry")
	require.NoError(t, n.pluginDel(p))
	n.requireClean()
}

func TestReconcile(t *testing.T) {
	n := startNode(t, nodeOptions{})
	gone, kept, broken := n.newPod("gone"), n.newPod("kept"), n.newPod("broken")
	var results = map[*testPod]*current.Result{}
	for _, p := range []*testPod{gone, kept, broken} {
		res, err := n.pluginAdd(p)
		require.NoError(t, err)
		results[p] = res
	}
	// An address leaked by an ADD that never finished.
	nw, err := ParseNodeNetwork([]string{testPodCIDR}, 0)
	require.NoError(t, err)
	leaked, err := n.srv.ipam.allocate(testNetwork, "crashed-container", "eth0", nw.Subnets)
	require.NoError(t, err)
	// The broken Pod's host veth disappears (its interface is invalid now).
	out, err := exec.Command("ip", "-n", n.ovs.NetNS(), "link", "del", results[broken].Interfaces[hostIfIndex].Name).CombinedOutput()
	require.NoError(t, err, string(out))

	live := func(namespace, name string) bool { return name != "gone" }
	require.NoError(t, n.srv.Reconcile(n.ctx, live))

	ips, ports, veths := n.leftovers()
	keptHost := results[kept].Interfaces[hostIfIndex].Name
	assert.Equal(t, []string{keptHost}, ports)
	assert.Equal(t, []string{keptHost}, veths)
	assert.Equal(t, []string{results[kept].IPs[0].Address.IP.String()}, ips)
	assert.NotContains(t, ips, leaked[0].Address.IP.String())
	assert.NotContains(t, n.flows(), results[gone].Interfaces[contIfIndex].Mac, "the gone Pod's flows are removed")
	require.NoError(t, n.pluginCheck(kept, results[kept]), "the live Pod is untouched")

	require.NoError(t, n.srv.Reconcile(n.ctx, live), "reconciling again changes nothing")
	ips2, ports2, _ := n.leftovers()
	assert.Equal(t, ips, ips2)
	assert.Equal(t, ports, ports2)
}

// TestPluginWithoutAgent runs the binary with nobody on the socket.
func TestPluginWithoutAgent(t *testing.T) {
	dir := t.TempDir()
	bin, confPath, err := Install(InstallConfig{PluginBinary: pluginBinary(t), BinDir: dir + "/bin", ConfDir: dir + "/net.d",
		AgentSocket: dir + "/nobody.sock"})
	require.NoError(t, err)
	n := &testNode{t: t, ctx: context.Background(), binDir: dir + "/bin", confPath: confPath, cacheDir: dir + "/cache"}
	p := &testPod{name: "p", namespace: "default", containerID: randomID(), netnsPath: "/run/netns/none"}
	start := time.Now()
	_, err = n.runtimeAdd(p)
	assert.Equal(t, types.ErrTryAgainLater, cniCode(err), "%v", err)
	assert.Contains(t, err.Error(), "not reachable")
	assert.Less(t, time.Since(start), 10*time.Second)
	assert.Equal(t, types.ErrTryAgainLater, cniCode(n.runtimeDel(p)))
	cfg, list := n.libcni()
	assert.Equal(t, types.ErrPluginNotAvailable, cniCode(cfg.GetStatusNetworkList(context.Background(), list)))
	assert.FileExists(t, bin)
}

// TestPluginBadConf runs the binary on bad network configs: the error names
// the field, before any agent is asked.
func TestPluginBadConf(t *testing.T) {
	bin := pluginBinary(t)
	tests := []struct {
		name     string
		conf     string
		wantCode uint
		wantMsg  string
	}{
		{name: "missing name", conf: `{"cniVersion":"1.0.0","type":"strata"}`, wantCode: types.ErrInvalidNetworkConfig, wantMsg: "name"},
		{name: "wrong type", conf: `{"cniVersion":"1.0.0","name":"strata","type":"bridge"}`, wantCode: types.ErrInvalidNetworkConfig, wantMsg: "type:"},
		{name: "bad ipam type", conf: `{"cniVersion":"1.0.0","name":"strata","type":"strata","ipam":{"type":"dhcp"}}`, wantCode: types.ErrInvalidNetworkConfig, wantMsg: "ipam.type:"},
		{name: "ipam ranges", conf: `{"cniVersion":"1.0.0","name":"strata","type":"strata","ipam":{"type":"host-local","subnet":"10.0.0.0/24"}}`, wantCode: types.ErrInvalidNetworkConfig, wantMsg: "ipam.subnet:"},
		{name: "bad mtu", conf: `{"cniVersion":"1.0.0","name":"strata","type":"strata","mtu":1}`, wantCode: types.ErrInvalidNetworkConfig, wantMsg: "mtu:"},
		{name: "unsupported version", conf: `{"cniVersion":"7.0.0","name":"strata","type":"strata"}`, wantCode: types.ErrIncompatibleCNIVersion, wantMsg: "incompatible"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := &invoke.Args{Command: "ADD", ContainerID: randomID(), NetNS: "/run/netns/none", IfName: "eth0",
				PluginArgsStr: "K8S_POD_NAME=p;K8S_POD_NAMESPACE=default", Path: filepath.Dir(bin)}
			_, err := invoke.ExecPluginWithResult(context.Background(), bin, []byte(tc.conf), args, nil)
			require.Error(t, err)
			assert.Equal(t, tc.wantCode, cniCode(err), "%v", err)
			assert.Contains(t, err.Error(), tc.wantMsg)
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// TestConcurrentAddDel attaches and detaches ten Pods at once, as a runtime
// starting a ReplicationController does: distinct addresses, one port each,
// and nothing left after.
func TestConcurrentAddDel(t *testing.T) {
	n := startNode(t, nodeOptions{})
	pods := make([]*testPod, 10)
	for i := range pods {
		pods[i] = n.newPod(fmt.Sprintf("rc-%d", i))
	}
	results := make([]*current.Result, len(pods))
	errs := make(chan error, len(pods))
	for i, p := range pods {
		go func() {
			var err error
			results[i], err = n.runtimeAdd(p)
			errs <- err
		}()
	}
	for range pods {
		require.NoError(t, <-errs)
	}
	addrs := map[string]bool{}
	for _, res := range results {
		addrs[res.IPs[0].Address.IP.String()] = true
	}
	assert.Len(t, addrs, len(pods), "distinct addresses")
	ips, ports, veths := n.leftovers()
	assert.Len(t, ips, len(pods))
	assert.Len(t, ports, len(pods))
	assert.Len(t, veths, len(pods))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	require.NoError(t, pods[0].ovsPod().Ping(ctx, results[9].IPs[0].Address.IP.String()))

	for _, p := range pods {
		go func() { errs <- n.runtimeDel(p) }()
	}
	for range pods {
		require.NoError(t, <-errs)
	}
	n.requireClean()
}
