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

package openflow

import (
	"context"
	"encoding/hex"
	"fmt"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/strata-net/strata/nodeagent/ovs/ovstest"
)

// ovsBridge is a private OVS with one bridge and a connected Conn.
type ovsBridge struct {
	ovs    *ovstest.Instance
	name   string
	mgmt   string
	conn   *Conn
	ctx    context.Context
	cancel context.CancelFunc
}

func startBridge(t *testing.T, cfg Config) *ovsBridge {
	t.Helper()
	ovstest.Require(t)
	ovs := ovstest.StartOVS(t)
	name := ovstest.UniqueName("br")
	mgmt, err := ovs.AddBridge(name)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	cfg.Addr = "unix:" + mgmt
	c, err := Dial(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return &ovsBridge{ovs: ovs, name: name, mgmt: mgmt, conn: c, ctx: ctx, cancel: cancel}
}

func (b *ovsBridge) ofctl(t *testing.T, args ...string) string {
	t.Helper()
	out, err := b.ovs.OFCtl(append([]string{"-O", "OpenFlow15"}, args...)...)
	require.NoError(t, err, out)
	return out
}

// dumpFlows returns our FLOW_DESC view, sorted.
func (b *ovsBridge) dumpFlows(t *testing.T) []Flow {
	t.Helper()
	stats, err := b.conn.DumpFlows(b.ctx, FlowDescRequest{Table: TableAll})
	require.NoError(t, err)
	out := make([]Flow, len(stats))
	for i, s := range stats {
		out[i] = s.Flow
	}
	sortFlows(out)
	return out
}

func sortFlows(fs []Flow) {
	sort.Slice(fs, func(i, j int) bool { return flowSortKey(fs[i]) < flowSortKey(fs[j]) })
}

func flowSortKey(f Flow) string {
	return fmt.Sprintf("%03d/%05d/%x", f.Table, 65535-int(f.Priority), f.Match.OXM())
}

var (
	dumpStats   = regexp.MustCompile(`(duration|n_packets|n_bytes|idle_age|hard_age)=[^,]*, `)
	printPrefix = regexp.MustCompile(`^.*\): ADD (table:(\d+) )?`)
)

// ofctlDumpText is `ovs-ofctl dump-flows` normalized to
// "cookie=X, table=N, priority=...match actions=..." lines, sorted.
func (b *ovsBridge) ofctlDumpText(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, line := range strings.Split(b.ofctl(t, "dump-flows", b.name), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "OFPST_FLOW") {
			continue
		}
		line = dumpStats.ReplaceAllString(line, "")
		if !strings.Contains(line, "table=") {
			line = strings.Replace(line, ", ", ", table=0, ", 1)
		}
		out = append(out, line)
	}
	sort.Strings(out)
	return out
}

// ofpPrintText renders our flows with ovs-ofctl ofp-print into the same
// normalized form as ofctlDumpText.
func ofpPrintText(t *testing.T, flows []Flow) []string {
	t.Helper()
	var out []string
	for _, f := range flows {
		hexMsg := hex.EncodeToString(AppendMessage(nil, 1, AddFlow(f)))
		res, err := exec.Command("ovs-ofctl", "ofp-print", hexMsg).CombinedOutput()
		require.NoError(t, err, string(res))
		line := strings.TrimSpace(string(res))
		m := printPrefix.FindStringSubmatch(line)
		require.NotNil(t, m, line)
		table := "0"
		if m[2] != "" {
			table = m[2]
		}
		rest := line[len(m[0]):]
		// ofp-print: "<match> cookie:0x.. actions=..."; dump-flows: "cookie=0x.., table=N, <match> actions=..."
		cookie := "0x0"
		if i := strings.Index(rest, " cookie:"); i >= 0 {
			j := strings.Index(rest[i+1:], " ")
			cookie = rest[i+8 : i+1+j]
			rest = rest[:i] + rest[i+1+j:]
		}
		rest = strings.TrimPrefix(rest, " ")
		if strings.HasPrefix(rest, "actions=") {
			rest = "priority=" + fmt.Sprint(f.Priority) + " " + rest
		}
		out = append(out, fmt.Sprintf("cookie=%s, table=%s, %s", cookie, table, rest))
	}
	sort.Strings(out)
	return out
}

// pollUntil polls cond every 50ms until it returns true or the timeout expires.
func pollUntil(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		<-tick.C
	}
}
