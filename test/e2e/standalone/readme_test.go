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

package standalone

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/strata-net/strata/test/e2e/framework"
)

// quickStartHeading introduces the README's standalone quick start.
const quickStartHeading = "Try the API alone"

// TestReadmeQuickStart runs the README's "Try the API alone" commands exactly as
// written — same flags, same paths, same port — as a user pasting them would, so
// the README cannot drift from what works. They run in a private network namespace
// (port 8443 is its own loopback's) and a private mount namespace with an empty
// directory over /tmp/strata, in a PID namespace so the server the commands leave
// in the background ends with them.
func TestReadmeQuickStart(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test needs root for its network and mount namespaces (CI runs as root)")
	}
	root, err := framework.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	commands, err := readmeBlock(filepath.Join(root, "README.md"), quickStartHeading)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(commands, "strata-apiserver --standalone") {
		t.Fatalf("the README's quick start no longer starts strata-apiserver --standalone:\n%s", commands)
	}
	created := ensureDir(t, "/tmp/strata")
	t.Cleanup(func() {
		if created {
			_ = os.Remove("/tmp/strata") // only the empty mount point this test made
		}
	})

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := runIsolated(ctx, root, t.TempDir(), commands)
	if err != nil {
		t.Fatalf("the README's quick start failed: %v\ncommands:\n%s\noutput:\n%s", err, commands, out)
	}
	for _, want := range []string{
		"securityops", "baseline",
		"tier.security.antrea.tanzu.vmware.com/mytier created",
		"clusternetworkpolicy.crd.antrea.io/acnp-drop-access-to-redis created",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the quick start's output lacks %q:\n%s", want, out)
		}
	}
	if !hasRow(out, "acnp-drop-access-to-redis", "securityops", "5") {
		t.Errorf("kubectl get acnp did not list acnp-drop-access-to-redis (tier securityops, priority 5):\n%s", out)
	}
}

// hasRow says whether a line of out starts with the given whitespace-separated
// fields.
func hasRow(out string, fields ...string) bool {
	for _, line := range strings.Split(out, "\n") {
		got := strings.Fields(line)
		if len(got) >= len(fields) && strings.Join(got[:len(fields)], " ") == strings.Join(fields, " ") {
			return true
		}
	}
	return false
}

// runIsolated runs commands with bash in new network, mount and PID namespaces,
// from dir, with scratch bound over /tmp/strata.
func runIsolated(ctx context.Context, dir, scratch, commands string) (string, error) {
	script := strings.Join([]string{
		"set -o errexit -o nounset -o pipefail",
		"ip link set lo up",
		"mount --bind " + scratch + " /tmp/strata",
		"cd " + dir,
		commands,
	}, "\n")
	cmd := exec.CommandContext(ctx, "unshare", "--net", "--mount", "--pid", "--fork", "--kill-child",
		"bash", "-c", script)
	out, err := cmd.CombinedOutput()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return string(out), fmt.Errorf("timed out after 5m waiting for the quick start's commands: %w", ctx.Err())
	}
	return string(out), err
}

// readmeBlock returns the first fenced code block after the line that contains
// heading.
func readmeBlock(path, heading string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("reading the README: %w", err)
	}
	defer f.Close()
	var lines []string
	seen, in := false, false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case !seen:
			seen = strings.Contains(line, heading)
		case !in && strings.HasPrefix(line, "```"):
			in = true
		case in && strings.HasPrefix(line, "```"):
			return strings.Join(lines, "\n"), nil
		case in:
			lines = append(lines, line)
		}
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("reading the README: %w", err)
	}
	return "", fmt.Errorf("%s: no code block after %q (found the heading: %v)", path, heading, seen)
}

// ensureDir creates dir when missing and says whether it did.
func ensureDir(t *testing.T, dir string) bool {
	t.Helper()
	if _, err := os.Stat(dir); err == nil {
		return false
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatalf("creating the mount point %s: %v", dir, err)
	}
	return true
}
