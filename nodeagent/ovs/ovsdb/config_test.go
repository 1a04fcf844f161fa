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

package ovsdb

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestConfig(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{name: "defaults", cfg: Config{SocketPath: "/run/openvswitch/db.sock"}},
		{name: "no socket", cfg: Config{}, wantErr: "SocketPath: required"},
		{
			name:    "min above max",
			cfg:     Config{SocketPath: "db.sock", MinBackoff: time.Second, MaxBackoff: time.Millisecond},
			wantErr: "MinBackoff 1s, MaxBackoff 1ms: want 0 < MinBackoff <= MaxBackoff",
		},
		{
			name:    "negative attempt timeout",
			cfg:     Config{SocketPath: "db.sock", AttemptTimeout: -time.Second},
			wantErr: "AttemptTimeout -1s: must be positive",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			cfg.Defaults()
			err := cfg.Validate()
			if tc.wantErr == "" {
				assert.NoError(t, err)
				assert.Equal(t, 100*time.Millisecond, cfg.MinBackoff)
				assert.Equal(t, 5*time.Second, cfg.MaxBackoff)
				assert.Equal(t, 10*time.Second, cfg.AttemptTimeout)
				return
			}
			assert.EqualError(t, err, tc.wantErr)
		})
	}
}
