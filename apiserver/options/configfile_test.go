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

package options

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	utilfeature "k8s.io/apiserver/pkg/util/feature"

	"github.com/strata-net/strata/apiserver/features"
)

func TestFeatureGatesFromConfigAndFlags(t *testing.T) {
	for _, tc := range []struct {
		name    string
		file    string // "" = no --config
		flags   map[string]bool
		want    bool // AntreaPolicy afterwards
		wantErr string
	}{
		{name: "default: on", want: true},
		{name: "file turns it off", file: "featureGates:\n  AntreaPolicy: false\n", want: false},
		{name: "flag wins over the file", file: "featureGates:\n  AntreaPolicy: false\n", flags: map[string]bool{"AntreaPolicy": true}, want: true},
		{name: "flag alone", flags: map[string]bool{"AntreaPolicy": false}, want: false},
		{name: "the ConfigMap's commented default", file: "# AntreaPolicy is on by default\nfeatureGates:\n  AntreaPolicy: true\n", want: true},
		{name: "unknown gate in the file", file: "featureGates:\n  NoSuchGate: true\n", wantErr: "featureGates: unrecognized feature gate: NoSuchGate"},
		{name: "unknown field in the file", file: "featureGate:\n  AntreaPolicy: true\n", wantErr: `unknown field "featureGate"`},
		{name: "not YAML of the right shape", file: "featureGates: [AntreaPolicy]\n", wantErr: "--config"},
		{name: "unknown gate in the flag", flags: map[string]bool{"NoSuchGate": true}, wantErr: "--feature-gates: unrecognized feature gate: NoSuchGate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Cleanup(func() {
				require.NoError(t, utilfeature.DefaultMutableFeatureGate.SetFromMap(map[string]bool{"AntreaPolicy": true}))
			})
			o := &Options{FeatureGates: tc.flags}
			if tc.file != "" {
				o.ConfigFile = filepath.Join(t.TempDir(), "strata-apiserver.conf")
				require.NoError(t, os.WriteFile(o.ConfigFile, []byte(tc.file), 0o600))
			}
			err := o.applyFeatureGates()
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, features.Enabled(features.AntreaPolicy))
		})
	}
}

func TestConfigFileMissing(t *testing.T) {
	o := &Options{ConfigFile: filepath.Join(t.TempDir(), "nope.conf")}
	require.ErrorContains(t, o.applyFeatureGates(), "--config: open ")
}
