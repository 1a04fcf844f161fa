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

package filemodes

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestRestrict(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T, state, logDir, log string)
	}{
		{"nothing exists", func(*testing.T, string, string, string) {}},
		{"hostPath-like 0755 directories and a 0644 np.log", func(t *testing.T, state, logDir, log string) {
			mustMkdir(t, state, 0o755)
			mustMkdir(t, logDir, 0o755)
			if err := os.WriteFile(log, []byte("x\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			mustChmod(t, log, 0o644)
		}},
		{"world-writable", func(t *testing.T, state, logDir, log string) {
			mustMkdir(t, state, 0o777)
			mustMkdir(t, logDir, 0o777)
			if err := os.WriteFile(log, nil, 0o666); err != nil {
				t.Fatal(err)
			}
			mustChmod(t, log, 0o666)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			state, logDir := filepath.Join(root, "lib", "strata"), filepath.Join(root, "log", "strata", "networkpolicy")
			log := filepath.Join(logDir, "np.log")
			tc.setup(t, state, logDir, log)
			if err := Restrict(state, log); err != nil {
				t.Fatalf("Restrict: %v", err)
			}
			wantMode(t, state, DirMode)
			wantMode(t, logDir, DirMode)
			if _, err := os.Stat(log); err == nil {
				wantMode(t, log, FileMode)
			}
		})
	}
}

// TestRestrictKeepsTighterModes: a tighter mode is not loosened.
func TestRestrictKeepsTighterModes(t *testing.T) {
	root := t.TempDir()
	log := filepath.Join(root, "np.log")
	if err := os.WriteFile(log, nil, 0o400); err != nil {
		t.Fatal(err)
	}
	mustChmod(t, log, 0o400)
	if err := Restrict(filepath.Join(root, "state"), log); err != nil {
		t.Fatal(err)
	}
	wantMode(t, log, 0o400)
}

func mustMkdir(t *testing.T, dir string, mode fs.FileMode) {
	t.Helper()
	if err := os.MkdirAll(dir, mode); err != nil {
		t.Fatal(err)
	}
	mustChmod(t, dir, mode)
}

func mustChmod(t *testing.T, path string, mode fs.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func wantMode(t *testing.T, path string, want fs.FileMode) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != want {
		t.Errorf("%s: mode %v, want %v", path, got, want)
	}
}
