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
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-net/strata/nodeagent/ovs/ovsdb"
	"github.com/strata-net/strata/nodeagent/ovs/ovstest"
)

func TestAddPortWaitOFPortListAndDelete(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := testCtx(t)
	br := e.addBridge(t)
	// A pod whose host veth end the code under test attaches, as the CNI does.
	pod, err := e.ovs.AddPod(br, ovstest.PodConfig{Name: "web", IP: "10.79.0.2/24", Detached: true})
	require.NoError(t, err)

	tests := portCases(br, pod)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			uuid, err := e.client.AddPort(ctx, tc.cfg)
			require.NoError(t, err)
			assert.NotEmpty(t, uuid)

			ofport, err := e.client.WaitOFPort(ctx, tc.cfg.Name)
			require.NoError(t, err)
			assert.Equal(t, tc.cfg.OFPortRequest, ofport)

			assert.Contains(t, e.vsctl(t, "list-ports", br), tc.cfg.Name)
			assert.Equal(t, tc.cfg.ExternalIDs["strata-type"], trimQuotes(e.vsctl(t, "get", "Port", tc.cfg.Name, "external_ids:strata-type")))
			assert.Equal(t, tc.wantOption, e.vsctl(t, "get", "Interface", tc.cfg.Name, "options"))
			gotType := e.vsctl(t, "get", "Interface", tc.cfg.Name, "type")
			assert.Equal(t, tc.wantType, trimQuotes(gotType))
		})
	}
	t.Run("list", func(t *testing.T) { checkListPorts(t, e, br, pod, tests) })

	t.Run("delete", func(t *testing.T) {
		for _, tc := range tests {
			require.NoError(t, e.client.DeletePort(ctx, tc.cfg.Name))
			require.NoError(t, e.client.DeletePort(ctx, tc.cfg.Name), "deleting again succeeds")
		}
		assert.Equal(t, "", e.vsctl(t, "list-ports", br))
		ports, err := e.client.ListPorts(ctx, ovsdb.PortFilter{ExternalIDs: map[string]string{"strata-type": "container"}})
		require.NoError(t, err)
		assert.Empty(t, ports)
		assert.Equal(t, br, e.vsctl(t, "--bare", "--columns=name", "list", "Interface"), "interfaces garbage-collected")
	})
}

type portCase struct {
	name       string
	cfg        ovsdb.PortConfig
	wantType   string
	wantOption string // ovs-vsctl get Interface <name> options
}

func portCases(br string, pod *ovstest.Pod) []portCase {
	return []portCase{
		{
			name: "pod veth with external_ids",
			cfg: ovsdb.PortConfig{Bridge: br, Name: pod.HostIfName, OFPortRequest: 20,
				ExternalIDs:          map[string]string{"strata-type": "container", "pod-name": "web", "pod-namespace": "default"},
				InterfaceExternalIDs: map[string]string{"attached-mac": pod.MAC}},
			wantOption: "{}",
		},
		{
			name: "internal gateway port",
			cfg: ovsdb.PortConfig{Bridge: br, Name: ovstest.UniqueName("gw"), Type: "internal", OFPortRequest: 2,
				ExternalIDs: map[string]string{"strata-type": "gateway"}},
			wantType: "internal", wantOption: "{}",
		},
		{
			name: "geneve tunnel with options",
			cfg: ovsdb.PortConfig{Bridge: br, Name: ovstest.UniqueName("tun"), Type: "geneve", OFPortRequest: 1,
				ExternalIDs: map[string]string{"strata-type": "tunnel"},
				Options:     map[string]string{"remote_ip": "flow", "key": "flow"}},
			wantType: "geneve", wantOption: "{key=flow, remote_ip=flow}",
		},
	}
}

func checkListPorts(t *testing.T, e env, br string, pod *ovstest.Pod, tests []portCase) {
	ctx := testCtx(t)
	t.Run("list filtered by external_ids", func(t *testing.T) {
		filter := ovsdb.PortFilter{Bridge: br,
			ExternalIDs: map[string]string{"strata-type": "container", "pod-namespace": "default"}}
		ports, err := e.client.ListPorts(ctx, filter)
		require.NoError(t, err)
		require.Len(t, ports, 1)
		p := ports[0]
		assert.Equal(t, pod.HostIfName, p.Name)
		assert.Equal(t, int32(20), p.OFPort)
		assert.Equal(t, "web", p.ExternalIDs["pod-name"])
		assert.Equal(t, map[string]string{"attached-mac": pod.MAC}, p.InterfaceExternalIDs)
		// vswitchd reports mac_in_use asynchronously.
		assert.EventuallyWithT(t, func(c *assert.CollectT) {
			ports, err := e.client.ListPorts(ctx, filter)
			if assert.NoError(c, err) && assert.Len(c, ports, 1) {
				assert.Regexp(c, `^([0-9a-f]{2}:){5}[0-9a-f]{2}$`, ports[0].MAC, "mac_in_use of the host end")
			}
		}, 10*time.Second, 50*time.Millisecond)
	})

	t.Run("list all ports of the bridge", func(t *testing.T) {
		ports, err := e.client.ListPorts(ctx, ovsdb.PortFilter{Bridge: br})
		require.NoError(t, err)
		byName := map[string]ovsdb.PortInfo{}
		for _, p := range ports {
			byName[p.Name] = p
		}
		assert.Len(t, ports, 4, "three ports and the bridge's local port")
		assert.Equal(t, int32(65534), byName[br].OFPort, "local port")
		for _, tc := range tests {
			assert.Equal(t, tc.cfg.OFPortRequest, byName[tc.cfg.Name].OFPort, tc.cfg.Name)
		}
	})

	t.Run("list by name on a missing bridge", func(t *testing.T) {
		_, err := e.client.ListPorts(ctx, ovsdb.PortFilter{Bridge: "nosuchbr", Name: pod.HostIfName})
		assert.ErrorIs(t, err, ovsdb.ErrNotFound)
	})

}

func TestWaitOFPortErrors(t *testing.T) {
	t.Parallel()
	e := setup(t)
	br := e.addBridge(t)
	_, err := e.client.AddPort(testCtx(t), ovsdb.PortConfig{Bridge: br, Name: "nodev0"})
	require.NoError(t, err)

	tests := []struct {
		name    string
		iface   string
		wantErr []string
	}{
		{
			name:    "device does not exist",
			iface:   "nodev0",
			wantErr: []string{`wait for ofport of interface "nodev0"`, "ofport -1", "could not open network device nodev0", "deadline exceeded"},
		},
		{
			name:    "no such interface",
			iface:   "ghost0",
			wantErr: []string{`wait for ofport of interface "ghost0"`, "interface not in the database", "deadline exceeded"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			_, err := e.client.WaitOFPort(ctx, tc.iface)
			require.Error(t, err)
			for _, want := range tc.wantErr {
				assert.ErrorContains(t, err, want)
			}
		})
	}
}

func TestRefusedTransactions(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := testCtx(t)
	br := e.addBridge(t)
	_, err := e.client.AddPort(ctx, ovsdb.PortConfig{Bridge: br, Name: "dup0", Type: "internal"})
	require.NoError(t, err)

	tests := refusedCases(ctx, e, br)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.do()
			require.Error(t, err)
			t.Logf("error: %v", err)
			for _, want := range tc.wantErr {
				assert.ErrorContains(t, err, want)
			}
			var txnErr *ovsdb.TransactionError
			assert.Equal(t, tc.wantTxn, errors.As(err, &txnErr), "TransactionError")
			assert.Equal(t, tc.notFound, errors.Is(err, ovsdb.ErrNotFound), "ErrNotFound")
		})
	}
	assert.Equal(t, "dup0", e.vsctl(t, "list-ports", br), "refused transactions left nothing behind")
	assert.Equal(t, "{}", e.vsctl(t, "get", "Bridge", br, "external_ids"))
	assert.Equal(t, br, e.vsctl(t, "list-br"))
}

type refusedCase struct {
	name     string
	do       func() error
	wantErr  []string
	wantTxn  bool // a *TransactionError is in the chain
	notFound bool
}

func refusedCases(ctx context.Context, e env, br string) []refusedCase {
	return []refusedCase{
		{
			name:    "duplicate port name",
			do:      func() error { _, err := e.client.AddPort(ctx, ovsdb.PortConfig{Bridge: br, Name: "dup0"}); return err },
			wantErr: []string{`add port "dup0" to bridge "` + br + `"`, "constraint violation", "dup0"},
			wantTxn: true,
		},
		{
			name: "unknown column",
			do: func() error {
				_, err := e.client.Transact(ctx, ovsdb.Insert("Bridge", map[string]any{"name": "x", "colour": "blue"}, ""))
				return err
			},
			wantErr: []string{"ovsdb refused operation 0 (insert Bridge)", "colour"},
			wantTxn: true,
		},
		{
			name: "value outside the schema enum",
			do: func() error {
				_, err := e.client.Transact(ctx, ovsdb.Update("Bridge", []ovsdb.Condition{ovsdb.Equal("name", br)},
					map[string]any{"fail_mode": "closed"}))
				return err
			},
			wantErr: []string{"ovsdb refused operation 0 (update Bridge)", "closed"},
			wantTxn: true,
		},
		{
			name: "wait precondition not met",
			do: func() error {
				_, err := e.client.Transact(ctx,
					ovsdb.Wait("Bridge", []ovsdb.Condition{ovsdb.Equal("name", br)}, ovsdb.WaitCondition{
						Columns: []string{"fail_mode"}, Until: "==", Rows: []map[string]any{{"fail_mode": ovsdb.Set{"standalone"}}}}),
					ovsdb.MutateOp("Bridge", []ovsdb.Condition{ovsdb.Equal("name", br)},
						ovsdb.SetKey("external_ids", "must-not", "be-set")...))
				return err
			},
			wantErr: []string{"ovsdb refused operation 0 (wait Bridge): timed out"},
			wantTxn: true,
		},
		{
			name: "port on a missing bridge",
			do: func() error {
				_, err := e.client.AddPort(ctx, ovsdb.PortConfig{Bridge: "nobr0", Name: "p0"})
				return err
			},
			wantErr:  []string{`add port "p0": bridge "nobr0" not found`},
			notFound: true,
		},
		{
			name: "ofport request out of range",
			do: func() error {
				_, err := e.client.AddPort(ctx, ovsdb.PortConfig{Bridge: br, Name: "p0", OFPortRequest: 70000})
				return err
			},
			wantErr: []string{"ofport request 70000 out of range 1..65279"},
		},
	}
}

func trimQuotes(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}
