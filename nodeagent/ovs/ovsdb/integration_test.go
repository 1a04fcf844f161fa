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

package ovsdb_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-net/strata/nodeagent/ovs/ovsdb"
	"github.com/strata-net/strata/nodeagent/ovs/ovstest"
)

// env is a private OVS with a connected client.
type env struct {
	ovs    *ovstest.Instance
	client *ovsdb.Client
}

func setup(t *testing.T) env {
	t.Helper()
	ovs := ovstest.StartOVS(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client, err := ovsdb.Connect(ctx, ovs.DBSocket())
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, client.Close()) })
	return env{ovs: ovs, client: client}
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// vsctl runs ovs-vsctl and returns trimmed stdout, failing the test on error.
func (e env) vsctl(t *testing.T, args ...string) string {
	t.Helper()
	out, err := e.ovs.VSCtl(args...)
	require.NoError(t, err)
	return strings.TrimSpace(out)
}

// addBridge creates a netdev OpenFlow 1.5 bridge through the client.
func (e env) addBridge(t *testing.T) string {
	t.Helper()
	name := ovstest.UniqueName("br")
	require.NoError(t, e.client.CreateBridge(testCtx(t), ovsdb.BridgeConfig{
		Name: name, DatapathType: "netdev", Protocols: []string{"OpenFlow15"}, FailMode: "secure",
	}))
	return name
}

func TestEcho(t *testing.T) {
	t.Parallel()
	e := setup(t)
	require.NoError(t, e.client.Echo(testCtx(t)))
}

func TestCreateBridge(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := testCtx(t)
	name := ovstest.UniqueName("br")
	steps := []struct {
		name string
		cfg  ovsdb.BridgeConfig
		want map[string]string // ovs-vsctl get Bridge <name> <column> -> value
	}{
		{
			name: "create",
			cfg: ovsdb.BridgeConfig{Name: name, DatapathType: "netdev", Protocols: []string{"OpenFlow15"},
				FailMode: "secure", DatapathID: 0x77, ExternalIDs: map[string]string{"roundNum": "1", "owner": "strata"}},
			want: map[string]string{
				"datapath_type": "netdev", "protocols": `[OpenFlow15]`, "fail_mode": "secure",
				"other_config:datapath-id": `"0000000000000077"`,
				"external_ids":             `{owner=strata, roundNum="1"}`,
			},
		},
		{
			name: "re-create updates fields and merges external_ids",
			cfg: ovsdb.BridgeConfig{Name: name, DatapathType: "netdev", Protocols: []string{"OpenFlow13", "OpenFlow15"},
				FailMode: "standalone", DatapathID: 0x78, ExternalIDs: map[string]string{"roundNum": "2"}},
			want: map[string]string{
				"protocols": `[OpenFlow13, OpenFlow15]`, "fail_mode": "standalone",
				"other_config:datapath-id": `"0000000000000078"`, "external_ids": `{owner=strata, roundNum="2"}`,
			},
		},
		{
			name: "re-create with the same config is a no-op",
			cfg: ovsdb.BridgeConfig{Name: name, DatapathType: "netdev", Protocols: []string{"OpenFlow13", "OpenFlow15"},
				FailMode: "standalone", DatapathID: 0x78},
			want: map[string]string{"fail_mode": "standalone", "external_ids": `{owner=strata, roundNum="2"}`},
		},
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			require.NoError(t, e.client.CreateBridge(ctx, step.cfg))
			for col, want := range step.want {
				assert.Equal(t, want, e.vsctl(t, "get", "Bridge", name, col), "column %s", col)
			}
			assert.Equal(t, name, e.vsctl(t, "list-br"), "exactly one bridge")
			assert.Equal(t, "", e.vsctl(t, "list-ports", name), "only the local port, which list-ports hides")
			assert.Equal(t, name, e.vsctl(t, "--bare", "--columns=name", "find", "Interface", "type=internal"))
		})
	}
	// vswitchd applies the database asynchronously.
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		out, err := e.ovs.OFCtl("-O", "OpenFlow15", "show", name)
		assert.NoError(c, err, "vswitchd created the bridge and speaks OpenFlow 1.5 on it")
		assert.Contains(c, out, "dpid:0000000000000078")
	}, 10*time.Second, 50*time.Millisecond)

	t.Run("delete", func(t *testing.T) {
		require.NoError(t, e.client.DeleteBridge(ctx, name))
		assert.Equal(t, "", e.vsctl(t, "list-br"))
		assert.Equal(t, "", e.vsctl(t, "--bare", "--columns=name", "list", "Interface"), "ports garbage-collected")
		require.NoError(t, e.client.DeleteBridge(ctx, name), "deleting again succeeds")
	})
}

func TestCreateBridgeInvalid(t *testing.T) {
	t.Parallel()
	e := setup(t)
	err := e.client.CreateBridge(testCtx(t), ovsdb.BridgeConfig{Name: "br0", FailMode: "closed"})
	assert.EqualError(t, err, `create bridge: bridge "br0": invalid fail mode "closed"`)
}
