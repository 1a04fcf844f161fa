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
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/containernetworking/cni/libcni"
	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-net/strata/cni"
	"github.com/strata-net/strata/nodeagent/ovs/ovsdb"
)

func TestHostVethName(t *testing.T) {
	tests := []struct {
		name, pod, container, want string
	}{
		{name: "short pod", pod: "web", container: "abc", want: "web-a9993e"},
		{name: "long pod truncated", pod: "frontend-7f9c6b5d4-xk2lp", container: "abc", want: "frontend-a9993e"},
		{name: "leading dash trimmed", pod: "-x", container: "abc", want: "x-a9993e"},
		{name: "other container", pod: "web", container: "abd", want: "web-cb4cc2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := HostVethName(tc.pod, tc.container)
			assert.Equal(t, tc.want, got)
			assert.LessOrEqual(t, len(got), 15)
		})
	}
}

func TestParseNodeNetwork(t *testing.T) {
	tests := []struct {
		name    string
		cidrs   []string
		mtu     int
		wantGWs []string
		wantErr string
	}{
		{name: "ipv4", cidrs: []string{"10.244.1.0/24"}, wantGWs: []string{"10.244.1.1"}},
		{name: "dual stack", cidrs: []string{"10.244.1.0/24", "fd00:10:244:1::/64"}, mtu: 1450, wantGWs: []string{"10.244.1.1", "fd00:10:244:1::1"}},
		{name: "none", wantErr: "podCIDRs: none"},
		{name: "garbage", cidrs: []string{"10.244.1.0"}, wantErr: "podCIDRs[0]"},
		{name: "too small", cidrs: []string{"10.244.1.0/31"}, wantErr: "too small"},
		{name: "two ipv4", cidrs: []string{"10.244.1.0/24", "10.244.2.0/24"}, wantErr: "podCIDRs[1]: a second IPv4"},
		{name: "negative mtu", cidrs: []string{"10.244.1.0/24"}, mtu: -1, wantErr: "mtu"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			nw, err := ParseNodeNetwork(tc.cidrs, tc.mtu)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			var gws []string
			for _, s := range nw.Subnets {
				gws = append(gws, s.Gateway.String())
			}
			assert.Equal(t, tc.wantGWs, gws)
			assert.Equal(t, tc.mtu, nw.MTU)
		})
	}
}

func TestNodeNetworkMTU(t *testing.T) {
	assert.Equal(t, DefaultMTU, NodeNetwork{}.mtu(0))
	assert.Equal(t, 1450, NodeNetwork{MTU: 1450}.mtu(0))
	assert.Equal(t, 1400, NodeNetwork{MTU: 1450}.mtu(1400))
}

func TestConfigValidate(t *testing.T) {
	deps := func(c *Config) { c.OVSDB, c.Pods, c.Network = fakeOVSDB{}, fakeSyncer{}, StaticNetwork{} }
	tests := []struct {
		name    string
		mutate  func(*Config)
		wantErr string
	}{
		{name: "defaults", mutate: deps},
		{name: "no OVSDB", mutate: func(c *Config) { deps(c); c.OVSDB = nil }, wantErr: "OVSDB: required"},
		{name: "no syncer", mutate: func(c *Config) { deps(c); c.Pods = nil }, wantErr: "Pods: required"},
		{name: "no network", mutate: func(c *Config) { deps(c); c.Network = nil }, wantErr: "Network: required"},
		{name: "relative socket", mutate: func(c *Config) { deps(c); c.SocketPath = "cni.sock" }, wantErr: "SocketPath"},
		{name: "relative netns", mutate: func(c *Config) { deps(c); c.HostNetNS = "strata-n1" }, wantErr: "HostNetNS"},
		{name: "relative IPAM dir", mutate: func(c *Config) { deps(c); c.IPAMDataDir = "ipam" }, wantErr: "IPAMDataDir"},
		{name: "negative timeout", mutate: func(c *Config) { deps(c); c.ReadyTimeout = -time.Second }, wantErr: "ReadyTimeout: negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var c Config
			tc.mutate(&c)
			c.Defaults()
			err := c.Validate()
			if tc.wantErr == "" {
				require.NoError(t, err)
				assert.Equal(t, cni.DefaultSocketPath, c.SocketPath)
				assert.Equal(t, DefaultIPAMDataDir, c.IPAMDataDir)
				assert.True(t, c.Ready())
				return
			}
			assert.ErrorContains(t, err, tc.wantErr)
		})
	}
}

// fakeOVSDB and fakeSyncer satisfy the interfaces for tests that never reach
// OVS.
type fakeOVSDB struct{}

func (fakeOVSDB) AddPort(context.Context, ovsdb.PortConfig) (ovsdb.UUID, error) { return "", nil }
func (fakeOVSDB) DeletePort(context.Context, string) error                      { return nil }
func (fakeOVSDB) ListPorts(context.Context, ovsdb.PortFilter) ([]ovsdb.PortInfo, error) {
	return nil, nil
}
func (fakeOVSDB) WaitOFPort(context.Context, string) (int32, error) { return 1, nil }

type fakeSyncer struct{}

func (fakeSyncer) Sync(context.Context) error { return nil }

func TestIPAM(t *testing.T) {
	dir := t.TempDir()
	a := newIPAM(dir)
	t.Cleanup(a.close)
	nw, err := ParseNodeNetwork([]string{"10.9.0.0/29", "fd00:9::/125"}, 0)
	require.NoError(t, err)

	first, err := a.allocate("net", "c1", "eth0", nw.Subnets)
	require.NoError(t, err)
	require.Len(t, first, 2)
	assert.Equal(t, "10.9.0.2/29", first[0].Address.String(), "the gateway .1 is excluded")
	assert.Equal(t, "10.9.0.1", first[0].Gateway.String())
	assert.Equal(t, "fd00:9::2/125", first[1].Address.String())
	b, err := os.ReadFile(filepath.Join(dir, "net", "10.9.0.2"))
	require.NoError(t, err)
	assert.Equal(t, "c1\r\neth0", string(b), "host-local's file format")

	again, err := a.allocate("net", "c1", "eth0", nw.Subnets)
	require.NoError(t, err)
	assert.Equal(t, first[0].Address.String(), again[0].Address.String(), "a retry reuses the address")

	second, err := a.allocate("net", "c2", "eth0", nw.Subnets)
	require.NoError(t, err)
	assert.Equal(t, "10.9.0.3/29", second[0].Address.String())
	for _, id := range []string{"c3", "c4", "c5"} { // .4 .5 .6; .7 is the broadcast address
		_, err = a.allocate("net", id, "eth0", nw.Subnets)
		require.NoError(t, err)
	}
	_, err = a.allocate("net", "c6", "eth0", nw.Subnets)
	assert.ErrorContains(t, err, "no IP addresses available")

	held, err := a.held("net", "c2", "eth0")
	require.NoError(t, err)
	assert.Len(t, held, 2)
	require.NoError(t, a.release("net", "c2", "eth0"))
	require.NoError(t, a.release("net", "c2", "eth0"), "releasing twice succeeds")
	held, err = a.held("net", "c2", "eth0")
	require.NoError(t, err)
	assert.Empty(t, held)

	released, err := a.gc("net", func(id, ifName string) bool { return id == "c1" && ifName == "eth0" })
	require.NoError(t, err)
	assert.Len(t, released, 6, "c3..c5, two addresses each")
	left, err := openStoreList(dir, "net")
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"10.9.0.2", "fd00:9::2"}, left)
}

// openStoreList lists the addresses in a store directory.
func openStoreList(dataDir, network string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(dataDir, network))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if net.ParseIP(e.Name()) != nil {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

func TestKeyLocks(t *testing.T) {
	k := keyLocks{locks: map[string]*keyLock{}}
	refs := func(key string) int {
		k.mu.Lock()
		defer k.mu.Unlock()
		if l := k.locks[key]; l != nil {
			return l.refs
		}
		return 0
	}
	unlockA := k.lock("a")
	unlockB := k.lock("b") // another key does not wait
	got := make(chan struct{})
	go func() {
		unlock := k.lock("a")
		close(got)
		unlock()
	}()
	require.Eventually(t, func() bool { return refs("a") == 2 }, 5*time.Second, time.Millisecond, "the second holder of a waits")
	select {
	case <-got:
		t.Fatal("a second holder of key a got the lock while the first held it")
	default:
	}
	unlockA()
	select {
	case <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("the waiter of key a did not get the lock within 5s")
	}
	unlockB()
	assert.Eventually(t, func() bool { return k.size() == 0 }, 5*time.Second, time.Millisecond, "entries removed")
}

func TestResultVersions(t *testing.T) {
	r := &podRequest{Request: &cni.Request{IfName: "eth0", Netns: "/run/netns/p"}}
	ips := []*current.IPConfig{{Address: net.IPNet{IP: net.ParseIP("10.244.1.5").To4(), Mask: net.CIDRMask(24, 32)},
		Gateway: net.ParseIP("10.244.1.1")}}
	a := newAttachment("web-a9993e", "02:00:00:00:00:01", "02:00:00:00:00:02", ips)
	for _, v := range cni.SupportedVersions.SupportedVersions() {
		t.Run(v, func(t *testing.T) {
			b, err := encodeResult(a.result(r), v)
			require.NoError(t, err)
			res, err := version.NewResult(v, b)
			require.NoError(t, err)
			cur, err := current.NewResultFromResult(res)
			require.NoError(t, err)
			require.Len(t, cur.IPs, 1)
			assert.Equal(t, "10.244.1.5/24", cur.IPs[0].Address.String())
			assert.Equal(t, "10.244.1.1", cur.IPs[0].Gateway.String())
			if v >= "0.3.0" {
				back, err := attachmentFromResult(cur, "eth0")
				require.NoError(t, err)
				assert.Equal(t, "web-a9993e", back.hostName)
				assert.Equal(t, "02:00:00:00:00:02", back.contMAC)
				require.Len(t, back.routes, 1)
				assert.Equal(t, "0.0.0.0/0", back.routes[0].Dst.String())
			}
		})
	}
}

func TestAttachmentFromResultErrors(t *testing.T) {
	tests := []struct {
		name, result, wantErr string
	}{
		{name: "no sandbox interface", result: `{"cniVersion":"1.0.0","interfaces":[{"name":"h"}],"ips":[{"address":"10.0.0.2/24"}]}`, wantErr: "no interface eth0"},
		{name: "no host interface", result: `{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","sandbox":"/n"}],"ips":[{"address":"10.0.0.2/24"}]}`, wantErr: "no host interface"},
		{name: "no address", result: `{"cniVersion":"1.0.0","interfaces":[{"name":"h"},{"name":"eth0","sandbox":"/n"}]}`, wantErr: "no address"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := current.NewResult([]byte(tc.result))
			require.NoError(t, err)
			cur, err := current.NewResultFromResult(res)
			require.NoError(t, err)
			_, err = attachmentFromResult(cur, "eth0")
			assert.ErrorContains(t, err, tc.wantErr)
		})
	}
}

// handleServer is a server whose requests fail before touching OVS or netns.
func handleServer(t *testing.T, ready bool, nw NetworkProvider) *Server {
	t.Helper()
	s, err := New(Config{SocketPath: filepath.Join(t.TempDir(), "cni.sock"), OVSDB: fakeOVSDB{}, Pods: fakeSyncer{},
		Network: nw, Ready: func() bool { return ready }, ReadyTimeout: 200 * time.Millisecond, IPAMDataDir: t.TempDir()})
	require.NoError(t, err)
	return s
}

func TestHandleRefusals(t *testing.T) {
	nw := StaticNetwork{Subnets: []Subnet{{CIDR: net.IPNet{IP: net.IPv4(10, 244, 1, 0).To4(), Mask: net.CIDRMask(24, 32)}, Gateway: net.IPv4(10, 244, 1, 1)}}}
	conf := []byte(`{"cniVersion":"1.0.0","name":"strata","type":"strata"}`)
	add := func(mutate func(*cni.Request)) *cni.Request {
		r := &cni.Request{Version: cni.ProtocolVersion, Command: cni.CmdAdd, ContainerID: "c1", Netns: "/run/netns/none",
			IfName: "eth0", Args: "K8S_POD_NAME=p;K8S_POD_NAMESPACE=ns", NetworkConfig: conf}
		mutate(r)
		return r
	}
	tests := []struct {
		name     string
		ready    bool
		nw       NetworkProvider
		req      *cni.Request
		wantCode uint
		wantMsg  string
	}{
		{name: "other protocol version", ready: true, nw: nw, req: add(func(r *cni.Request) { r.Version = 2 }), wantCode: cni.ErrIncompatibleProtocol, wantMsg: "protocol"},
		{name: "missing ifName", ready: true, nw: nw, req: add(func(r *cni.Request) { r.IfName = "" }), wantCode: types.ErrInvalidEnvironmentVariables, wantMsg: "ifName"},
		{name: "wrong type", ready: true, nw: nw, req: add(func(r *cni.Request) {
			r.NetworkConfig = []byte(`{"cniVersion":"1.0.0","name":"strata","type":"bridge"}`)
		}), wantCode: types.ErrInvalidNetworkConfig, wantMsg: "type:"},
		{name: "bad ipam", ready: true, nw: nw, req: add(func(r *cni.Request) {
			r.NetworkConfig = []byte(`{"cniVersion":"1.0.0","name":"strata","type":"strata","ipam":{"type":"dhcp"}}`)
		}), wantCode: types.ErrInvalidNetworkConfig, wantMsg: "ipam.type:"},
		{name: "bad CNI_ARGS", ready: true, nw: nw, req: add(func(r *cni.Request) { r.Args = "K8S_POD_NAME" }), wantCode: types.ErrInvalidEnvironmentVariables, wantMsg: "CNI_ARGS"},
		{name: "no pod name", ready: true, nw: nw, req: add(func(r *cni.Request) { r.Args = "K8S_POD_NAMESPACE=ns" }), wantCode: types.ErrInvalidEnvironmentVariables, wantMsg: "K8S_POD_NAME"},
		{name: "not ready", ready: false, nw: nw, req: add(func(*cni.Request) {}), wantCode: types.ErrTryAgainLater, wantMsg: "first policy sync"},
		{name: "no podCIDR yet", ready: true, nw: StaticNetwork{}, req: add(func(*cni.Request) {}), wantCode: types.ErrTryAgainLater, wantMsg: "podCIDR"},
		{name: "bad netns", ready: true, nw: nw, req: add(func(*cni.Request) {}), wantCode: types.ErrInvalidNetNS, wantMsg: "network namespace"},
		{name: "check without prevResult", ready: true, nw: nw, req: add(func(r *cni.Request) { r.Command = cni.CmdCheck }), wantCode: types.ErrInvalidNetworkConfig, wantMsg: "prevResult"},
		{name: "status not ready", ready: false, nw: nw, req: add(func(r *cni.Request) { r.Command = cni.CmdStatus }), wantCode: types.ErrPluginNotAvailable, wantMsg: "policy sync"},
		{name: "status without podCIDR", ready: true, nw: StaticNetwork{}, req: add(func(r *cni.Request) { r.Command = cni.CmdStatus }), wantCode: types.ErrPluginNotAvailable, wantMsg: "Pod network"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := handleServer(t, tc.ready, tc.nw)
			start := time.Now()
			resp := s.Handle(context.Background(), tc.req)
			require.NotNil(t, resp.Error, "want an error")
			assert.Equal(t, tc.wantCode, resp.Error.Code, resp.Error.Msg)
			assert.Contains(t, resp.Error.Msg, tc.wantMsg)
			assert.Less(t, time.Since(start), 5*time.Second)
		})
	}
}

func TestStatusReady(t *testing.T) {
	nw := StaticNetwork{Subnets: []Subnet{{CIDR: net.IPNet{IP: net.IPv4(10, 244, 1, 0).To4(), Mask: net.CIDRMask(24, 32)}, Gateway: net.IPv4(10, 244, 1, 1)}}}
	s := handleServer(t, true, nw)
	resp := s.Handle(context.Background(), &cni.Request{Version: cni.ProtocolVersion, Command: cni.CmdStatus,
		NetworkConfig: []byte(`{"cniVersion":"1.1.0","name":"strata","type":"strata"}`)})
	assert.Nil(t, resp.Error)
}

func TestInstall(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "strata-cni")
	require.NoError(t, os.WriteFile(src, []byte("#!/bin/true\n"), 0o700))
	cfg := InstallConfig{PluginBinary: src, BinDir: filepath.Join(dir, "bin"), ConfDir: filepath.Join(dir, "net.d"),
		MTU: 1450, AgentSocket: "/run/strata/n1/cni.sock"}
	for i := 0; i < 2; i++ { // a second install replaces the first
		bin, confPath, err := Install(cfg)
		require.NoError(t, err)
		assert.Equal(t, filepath.Join(dir, "bin", "strata"), bin)
		fi, err := os.Stat(bin)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o755), fi.Mode().Perm())
		list, err := libcni.ConfListFromFile(confPath)
		require.NoError(t, err)
		assert.Equal(t, "strata", list.Name)
		assert.Equal(t, DefaultCNIVersion, list.CNIVersion)
		require.Len(t, list.Plugins, 1)
		// libcni injects the list's name and version into each plugin's config.
		injected, err := libcni.InjectConf(list.Plugins[0], map[string]any{"name": list.Name, "cniVersion": list.CNIVersion})
		require.NoError(t, err)
		conf, err := cni.ParseNetConf(injected.Bytes)
		require.NoError(t, err, "the plugin accepts what Install writes")
		assert.Equal(t, 1450, conf.MTU)
		assert.Equal(t, "/run/strata/n1/cni.sock", conf.Socket())
		assert.Equal(t, cni.IPAMHostLocal, conf.IPAM.Type)
	}
	entries, err := os.ReadDir(filepath.Join(dir, "net.d"))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file left")
}

func TestInstallValidate(t *testing.T) {
	// Every case has private directories: nothing may land in /opt/cni or
	// /etc/cni if validation lets a case through.
	dirs := func(c InstallConfig) InstallConfig {
		c.BinDir, c.ConfDir = t.TempDir(), t.TempDir()
		return c
	}
	tests := []struct {
		name    string
		cfg     InstallConfig
		wantErr string
	}{
		{name: "no binary", cfg: dirs(InstallConfig{}), wantErr: "PluginBinary: required"},
		{name: "missing binary", cfg: dirs(InstallConfig{PluginBinary: "/nonexistent/strata-cni"}), wantErr: "PluginBinary"},
		{name: "bad file name", cfg: dirs(InstallConfig{PluginBinary: "/bin/true", ConfFileName: "../x.conflist"}), wantErr: "ConfFileName"},
		{name: "bad mtu", cfg: dirs(InstallConfig{PluginBinary: "/bin/true", MTU: 10}), wantErr: "mtu"},
		{name: "bad name", cfg: dirs(InstallConfig{PluginBinary: "/bin/true", NetworkName: "a/b"}), wantErr: "name"},
		{name: "relative socket", cfg: dirs(InstallConfig{PluginBinary: "/bin/true", AgentSocket: "cni.sock"}), wantErr: "agentSocket"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Install(tc.cfg)
			assert.ErrorContains(t, err, tc.wantErr)
			for _, d := range []string{tc.cfg.BinDir, tc.cfg.ConfDir} {
				entries, _ := os.ReadDir(d)
				assert.Empty(t, entries, "nothing installed")
			}
		})
	}
}

// The installed config list must be what libcni hands the plugin.
func TestConfListShape(t *testing.T) {
	cfg := InstallConfig{PluginBinary: "/bin/true"}
	cfg.Defaults()
	b, err := cfg.confList()
	require.NoError(t, err)
	var raw map[string]any
	require.NoError(t, json.Unmarshal(b, &raw))
	plugins := raw["plugins"].([]any)
	require.Len(t, plugins, 1)
	p := plugins[0].(map[string]any)
	assert.Equal(t, "strata", p["type"])
	assert.NotContains(t, p, "name", "libcni injects the list's name")
}

func TestRunSocket(t *testing.T) {
	dir, err := os.MkdirTemp("", "cnis-")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	sock := filepath.Join(dir, "run", "cni.sock")
	require.NoError(t, os.MkdirAll(filepath.Dir(sock), 0o755))
	stale, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
	require.NoError(t, err)
	stale.SetUnlinkOnClose(false)
	require.NoError(t, stale.Close()) // a socket file nobody serves, as after a crash

	nw := StaticNetwork{Subnets: []Subnet{{CIDR: net.IPNet{IP: net.IPv4(10, 244, 1, 0).To4(), Mask: net.CIDRMask(24, 32)}, Gateway: net.IPv4(10, 244, 1, 1)}}}
	newServer := func() *Server {
		s, err := New(Config{SocketPath: sock, OVSDB: fakeOVSDB{}, Pods: fakeSyncer{}, Network: nw, IPAMDataDir: dir})
		require.NoError(t, err)
		return s
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- newServer().Run(ctx) }()
	status := &cni.Request{Command: cni.CmdStatus, NetworkConfig: []byte(`{"cniVersion":"1.1.0","name":"strata","type":"strata"}`)}
	var resp *cni.Response
	require.Eventually(t, func() bool {
		resp, err = cni.NewClient(sock, time.Second).Do(context.Background(), status)
		return err == nil
	}, 10*time.Second, 10*time.Millisecond, "the server answers on %s", sock)
	assert.Nil(t, resp.Error)
	fi, err := os.Stat(sock)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	assert.ErrorContains(t, newServer().Run(context.Background()), "served by another process")

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return within 10s of the cancel")
	}
	assert.NoFileExists(t, sock, "socket removed on stop")
}
