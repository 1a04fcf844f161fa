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

package vnode

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/strata-net/strata/nodeagent/ovs/ovstest"
)

func TestSortMounts(t *testing.T) {
	in := []mountSpec{{Target: "/etc/resolv.conf"}, {Target: "/etc"}, {Target: "/var/run/secrets/x"}, {Target: "/data"}, {Target: "/etc/coredns/"}}
	want := []mountSpec{{Target: "/etc"}, {Target: "/data"}, {Target: "/etc/resolv.conf"}, {Target: "/etc/coredns/"}, {Target: "/var/run/secrets/x"}}
	if got := sortMounts(in); !reflect.DeepEqual(got, want) {
		t.Errorf("sortMounts = %v, want %v", got, want)
	}
}

func TestUnescapeMountinfo(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/plain", "/plain"},
		{`/with\040space`, "/with space"},
		{`/tab\011and\134backslash`, "/tab\tand\\backslash"},
		{`/trailing\04`, `/trailing\04`},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := unescapeMountinfo(tc.in); got != tc.want {
				t.Errorf("unescapeMountinfo(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestMountNamespace creates a mount namespace with a file and a read-only
// directory mounted, runs processes in it, and removes it.
func TestMountNamespace(t *testing.T) {
	ovstest.Require(t) // root
	dir := t.TempDir()
	nsDir := filepath.Join(dir, "mntns")
	if err := prepareMountNSDir(nsDir); err != nil {
		t.Fatalf("prepareMountNSDir: %v", err)
	}
	t.Cleanup(func() {
		if err := releaseMountNSDir(nsDir); err != nil {
			t.Errorf("releaseMountNSDir: %v", err)
		}
	})
	srcFile, srcDir := filepath.Join(dir, "src-file"), filepath.Join(dir, "src-dir")
	if err := os.WriteFile(srcFile, []byte("inside\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(srcDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(srcDir, "f"), []byte("dir file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(dir, "target")
	path := filepath.Join(nsDir, "pod-app")
	mounts := []mountSpec{{Source: srcDir, Target: filepath.Join(target, "d"), ReadOnly: true}, {Source: srcFile, Target: filepath.Join(target, "d", "x", "file")}}
	err := createMountNS(path, mounts, []string{nsDir})
	if err == nil {
		t.Fatal("createMountNS mounted a file inside a read-only mount")
	}
	mounts = []mountSpec{{Source: srcFile, Target: filepath.Join(target, "file")}, {Source: srcDir, Target: filepath.Join(target, "d"), ReadOnly: true}}
	if err := createMountNS(path, mounts, []string{nsDir}); err != nil {
		t.Fatalf("createMountNS: %v", err)
	}
	run := func(args ...string) (string, int) {
		var out bytes.Buffer
		code, err := runToCompletion(t.Context(), procSpec{Argv: args, MntNS: path, Stdout: &out, Stderr: &out})
		if err != nil {
			t.Fatalf("%q: %v", args, err)
		}
		return out.String(), code
	}
	if out, code := run("/bin/cat", filepath.Join(target, "file"), filepath.Join(target, "d", "f")); code != 0 || out != "inside\ndir file\n" {
		t.Errorf("cat in the namespace: %q (exit %d)", out, code)
	}
	if out, code := run("/bin/sh", "-c", "touch "+filepath.Join(target, "d", "new")); code == 0 {
		t.Errorf("writing a read-only mount succeeded: %q", out)
	}
	if out, _ := run("/bin/sh", "-c", "grep -c "+nsDir+" /proc/self/mountinfo"); out != "0\n" {
		t.Errorf("the namespace has %s mounts under %s, want none (hidden)", out, nsDir)
	}
	if data, err := os.ReadFile(filepath.Join(target, "file")); err != nil || len(data) != 0 {
		t.Errorf("the host sees %q (%v) at the mount point, want the empty file", data, err)
	}
	if err := removeMountNS(path); err != nil {
		t.Fatalf("removeMountNS: %v", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the namespace file is left: %v", err)
	}
}
