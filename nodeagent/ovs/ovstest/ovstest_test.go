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

package ovstest_test

import (
	"context"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-net/strata/nodeagent/ovs/ovstest"
)

// TestTwoPodsOnNormalBridge proves the harness end to end: two pods on one
// netdev bridge with a single NORMAL flow reach each other with ICMP and TCP
// (TCP would fail with TX checksum offload left on), and the teardown leaves
// no namespace or process behind.
func TestTwoPodsOnNormalBridge(t *testing.T) {
	ovstest.Require(t)
	var pids []int
	var namespaces []string
	var dir string
	t.Run("traffic", func(t *testing.T) {
		ovs := ovstest.StartOVS(t)
		pids, namespaces, dir = ovs.PIDs(), ovs.Namespaces(), ovs.RunDir()
		br := ovstest.UniqueName("br")
		_, err := ovs.AddBridge(br)
		require.NoError(t, err)
		pod1, err := ovs.AddPod(br, ovstest.PodConfig{Name: "pod1", IP: "10.77.0.11/24", MAC: "02:00:00:00:00:11", OFPort: 11})
		require.NoError(t, err)
		pod2, err := ovs.AddPod(br, ovstest.PodConfig{Name: "pod2", IP: "10.77.0.12/24", OFPort: 12})
		require.NoError(t, err)
		assert.Equal(t, int32(11), pod1.OFPort)
		assert.Equal(t, int32(12), pod2.OFPort)
		assert.Equal(t, "02:00:00:00:00:11", pod1.MAC)
		assert.LessOrEqual(t, len(pod1.HostIfName), 15)

		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		// fail_mode=secure: no flows, no traffic.
		assert.Error(t, pod1.Ping(ctxWithTimeout(t, 1500*time.Millisecond), "10.77.0.12"), "ping without flows")
		_, err = ovs.OFCtl("-O", "OpenFlow15", "add-flow", br, "priority=0,actions=NORMAL")
		require.NoError(t, err)
		require.NoError(t, pod1.Ping(ctx, "10.77.0.12"))
		require.NoError(t, pod2.Ping(ctx, "10.77.0.11"))
		assertTCPEcho(ctx, t, pod2, pod1, "10.77.0.12:8080")

		out, err := pod1.Exec(ctx, "ip", "-br", "addr", "show", "eth0")
		require.NoError(t, err)
		assert.Contains(t, out, "10.77.0.11/24")
		pids = append(pids, ovs.PIDs()...)
		namespaces = ovs.Namespaces()
	})
	require.Len(t, namespaces, 3, "vswitchd netns + 2 pods")
	for _, ns := range namespaces {
		assert.NoFileExists(t, "/run/netns/"+ns, "netns %s left behind", ns)
	}
	for _, pid := range pids {
		assert.NoDirExists(t, "/proc/"+strconv.Itoa(pid), "process %d left behind", pid)
	}
	assert.NoDirExists(t, dir)
}

func assertTCPEcho(ctx context.Context, t *testing.T, server, client *ovstest.Pod, addr string) {
	t.Helper()
	require.NoError(t, ovstest.TCPEcho(ctx, server, client, addr, 5*time.Second), "TCP echo (fails when TX checksum offload is on)")
}

func ctxWithTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// TestUniqueName checks generated names fit Linux interface names.
func TestUniqueName(t *testing.T) {
	tests := []struct {
		name   string
		prefix string
	}{
		{name: "short prefix", prefix: "br"},
		{name: "empty prefix", prefix: ""},
		{name: "long prefix truncated", prefix: "averyveryverylongprefix"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := ovstest.UniqueName(tc.prefix), ovstest.UniqueName(tc.prefix)
			assert.Len(t, a, 15)
			assert.NotEqual(t, a, b)
		})
	}
}

// TestRestartVSwitchd checks a restart keeps ports and their ofports and
// drops the flows, like a real OVS restart.
func TestRestartVSwitchd(t *testing.T) {
	ovs := ovstest.StartOVS(t)
	br := ovstest.UniqueName("br")
	mgmt, err := ovs.AddBridge(br)
	require.NoError(t, err)
	pod, err := ovs.AddPod(br, ovstest.PodConfig{Name: "p", IP: "10.78.0.1/24", OFPort: 7})
	require.NoError(t, err)
	_, err = ovs.OFCtl("-O", "OpenFlow15", "add-flow", br, "priority=0,actions=NORMAL")
	require.NoError(t, err)
	before := ovs.PIDs()

	require.NoError(t, ovs.RestartVSwitchd())

	after := ovs.PIDs()
	assert.Equal(t, before[0], after[0], "ovsdb-server untouched")
	assert.NotEqual(t, before[1], after[1], "new ovs-vswitchd")
	assert.NoDirExists(t, "/proc/"+strconv.Itoa(before[1]))
	_, err = os.Stat(mgmt)
	require.NoError(t, err)
	out, err := ovs.VSCtl("get", "Interface", pod.HostIfName, "ofport")
	require.NoError(t, err)
	assert.Equal(t, "7\n", out)
	flows, err := ovs.OFCtl("-O", "OpenFlow15", "dump-flows", br)
	require.NoError(t, err)
	assert.NotContains(t, flows, "NORMAL", "flows are lost on restart")
	_, err = net.Dial("unix", mgmt)
	require.NoError(t, err)
}

// TestRestartOVSDB checks an ovsdb-server restart keeps the database (ports
// and their ofports) and, with ovs-vswitchd untouched, the flows; ovs-vswitchd
// reconnects and applies changes made while the server was down.
func TestRestartOVSDB(t *testing.T) {
	ovs := ovstest.StartOVS(t)
	br := ovstest.UniqueName("br")
	_, err := ovs.AddBridge(br)
	require.NoError(t, err)
	pod, err := ovs.AddPod(br, ovstest.PodConfig{Name: "p", IP: "10.78.0.1/24", OFPort: 7})
	require.NoError(t, err)
	_, err = ovs.OFCtl("-O", "OpenFlow15", "add-flow", br, "priority=0,actions=NORMAL")
	require.NoError(t, err)
	before := ovs.PIDs()

	_, err = ovs.TransactOffline(`["Open_vSwitch"]`)
	require.Error(t, err, "TransactOffline while ovsdb-server runs")
	require.NoError(t, ovs.StopOVSDB())
	out, err := ovs.TransactOffline(`["Open_vSwitch",{"op":"mutate","table":"Bridge","where":[["name","==","` + br +
		`"]],"mutations":[["external_ids","insert",["map",[["offline","yes"]]]]]}]`)
	require.NoError(t, err)
	assert.Equal(t, `[{"count":1}]`, strings.TrimSpace(out))
	require.NoError(t, ovs.StartOVSDB())

	after := ovs.PIDs()
	assert.NotEqual(t, before[0], after[0], "new ovsdb-server")
	assert.Equal(t, before[1], after[1], "ovs-vswitchd untouched")
	assert.NoDirExists(t, "/proc/"+strconv.Itoa(before[0]))
	out, err = ovs.VSCtl("get", "Interface", pod.HostIfName, "ofport")
	require.NoError(t, err)
	assert.Equal(t, "7\n", out)
	out, err = ovs.VSCtl("br-get-external-id", br, "offline")
	require.NoError(t, err)
	assert.Equal(t, "yes\n", out)
	flows, err := ovs.OFCtl("-O", "OpenFlow15", "dump-flows", br)
	require.NoError(t, err)
	assert.Contains(t, flows, "NORMAL", "flows survive an ovsdb-server restart")
	require.NoError(t, ovs.RestartOVSDB(), "restart again")
}
