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
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSweepStale simulates leftovers of a test process that died (PID
// 2147483646 does not exist): the sweep removes its namespace and directory,
// and does not kill a pidfile process that is not an OVS daemon.
func TestSweepStale(t *testing.T) {
	Require(t)
	const deadOwner = "2147483646"
	ns := netnsPrefix + deadOwner + "-" + randomHex(8) + "-ovs"
	dir := filepath.Join(tmpRoot, dirPrefix+deadOwner+"-"+randomHex(8))
	t.Cleanup(func() { _ = os.RemoveAll(dir) })

	bystander := exec.Command("sleep", "60")
	require.NoError(t, bystander.Start())
	t.Cleanup(func() { _ = bystander.Process.Kill(); _ = bystander.Wait() })

	// Build the directory under a name no sweeper matches, then rename it into
	// place: a concurrently running test process may sweep it at any moment.
	staging, err := os.MkdirTemp(tmpRoot, "strata-sweeptest-") // same filesystem as dir
	require.NoError(t, err)
	require.NoError(t, os.Mkdir(filepath.Join(staging, "run"), 0o755))
	pidfile := filepath.Join(staging, "run", "ovs-vswitchd.pid")
	require.NoError(t, os.WriteFile(pidfile, []byte(strconv.Itoa(bystander.Process.Pid)+"\n"), 0o644))
	require.NoError(t, os.Rename(staging, dir))
	_, err = run(context.Background(), nil, "ip", "netns", "add", ns)
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = run(context.Background(), nil, "ip", "netns", "delete", ns) })

	sweepStale(t)

	assert.NoFileExists(t, filepath.Join(netnsDir, ns))
	assert.NoDirExists(t, dir)
	assert.True(t, processAlive(bystander.Process.Pid), "a non-OVS process named in a pidfile is not killed")
}
