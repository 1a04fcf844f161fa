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
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSweepRoundTrip checks decode(encode(x)) == x for every generated message.
func TestSweepRoundTrip(t *testing.T) {
	for _, mc := range sweepMessages() {
		t.Run(mc.name, func(t *testing.T) {
			b, err := Encode(42, mc.msg)
			require.NoError(t, err)
			h, back, err := DecodeMessage(b)
			require.NoError(t, err)
			assert.Equal(t, uint32(42), h.Xid)
			assert.Empty(t, cmp.Diff(mc.msg, back, cmpOpts...))
			assert.Equal(t, b, AppendMessage(nil, 42, back), "re-encoding the decoded message")
		})
	}
}

// TestSweepActionsDecode checks that typed actions survive encode/decode.
func TestSweepActionsDecode(t *testing.T) {
	for _, ac := range allActionCases() {
		t.Run(ac.name, func(t *testing.T) {
			d, err := Apply(ac.acts...).Decode()
			require.NoError(t, err)
			assert.Empty(t, cmp.Diff(ac.acts, d.Apply, cmpOpts...))
			for _, a := range ac.acts {
				assert.NotEmpty(t, a.String())
			}
		})
	}
}

var xidLine = regexp.MustCompile(`^\S.*\(OF1\.5\) \(xid=0x([0-9a-f]+)\)`)

// TestSweepOfpPrint feeds every generated message to `ovs-ofctl ofp-parse`
// and requires a clean decode (ofp-print exits 0 even on errors, so the
// output is checked for "***" markers and "bad", and stderr must be empty).
func TestSweepOfpPrint(t *testing.T) {
	ofctl, err := exec.LookPath("ovs-ofctl")
	if err != nil {
		t.Fatalf("ovs-ofctl is needed to check the encoding (make deps, or apt-get install openvswitch-switch): %v", err)
	}
	msgs := sweepMessages()
	var buf bytes.Buffer
	for i, mc := range msgs {
		b, err := Encode(uint32(i+1), mc.msg)
		require.NoError(t, err, mc.name)
		buf.Write(b)
	}
	file := filepath.Join(t.TempDir(), "sweep.bin")
	require.NoError(t, os.WriteFile(file, buf.Bytes(), 0o644))
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(ofctl, "ofp-parse", file)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), stderr.String())
	assert.Empty(t, stderr.String(), "ovs-ofctl warnings (run the messages one by one with ofp-print to attribute)")
	segments := splitByXid(t, stdout.String(), uint32(len(msgs)))
	for i, mc := range msgs {
		seg, ok := segments[uint32(i+1)]
		if !assert.True(t, ok, "%s: no ofp-parse output", mc.name) {
			continue
		}
		assert.False(t, ofpPrintComplains(seg), "%s:\n%s", mc.name, seg)
	}
	t.Logf("ofp-parse accepted %d messages", len(msgs))
}

// ofpPrintComplains reports decode errors in ofp-print output. The only
// tolerated marker is the informational one for truncated packet-ins.
func ofpPrintComplains(out string) bool {
	out = strings.ReplaceAll(out, "(***total_len != data_len***)", "")
	return strings.Contains(out, "***") || strings.Contains(out, "bad")
}

// splitByXid groups ofp-parse output lines by the xid of the top-level
// message. Embedded messages (errors, bundles) print their own header lines;
// only a header with the next expected xid starts a new segment.
func splitByXid(t *testing.T, out string, n uint32) map[uint32]string {
	t.Helper()
	segs := map[uint32]string{}
	var cur uint32
	for _, line := range strings.Split(out, "\n") {
		if m := xidLine.FindStringSubmatch(line); m != nil {
			x, err := strconv.ParseUint(m[1], 16, 32)
			require.NoError(t, err)
			if uint32(x) > cur && uint32(x) <= n {
				cur = uint32(x)
			}
		}
		segs[cur] += line + "\n"
	}
	return segs
}

func ExampleFlow() {
	f := Flow{
		Table: 14, Priority: 14500, Cookie: 0x1020000000000,
		Match:        MustMatch(IPv4Src(pfx("10.77.0.11/32"))),
		Instructions: Apply(Conjunction{ID: 1, Clause: 1, NClauses: 3}),
	}
	fmt.Println(f)
	// Output: cookie=0x1020000000000,table=14,priority=14500,eth_type=0x800,ipv4_src=10.77.0.11 actions=conjunction(1,1/3)
}

// TestRoundTripOpaqueMessages covers the catch-all message types, which
// ovs-ofctl cannot print meaningfully (unknown experimenters and types).
func TestRoundTripOpaqueMessages(t *testing.T) {
	tests := []msgCase{
		{"experimenter", Experimenter{Experimenter: 0x4f4e4600, ExpType: 9, Data: []byte{1, 2, 3}}},
		{"nicira other", Experimenter{Experimenter: NiciraID, ExpType: 29, Data: []byte{0, 0, 0, 0, 0, 0, 0xff, 0xf0}}},
		{"unknown type", Unknown{Type: TypePortStatus, Body: []byte{1, 2, 3, 4}}},
		{"multipart request", MultipartRequest{Type: 13, Body: []byte{0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff}}},
		{"multipart reply", MultipartReply{Type: 7, Flags: MultipartMore, Body: []byte{1}}},
	}
	for _, mc := range tests {
		t.Run(mc.name, func(t *testing.T) {
			_, back, err := DecodeMessage(AppendMessage(nil, 5, mc.msg))
			require.NoError(t, err)
			assert.Empty(t, cmp.Diff(mc.msg, back, cmpOpts...))
		})
	}
}
