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

package policy

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-net/strata/generated/clientset/versioned/fake"
)

func TestConfigDefaults(t *testing.T) {
	client := fake.NewSimpleClientset()
	cfg := Config{NodeName: testNode, Client: client, Reconciler: newFakeReconciler()}
	cfg.Defaults()
	require.NoError(t, cfg.Validate())
	assert.Equal(t, NewClientStatusReporter(client), cfg.StatusReporter)
	assert.Equal(t, DefaultBatchSize, cfg.BatchSize)
	assert.Equal(t, Backoff{Initial: 500 * time.Millisecond, Max: 30 * time.Second, Jitter: DefaultResyncJitter}, cfg.ResyncBackoff)
	assert.Equal(t, Backoff{Initial: time.Second, Max: 5 * time.Minute}, cfg.RetryBackoff)
	assert.Equal(t, Timeouts{InitialBookmark: time.Minute, Fallback: 10 * time.Second}, cfg.Timeouts)
	assert.Equal(t, DefaultPersistInterval, cfg.PersistInterval)
}

func TestConfigValidate(t *testing.T) {
	valid := func() Config {
		cfg := Config{NodeName: testNode, Client: fake.NewSimpleClientset(), Reconciler: newFakeReconciler()}
		cfg.Defaults()
		return cfg
	}
	tests := []struct {
		name    string
		modify  func(c *Config)
		wantErr string
	}{
		{name: "valid", modify: func(*Config) {}},
		{name: "no node", modify: func(c *Config) { c.NodeName = "" }, wantErr: "NodeName is required"},
		{name: "no client", modify: func(c *Config) { c.Client = nil }, wantErr: "Client is required"},
		{name: "no reconciler", modify: func(c *Config) { c.Reconciler = nil }, wantErr: "Reconciler is required"},
		{name: "no reporter", modify: func(c *Config) { c.StatusReporter = nil }, wantErr: "StatusReporter is required"},
		{name: "negative batch", modify: func(c *Config) { c.BatchSize = -1 }, wantErr: "BatchSize must be positive, not -1"},
		{name: "backoff max below initial", modify: func(c *Config) { c.RetryBackoff = Backoff{Initial: time.Second, Max: time.Millisecond} },
			wantErr: "RetryBackoff must have 0 < Initial <= Max, not 1s and 1ms"},
		{name: "negative timeout", modify: func(c *Config) { c.Timeouts.Fallback = -time.Second },
			wantErr: "Timeouts.Fallback must be positive, not -1s"},
		{name: "several errors reported together", modify: func(c *Config) { c.NodeName, c.Reconciler = "", nil },
			wantErr: "[NodeName is required, Reconciler is required]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := valid()
			tc.modify(&cfg)
			err := cfg.Validate()
			if tc.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tc.wantErr)
		})
	}
	t.Run("New validates", func(t *testing.T) {
		_, err := New(Config{})
		require.ErrorContains(t, err, "invalid policy controller config")
	})
}
