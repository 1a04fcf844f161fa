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
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/nodeagent/types"
)

func stateOfObjects(nps []*v1beta2.NetworkPolicy, atgs []*v1beta2.AppliedToGroup, ags []*v1beta2.AddressGroup) *state {
	c, _ := newTestCache()
	c.replacePolicies(nps)
	for _, g := range atgs {
		c.upsertGroup(appliedToGroups, groupA(g))
	}
	for _, g := range ags {
		c.upsertGroup(addressGroups, group1(g))
	}
	return c.snapshot()
}

func TestStateStoreRoundTrip(t *testing.T) {
	f := newFixture()
	dir := filepath.Join(t.TempDir(), "policy")
	store := stateStore{dir: dir}

	_, found, err := store.load()
	require.NoError(t, err)
	assert.False(t, found, "nothing saved yet")

	want := stateOfObjects(f.policies(), f.atgs, f.ags)
	require.NoError(t, store.save(want))
	got, found, err := store.load()
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, want, got)

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.Equal(t, []string{addressGroupsFile, appliedToGroupsFile, policiesFile}, names, "no temporary files left")
	data, err := os.ReadFile(filepath.Join(dir, policiesFile))
	require.NoError(t, err)
	assert.Contains(t, string(data), `"kind":"NetworkPolicyList","apiVersion":"controlplane.antrea.io/v1beta2"`)

	// Saving a smaller state replaces the files.
	require.NoError(t, store.save(stateOfObjects(f.policies()[:1], nil, nil)))
	got, _, err = store.load()
	require.NoError(t, err)
	assert.Len(t, got.policies, 1)
	assert.Empty(t, got.appliedTo)
}

func TestStateStoreLoadErrors(t *testing.T) {
	tests := []struct {
		name      string
		files     map[string]string
		wantFound bool
		wantErr   string
	}{
		{name: "only policies", files: map[string]string{policiesFile: `{"items":[]}`}, wantFound: true},
		{name: "corrupt", files: map[string]string{addressGroupsFile: `{"items":[`},
			wantErr: "decoding saved state"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tc.files {
				require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600))
			}
			_, found, err := stateStore{dir: dir}.load()
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantFound, found)
		})
	}
}

func TestControllerFallback(t *testing.T) {
	f := newFixture()
	dir := t.TempDir()
	old := acnp("p-old", 1, []string{"atg1"}, ingress(0, 22, "ag1"))
	saved := stateOfObjects([]*v1beta2.NetworkPolicy{f.p1, old}, f.atgs, f.ags)
	require.NoError(t, stateStore{dir: dir}.save(saved))

	h := newHarness(t, func(c *Config) {
		c.StateDir = dir
		c.Timeouts.Fallback = 20 * time.Millisecond
		c.PersistInterval = time.Millisecond
	})
	h.setDown(true) // strata-apiserver unreachable
	h.start()

	fallbackRules := sorted(append(ruleIDsOf(f.p1), ruleIDsOf(old)...)...)
	eventually(t, func(c *assert.CollectT) { assert.Equal(c, fallbackRules, h.rec.installedIDs()) },
		"the saved state is enforced")
	assert.False(t, h.ctrl.Synced())
	assert.Zero(t, h.reporter.count(), "no status from the saved state")
	h.mu.Lock()
	assert.Greater(t, len(h.selectors), 3, "the watches keep trying")
	h.mu.Unlock()

	h.setDown(false)
	h.syncAll(f.policies(), f.atgs, f.ags)
	eventually(t, func(c *assert.CollectT) {
		assert.Equal(c, f.allRules(), h.rec.installedIDs(), "the sync replaced the saved state")
		assert.Equal(c, []v1beta2.NetworkPolicyNodeStatus{realized(1)}, h.reporter.of("p1"))
	})
	var forgotten []types.RuleID
	for _, call := range h.rec.callLog() {
		if call.op == "forget" {
			forgotten = append(forgotten, call.ids...)
		}
	}
	assert.Equal(t, ruleIDsOf(old), forgotten)

	eventually(t, func(c *assert.CollectT) {
		st, found, err := stateStore{dir: dir}.load()
		if assert.NoError(c, err) && assert.True(c, found) {
			assert.Equal(c, stateOfObjects(f.policies(), f.atgs, f.ags), st, "the synced state is saved")
		}
	})
}

func TestControllerFallbackOnlyUnsyncedKinds(t *testing.T) {
	f := newFixture()
	dir := t.TempDir()
	require.NoError(t, stateStore{dir: dir}.save(stateOfObjects(f.policies(), f.atgs, f.ags)))
	h := newHarness(t, func(c *Config) {
		c.StateDir = dir
		c.Timeouts.Fallback = 20 * time.Millisecond
	})
	h.start()
	// Only p2 is synced from the server; the groups never sync.
	h.initial(kindPolicies, f.p2)
	eventually(t, func(c *assert.CollectT) { assert.Equal(c, ruleIDsOf(f.p2), h.rec.installedIDs()) },
		"synced policies with saved groups")
	assert.False(t, h.ctrl.Synced())
}

func TestControllerSavesStateAfterSync(t *testing.T) {
	f := newFixture()
	dir := t.TempDir()
	require.NoError(t, stateStore{dir: dir}.save(stateOfObjects([]*v1beta2.NetworkPolicy{
		acnp("p-old", 1, []string{"atg1"}, ingress(0, 22, "ag1"))}, f.atgs, f.ags)))
	h := newHarness(t, func(c *Config) {
		c.StateDir = dir
		c.PersistInterval = time.Hour
	})
	h.start()
	h.syncAll(f.policies(), f.atgs, f.ags)
	// The first save after the sync overwrites p-old, which was never loaded.
	eventually(t, func(c *assert.CollectT) {
		st, _, err := stateStore{dir: dir}.load()
		if assert.NoError(c, err) {
			assert.Len(c, st.policies, 3)
		}
	})
	for _, call := range h.rec.callLog() {
		assert.Equal(t, "reconcile", call.op)
	}
	assert.Equal(t, f.allRules(), h.rec.installedIDs())
}
