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

func TestBridgeExternalIDs(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := testCtx(t)
	br := ovstest.UniqueName("br")
	require.NoError(t, e.client.CreateBridge(ctx, ovsdb.BridgeConfig{Name: br, DatapathType: "netdev",
		ExternalIDs: map[string]string{"owner": "strata"}}))

	steps := []struct {
		name string
		do   func() error
		want map[string]string
	}{
		{name: "set a new key keeps the others",
			do:   func() error { return e.client.SetBridgeExternalID(ctx, br, "roundNum", "1") },
			want: map[string]string{"owner": "strata", "roundNum": "1"}},
		{name: "overwrite a key",
			do:   func() error { return e.client.SetBridgeExternalID(ctx, br, "roundNum", "2") },
			want: map[string]string{"owner": "strata", "roundNum": "2"}},
		{name: "set by ovs-vsctl is kept",
			do:   func() error { _, err := e.ovs.VSCtl("br-set-external-id", br, "other", "x"); return err },
			want: map[string]string{"owner": "strata", "roundNum": "2", "other": "x"}},
		{name: "remove one key",
			do:   func() error { return e.client.RemoveBridgeExternalID(ctx, br, "other") },
			want: map[string]string{"owner": "strata", "roundNum": "2"}},
		{name: "remove a missing key is a no-op",
			do:   func() error { return e.client.RemoveBridgeExternalID(ctx, br, "nope") },
			want: map[string]string{"owner": "strata", "roundNum": "2"}},
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			require.NoError(t, step.do())
			got, err := e.client.BridgeExternalIDs(ctx, br)
			require.NoError(t, err)
			assert.Equal(t, step.want, got)
		})
	}
	assert.Equal(t, "2", e.vsctl(t, "br-get-external-id", br, "roundNum"))

	t.Run("missing bridge", func(t *testing.T) {
		assert.ErrorIs(t, e.client.SetBridgeExternalID(ctx, "nobr0", "k", "v"), ovsdb.ErrNotFound)
		_, err := e.client.BridgeExternalIDs(ctx, "nobr0")
		assert.ErrorIs(t, err, ovsdb.ErrNotFound)
		assert.ErrorContains(t, err, `get bridge "nobr0" external_ids: row not found`)
	})
}

func TestOtherConfig(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := testCtx(t)
	_, err := e.ovs.VSCtl("set", "Open_vSwitch", ".", "other_config:keep=me")
	require.NoError(t, err)

	require.NoError(t, e.client.SetOtherConfig(ctx, "flow-restore-wait", "true"))
	assert.Equal(t, `"true"`, e.vsctl(t, "get", "Open_vSwitch", ".", "other_config:flow-restore-wait"))
	got, err := e.client.OtherConfig(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"flow-restore-wait": "true", "keep": "me"}, got)

	require.NoError(t, e.client.RemoveOtherConfig(ctx, "flow-restore-wait"))
	assert.Equal(t, `{keep=me}`, e.vsctl(t, "get", "Open_vSwitch", ".", "other_config"))
}

func TestFlowTableNames(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := testCtx(t)
	br := e.addBridge(t)

	require.NoError(t, e.client.SetFlowTableNames(ctx, br, map[uint8]string{
		0: "Classifier", 14: "PolicyIngressRule", 19: "Output",
	}))
	require.NoError(t, e.client.SetFlowTableNames(ctx, br, map[uint8]string{
		19: "", 20: "IngressMetric", 14: "IngressRule",
	}), "rename 14, remove 19, add 20, keep 0")

	got, err := e.client.FlowTableNames(ctx, br)
	require.NoError(t, err)
	assert.Equal(t, map[uint8]string{0: "Classifier", 14: "IngressRule", 20: "IngressMetric"}, got)
	names := e.vsctl(t, "--bare", "--columns=name", "list", "Flow_Table")
	assert.ElementsMatch(t, []string{"Classifier", "IngressRule", "IngressMetric"}, strings.Fields(names),
		"replaced Flow_Table rows were garbage-collected")

	// vswitchd applies the names asynchronously; then ovs-ofctl accepts them.
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		_, err := e.ovs.OFCtl("-O", "OpenFlow15", "add-flow", br, "table=IngressRule,priority=10,ip,actions=drop")
		assert.NoError(c, err)
	}, 10*time.Second, 50*time.Millisecond)
	flows, err := e.ovs.OFCtl("-O", "OpenFlow15", "dump-flows", br, "--names")
	require.NoError(t, err)
	assert.Contains(t, flows, "table=IngressRule")
	features, err := e.ovs.OFCtl("-O", "OpenFlow15", "dump-table-features", br)
	require.NoError(t, err)
	assert.Contains(t, features, `table 14 ("IngressRule")`)

	err = e.client.SetFlowTableNames(ctx, "nobr0", map[uint8]string{1: "x"})
	assert.ErrorIs(t, err, ovsdb.ErrNotFound)
}

func TestMonitorInterfaceUpdates(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := testCtx(t)
	br := e.addBridge(t)
	mon, err := e.client.Monitor(ctx, map[string][]string{"Interface": {"name", "ofport"}})
	require.NoError(t, err)

	initial, err := mon.Next(ctx)
	require.NoError(t, err)
	assert.Len(t, initial["Interface"], 1, "the bridge's local interface")

	_, err = e.client.AddPort(ctx, ovsdb.PortConfig{Bridge: br, Name: "mon0", Type: "internal", OFPortRequest: 3})
	require.NoError(t, err)
	var sawInsert, sawOFPort bool
	for !sawOFPort {
		u, err := mon.Next(ctx)
		require.NoError(t, err)
		for _, row := range u["Interface"] {
			if row.New == nil {
				continue
			}
			name, _ := row.New.String("name")
			ofport, _, _ := row.New.Int("ofport")
			sawInsert = sawInsert || (name == "mon0" && row.Old == nil)
			sawOFPort = sawOFPort || (name == "mon0" && ofport == 3)
		}
	}
	assert.True(t, sawInsert, "insert seen before the ofport update")
	require.NoError(t, mon.Cancel(ctx))
	_, err = mon.Next(ctx)
	assert.ErrorContains(t, err, "cancelled")
	require.NoError(t, e.client.Echo(ctx), "connection still usable after monitor_cancel")
}

func TestVSwitchdRestart(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := testCtx(t)
	br := e.addBridge(t)
	_, err := e.client.AddPort(ctx, ovsdb.PortConfig{Bridge: br, Name: "gw0", Type: "internal", OFPortRequest: 2})
	require.NoError(t, err)
	_, err = e.client.WaitOFPort(ctx, "gw0")
	require.NoError(t, err)
	require.NoError(t, e.client.SetOtherConfig(ctx, "flow-restore-wait", "true"))

	require.NoError(t, e.ovs.RestartVSwitchd())

	// ovsdb-server was not restarted: the same connection keeps working.
	waitCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	ofport, err := e.client.WaitOFPort(waitCtx, "gw0")
	require.NoError(t, err)
	assert.Equal(t, int32(2), ofport, "ofport_request survives the restart")
	require.NoError(t, e.client.RemoveOtherConfig(ctx, "flow-restore-wait"))
}
