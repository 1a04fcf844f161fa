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

package pipeline

import (
	"encoding/hex"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-net/strata/nodeagent/ovs/openflow"
)

// requireOFCtl skips without ovs-ofctl, except as root (CI has OVS).
func requireOFCtl(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("ovs-ofctl"); err != nil {
		if os.Geteuid() == 0 {
			t.Fatalf("ovs-ofctl not found: %v", err)
		}
		t.Skip("ovs-ofctl is not installed and this is not root; as root (CI) a missing ovs-ofctl fails instead")
	}
}

var ofpPrintLine = regexp.MustCompile(`^OFPT_FLOW_MOD \(OF1\.5\) \(xid=0x[0-9a-f]+\): ADD (?:table:(\d+) )?(.*)$`)

// TestFormatMatchesOFCtl checks the golden-file formatter against
// `ovs-ofctl ofp-print` of the encoded flow mods: the golden files show
// exactly what OVS would print for the bytes we send.
func TestFormatMatchesOFCtl(t *testing.T) {
	requireOFCtl(t)
	flows := goldenFlowSet(t)
	seen := map[openflow.FlowKey]bool{}
	var msgs []string
	var want []string
	for _, f := range flows {
		if seen[f.Key()] {
			continue
		}
		seen[f.Key()] = true
		f.Cookie = 0
		msgs = append(msgs, hex.EncodeToString(openflow.AppendMessage(nil, 1, openflow.AddFlow(f))))
		want = append(want, ofctlFormat{numeric: true}.flow(f))
	}
	// One ofp-print per message; batch them through a shell loop for speed.
	script := "for m in " + strings.Join(msgs, " ") + "; do ovs-ofctl ofp-print $m; done"
	res, err := exec.Command("sh", "-c", script).CombinedOutput()
	require.NoError(t, err, string(res))
	lines := strings.Split(strings.TrimSpace(string(res)), "\n")
	require.Len(t, lines, len(want))
	for i, line := range lines {
		m := ofpPrintLine.FindStringSubmatch(line)
		require.NotNil(t, m, line)
		table := m[1]
		if table == "" {
			table = "0"
		}
		got := "table=" + table + ", " + m[2]
		if !strings.Contains(got, " actions=") { // drop flows print "actions=drop" too
			got += " actions=drop"
		}
		assert.Equal(t, want[i], got)
	}
}
