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

package ovstest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// Prefixes of instance directories (/tmp/strata-ovs-<pid>-<rand>) and
// namespaces (strata-ovs-<pid>-<id>-<suffix>). The test process PID in the
// name lets sweepStale recognise leftovers of dead test processes.
const (
	dirPrefix   = "strata-ovs-"
	netnsPrefix = "strata-ovs-"
)

// ovsDaemons are the only process names sweepStale may kill.
var ovsDaemons = map[string]bool{"ovsdb-server": true, "ovs-vswitchd": true}

// sweepStale removes what an earlier test process left behind when it died
// without running its cleanups (e.g. killed by go test -timeout): daemons
// from its pidfiles (by PID, after checking the process name), namespaces
// and directories. Anything owned by a live process is left alone.
func sweepStale(t testing.TB) {
	dirs, _ := filepath.Glob(filepath.Join(tmpRoot, dirPrefix+"*"))
	for _, dir := range dirs {
		if ownerDead(filepath.Base(dir)) {
			killFromPidfiles(t, filepath.Join(dir, "run"))
			t.Logf("ovstest: removing stale directory %s", dir)
			_ = os.RemoveAll(dir)
		}
	}
	entries, _ := os.ReadDir("/run/netns")
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), netnsPrefix) && ownerDead(e.Name()) {
			t.Logf("ovstest: removing stale network namespace %s", e.Name())
			_, _ = run(context.Background(), nil, "ip", "netns", "delete", e.Name())
		}
	}
}

// ownerDead reports whether name is strata-ovs-<pid>-... with pid not running.
func ownerDead(name string) bool {
	rest, ok := strings.CutPrefix(name, dirPrefix)
	if !ok {
		return false
	}
	pidStr, _, _ := strings.Cut(rest, "-")
	pid, err := strconv.Atoi(pidStr)
	if err != nil || pid == os.Getpid() {
		return false
	}
	return !processAlive(pid)
}

func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

func killFromPidfiles(t testing.TB, runDir string) {
	pidfiles, _ := filepath.Glob(filepath.Join(runDir, "*.pid"))
	for _, f := range pidfiles {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || !processAlive(pid) {
			continue
		}
		comm, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "comm"))
		if err != nil || !ovsDaemons[strings.TrimSpace(string(comm))] {
			continue
		}
		t.Logf("ovstest: killing stale %s (pid %d)", strings.TrimSpace(string(comm)), pid)
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}
