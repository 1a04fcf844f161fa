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

package fqdn

import (
	"context"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestCacheKeptAcrossRestarts: Run saves the learnt addresses; a new cache on
// the same file has them, without those that expired meanwhile.
func TestCacheKeptAcrossRestarts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fqdn.json")
	c, err := New(Config{StatePath: path, SaveInterval: 10 * time.Millisecond})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.Run(ctx, func(context.Context, []string) error { return nil })
	}()
	a := netip.MustParseAddr("10.0.0.1")
	c.Learn(ctx, []Record{{Name: "a.test", Addr: a, TTL: time.Hour}})
	require.Eventually(t, func() bool {
		restarted, err := New(Config{StatePath: path})
		if err == nil {
			err = restarted.Load()
		}
		return err == nil && len(restarted.Addresses("a.test")) == 1 && restarted.Addresses("a.test")[0] == a
	}, 5*time.Second, 10*time.Millisecond, "a.test saved to %s and loaded by a new cache", path)
	cancel()
	<-done
}

func TestCacheLoadSkipsExpired(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fqdn.json")
	now := time.Unix(5000, 0)
	data, err := json.Marshal([]savedAddr{
		{Name: "old.test", Addr: netip.MustParseAddr("10.0.0.1"), Expires: now.Add(-time.Second)},
		{Name: "new.test", Addr: netip.MustParseAddr("10.0.0.2"), Expires: now.Add(time.Minute)},
	})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, data, 0o600))
	c, err := New(Config{StatePath: path, Now: func() time.Time { return now }})
	require.NoError(t, err)
	require.NoError(t, c.Load())
	require.Empty(t, c.Addresses("old.test"))
	require.Equal(t, []netip.Addr{netip.MustParseAddr("10.0.0.2")}, c.Addresses("new.test"))

	require.NoError(t, os.WriteFile(path, []byte("{not json"), 0o600))
	c, err = New(Config{StatePath: path})
	require.NoError(t, err)
	require.ErrorContains(t, c.Load(), path)
	require.Empty(t, c.Addresses("new.test"))
}
