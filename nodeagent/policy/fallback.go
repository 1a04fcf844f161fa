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
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/klog/v2"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
)

// The files of the saved state, one per kind, each a v1beta2 list in JSON. One
// file per kind rather than per object: each file is replaced atomically with a
// single rename, no stale per-object files need deleting, and a Node with
// thousands of groups costs three writes, not thousands. The three files are not
// replaced together; a crash between two renames leaves kinds from two
// consecutive snapshots, which is harmless: the saved state is only used until
// the first sync, and a rule whose groups are missing just waits.
const (
	policiesFile        = "networkpolicies.json"
	appliedToGroupsFile = "appliedtogroups.json"
	addressGroupsFile   = "addressgroups.json"
)

// stateStore saves and loads the cached objects in a directory.
type stateStore struct{ dir string }

// save writes the state, each file atomically (temporary file, fsync, rename,
// fsync of the directory).
func (s stateStore) save(st *state) error {
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return fmt.Errorf("creating state directory: %w", err)
	}
	gv := v1beta2.SchemeGroupVersion.String()
	files := []struct {
		name string
		obj  any
	}{
		{policiesFile, &v1beta2.NetworkPolicyList{
			TypeMeta: metav1.TypeMeta{APIVersion: gv, Kind: "NetworkPolicyList"}, Items: st.policies}},
		{appliedToGroupsFile, &v1beta2.AppliedToGroupList{
			TypeMeta: metav1.TypeMeta{APIVersion: gv, Kind: "AppliedToGroupList"}, Items: st.appliedTo}},
		{addressGroupsFile, &v1beta2.AddressGroupList{
			TypeMeta: metav1.TypeMeta{APIVersion: gv, Kind: "AddressGroupList"}, Items: st.address}},
	}
	for _, f := range files {
		data, err := json.Marshal(f.obj)
		if err != nil {
			return fmt.Errorf("encoding %s: %w", f.name, err)
		}
		if err := writeFileAtomic(s.dir, f.name, data); err != nil {
			return err
		}
	}
	return nil
}

// writeFileAtomic replaces dir/name with data so that a reader sees either the
// old or the new content, also across a crash.
func writeFileAtomic(dir, name string, data []byte) (err error) {
	tmp, err := os.CreateTemp(dir, "."+name+".tmp-*")
	if err != nil {
		return fmt.Errorf("creating temporary file for %s: %w", name, err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", tmp.Name(), err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", tmp.Name(), err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("closing %s: %w", tmp.Name(), err)
	}
	if err = os.Rename(tmp.Name(), filepath.Join(dir, name)); err != nil {
		return fmt.Errorf("renaming %s: %w", tmp.Name(), err)
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("opening %s: %w", dir, err)
	}
	defer func() { _ = d.Close() }()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", dir, err)
	}
	return nil
}

// load reads the saved state; found is false when nothing was saved. A missing
// file is an empty kind.
func (s stateStore) load() (st *state, found bool, err error) {
	var nps v1beta2.NetworkPolicyList
	var atgs v1beta2.AppliedToGroupList
	var ags v1beta2.AddressGroupList
	for _, f := range []struct {
		name string
		obj  any
	}{{policiesFile, &nps}, {appliedToGroupsFile, &atgs}, {addressGroupsFile, &ags}} {
		ok, err := readJSON(filepath.Join(s.dir, f.name), f.obj)
		if err != nil {
			return nil, false, err
		}
		found = found || ok
	}
	return &state{policies: nps.Items, appliedTo: atgs.Items, address: ags.Items}, found, nil
}

// readJSON decodes a file; false when it does not exist.
func readJSON(path string, obj any) (bool, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading saved state: %w", err)
	}
	if err := json.Unmarshal(data, obj); err != nil {
		return false, fmt.Errorf("decoding saved state %s: %w", path, err)
	}
	return true, nil
}

// persister saves the state when asked, at most once per interval.
type persister struct {
	store    stateStore
	snapshot func() *state
	interval time.Duration
	kick     chan struct{} // capacity 1
}

func newPersister(store stateStore, snapshot func() *state, interval time.Duration) *persister {
	return &persister{store: store, snapshot: snapshot, interval: interval, kick: make(chan struct{}, 1)}
}

// request asks for a save; requests made before it happens are merged.
func (p *persister) request() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

func (p *persister) run(ctx context.Context) {
	logger := klog.FromContext(ctx).WithName("fallback")
	for {
		select {
		case <-ctx.Done():
			return
		case <-p.kick:
		}
		if err := p.store.save(p.snapshot()); err != nil {
			logger.Error(err, "Cannot save the policy state", "dir", p.store.dir)
		} else {
			logger.V(4).Info("Saved the policy state", "dir", p.store.dir)
		}
		if !sleepCtx(ctx, p.interval) {
			return
		}
	}
}

// sleepCtx waits for d; false when ctx is done first.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
