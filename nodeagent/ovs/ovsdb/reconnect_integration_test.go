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
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-net/strata/nodeagent/ovs/ovsdb"
	"github.com/strata-net/strata/nodeagent/ovs/ovstest"
)

// TestClientSurvivesOVSDBRestart stops and restarts ovsdb-server under a
// connected client that has a monitor open. While the server is down a call
// waits for it (bounded by its context); the client reconnects by itself;
// the monitor reports the changes made while it was disconnected, then goes
// on; writes, reads and WaitOFPort work again.
func TestClientSurvivesOVSDBRestart(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := testCtx(t)
	br := e.addBridge(t)
	keep, gone := ovstest.UniqueName("keep"), ovstest.UniqueName("gone")
	_, err := e.client.AddPort(ctx, ovsdb.PortConfig{Bridge: br, Name: keep, Type: "internal"})
	require.NoError(t, err)
	goneUUID, err := e.client.AddPort(ctx, ovsdb.PortConfig{Bridge: br, Name: gone, Type: "internal"})
	require.NoError(t, err)
	mon, err := e.client.Monitor(ctx, map[string][]string{"Interface": {"name", "external_ids"}})
	require.NoError(t, err)
	initial, err := mon.Next(ctx)
	require.NoError(t, err)
	require.Len(t, initial["Interface"], 3, "the bridge's local port, keep and gone")

	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{name: "a call while ovsdb-server is down fails at its deadline", run: func(t *testing.T) {
			require.NoError(t, e.ovs.StopOVSDB())
			short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
			defer cancel()
			err := e.client.Echo(short)
			assert.ErrorIs(t, err, ovsdb.ErrDisconnected)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.ErrorIs(t, e.client.Err(), ovsdb.ErrDisconnected)
		}},
		{name: "a call while ovsdb-server is down completes when it is back", run: func(t *testing.T) {
			errc := make(chan error, 1)
			go func() { errc <- e.client.SetBridgeExternalID(ctx, br, "written", "while-down") }()
			// Changes the client can only learn from the new initial content.
			_, err := e.ovs.TransactOffline(fmt.Sprintf(`["Open_vSwitch",
				{"op":"mutate","table":"Interface","where":[["name","==","%s"]],
				 "mutations":[["external_ids","insert",["map",[["offline","yes"]]]]]},
				{"op":"mutate","table":"Bridge","where":[["name","==","%s"]],
				 "mutations":[["ports","delete",["uuid","%s"]]]}]`, keep, br, goneUUID))
			require.NoError(t, err)
			require.NoError(t, e.ovs.StartOVSDB())
			require.NoError(t, <-errc)
			assert.Equal(t, `while-down`, trimQuotes(e.vsctl(t, "get", "Bridge", br, "external_ids:written")))
			assert.NoError(t, e.client.Err())
			select {
			case <-e.client.Done():
				t.Fatal("Done closed by a lost connection")
			default:
			}
		}},
		{name: "the monitor reports the changes made while disconnected", run: func(t *testing.T) {
			// The first update after the reconnection: what changed meanwhile.
			updates, err := mon.Next(ctx)
			require.NoError(t, err)
			byName := map[string]ovsdb.RowUpdate{}
			for _, u := range updates["Interface"] {
				row := u.New
				if row == nil {
					row = u.Old
				}
				name, err := row.String("name")
				require.NoError(t, err)
				byName[name] = u
			}
			require.Len(t, byName, 2, "keep modified and gone deleted, nothing else: %v", byName)
			ids, err := byName[keep].New.StringMap("external_ids")
			require.NoError(t, err)
			assert.Equal(t, map[string]string{"offline": "yes"}, ids)
			assert.Equal(t, ovsdb.Row{"external_ids": []byte(`["map",[]]`)}, byName[keep].Old, "the previous value of the changed column")
			assert.Nil(t, byName[gone].New, "gone deleted")
		}},
		{name: "a transaction commits after a plain restart", run: func(t *testing.T) {
			require.NoError(t, e.ovs.RestartOVSDB())
			require.NoError(t, e.client.SetBridgeExternalID(ctx, br, "after", "restart"))
			ids, err := e.client.BridgeExternalIDs(ctx, br)
			require.NoError(t, err)
			assert.Equal(t, "restart", ids["after"])
		}},
		{name: "the monitor reports a port added by ovs-vsctl", run: func(t *testing.T) {
			port := ovstest.UniqueName("p")
			e.vsctl(t, "add-port", br, port, "--", "set", "Interface", port, "type=internal")
			waitInterface(t, mon, port, func(u ovsdb.RowUpdate) bool { return u.Old == nil && u.New != nil })
		}},
		{name: "AddPort and WaitOFPort", run: func(t *testing.T) {
			port := ovstest.UniqueName("p")
			_, err := e.client.AddPort(ctx, ovsdb.PortConfig{Bridge: br, Name: port, Type: "internal", OFPortRequest: 42})
			require.NoError(t, err)
			ofport, err := e.client.WaitOFPort(ctx, port)
			require.NoError(t, err)
			assert.Equal(t, int32(42), ofport)
		}},
		{name: "Connects counts the reconnections", run: func(t *testing.T) {
			assert.Equal(t, int64(3), e.client.Connects())
		}},
	}
	for _, step := range steps {
		if !t.Run(step.name, step.run) {
			t.FailNow()
		}
	}
}

// waitInterface reads the monitor until it reports a change of the named
// interface that match accepts, and returns it.
func waitInterface(t *testing.T, mon *ovsdb.Monitor, name string, match func(ovsdb.RowUpdate) bool) ovsdb.RowUpdate {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		updates, err := mon.Next(ctx)
		require.NoError(t, err, "waiting 30s for the monitor to report the change of interface %s", name)
		for _, u := range updates["Interface"] {
			row := u.New
			if row == nil {
				row = u.Old
			}
			if n, _ := row.String("name"); n == name && match(u) {
				return u
			}
		}
	}
}
