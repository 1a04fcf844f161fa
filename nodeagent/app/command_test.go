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

package app

import (
	"fmt"
	"maps"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-net/strata/nodeagent"
	"github.com/strata-net/strata/nodeagent/agentserver"
)

// TestFlagDefaultsAreConfigDefaults: every flag bound to a Config field defaults to
// what Config.Defaults() sets, so the defaults have one source.
func TestFlagDefaultsAreConfigDefaults(t *testing.T) {
	want := nodeagent.Config{NodeName: os.Getenv("NODE_NAME")}
	want.Defaults()
	flags := NewCommand().Flags()
	for _, field := range slices.Sorted(maps.Keys(configFlags)) {
		name := configFlags[field]
		t.Run(name, func(t *testing.T) {
			f := flags.Lookup(name)
			require.NotNil(t, f, "flag --%s of Config.%s", name, field)
			assert.Equal(t, fmt.Sprint(fieldByPath(t, want, field)), f.DefValue, "default of --%s vs Config.%s after Defaults()", name, field)
		})
	}
	t.Run("bind-address", func(t *testing.T) {
		srv := agentserver.Config{}
		srv.Defaults()
		assert.Equal(t, srv.BindAddress, flags.Lookup("bind-address").DefValue)
	})
}

// TestEveryConfigFieldHasAFlag: a field added to Config without a flag (or a flag
// mapping) fails here. Kube is set by --pod-network.
func TestEveryConfigFieldHasAFlag(t *testing.T) {
	var fields []string
	collectFields(reflect.TypeOf(nodeagent.Config{}), "", &fields)
	for _, field := range fields {
		if field == "Kube" {
			continue
		}
		assert.Contains(t, configFlags, field, "Config.%s has no flag in configFlags", field)
	}
	assert.Len(t, configFlags, len(fields)-1, "configFlags maps a field Config does not have")
}

// TestValidationNamesTheFlag: Config.Validate names fields; the command names the
// flags bound to them.
func TestValidationNamesTheFlag(t *testing.T) {
	tests := []struct {
		name      string
		mutate    func(c *nodeagent.Config)
		wantField string
		wantFlag  string
	}{
		{name: "missing node name", mutate: func(c *nodeagent.Config) { c.NodeName = "" },
			wantField: "NodeName: required", wantFlag: "--node-name: required"},
		{name: "bad datapath", mutate: func(c *nodeagent.Config) { c.DatapathType = "dpdk" },
			wantField: `DatapathType: "dpdk" is neither`, wantFlag: `--datapath-type: "dpdk" is neither`},
		{name: "MTU out of range", mutate: func(c *nodeagent.Config) { c.MTU = 70 },
			wantField: "MTU: 70 out of range", wantFlag: "--mtu: 70 out of range"},
		{name: "negative sync timeout", mutate: func(c *nodeagent.Config) { c.SyncTimeout = -1 },
			wantField: "SyncTimeout: negative", wantFlag: "--sync-timeout: negative"},
		{name: "long gateway name", mutate: func(c *nodeagent.Config) { c.GatewayName = "a-very-long-gateway" },
			wantField: "GatewayName: ", wantFlag: "--gateway-name: "},
		{name: "missing host netns", mutate: func(c *nodeagent.Config) { c.HostNetNS = "/nonexistent/netns" },
			wantField: "HostNetNS: ", wantFlag: "--host-netns: "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := nodeagent.Config{NodeName: "node1", DatapathType: nodeagent.DatapathNetdev}
			cfg.Defaults()
			require.NoError(t, cfg.Validate(), "the defaulted Config is valid")
			tc.mutate(&cfg)
			err := cfg.Validate()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantField)
			assert.NotContains(t, err.Error(), "--", "Config's messages name fields, not flags")
			assert.Contains(t, withFlagNames(err).Error(), tc.wantFlag)
		})
	}
}

// fieldByPath returns the value of a field of cfg by its path ("CNI.BinDir").
func fieldByPath(t *testing.T, cfg nodeagent.Config, path string) any {
	t.Helper()
	v := reflect.ValueOf(cfg)
	for _, name := range strings.Split(path, ".") {
		v = v.FieldByName(name)
		require.True(t, v.IsValid(), "Config has no field %s", path)
	}
	return v.Interface()
}

// collectFields appends the paths of the exported leaf fields of struct type typ.
func collectFields(typ reflect.Type, prefix string, out *[]string) {
	for i := range typ.NumField() {
		f := typ.Field(i)
		if !f.IsExported() {
			continue
		}
		if f.Type.Kind() == reflect.Struct {
			collectFields(f.Type, prefix+f.Name+".", out)
			continue
		}
		*out = append(*out, prefix+f.Name)
	}
}
