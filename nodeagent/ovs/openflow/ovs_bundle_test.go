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
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func simpleFlow(table uint8, prio uint16, cookie uint64, port uint32) Flow {
	return Flow{Table: table, Priority: prio, Cookie: cookie, Match: MustMatch(InPort(port)), Instructions: Apply(Output{Port: PortNormal})}
}

func TestOVSBundleAtomicity(t *testing.T) {
	b := startBridge(t, Config{})
	base := simpleFlow(0, 1, 1, 1)
	require.NoError(t, b.conn.Exec(b.ctx, AddFlow(base)))
	overlapping := simpleFlow(0, 1, 1, 1)
	overlapping.Flags = FlagCheckOverlap
	overlapping.Match = MustMatch() // overlaps in_port=1 at the same priority

	tests := []struct {
		name    string
		bad     Flow
		errName string
	}{
		{
			name:    "rejected when added (goto_table backwards)",
			bad:     Flow{Table: 5, Priority: 10, Match: MustMatch(InPort(3)), Instructions: Goto(2)},
			errName: "OFPBIC_BAD_TABLE_ID",
		},
		{name: "rejected at commit (check_overlap)", bad: overlapping, errName: "OFPFMFC_OVERLAP"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mods := []FlowMod{
				AddFlow(simpleFlow(1, 100, 2, 1)), AddFlow(simpleFlow(1, 100, 2, 2)),
				AddFlow(tc.bad),
				AddFlow(simpleFlow(1, 100, 2, 3)),
			}
			err := b.conn.BundleFlowMods(b.ctx, mods)
			var be *BatchError
			require.ErrorAs(t, err, &be, "bundle with a bad flow must fail")
			require.NotEmpty(t, be.Errors)
			assert.Equal(t, 2, be.Errors[0].Index, "the error names the offending flow")
			assert.Equal(t, mods[2], be.Errors[0].Msg)
			assert.Equal(t, tc.errName, be.Errors[0].Err.Name())
			t.Logf("error: %v", err)
			assert.Equal(t, []Flow{base}, b.dumpFlows(t), "a failed bundle changes nothing")
		})
	}
}

func TestOVSCookieRoundDelete(t *testing.T) {
	b := startBridge(t, Config{})
	const npCategory = 2 << 40
	round := func(r uint64) uint64 { return r<<48 | npCategory }
	var round1, round2 []FlowMod
	for i, table := range []uint8{0, 5, 10, 19} {
		round1 = append(round1, AddFlow(simpleFlow(table, 100, round(1)|uint64(i), uint32(i+1))))
		round2 = append(round2, AddFlow(simpleFlow(table, 200, round(2)|uint64(i), uint32(i+1))))
	}
	require.NoError(t, b.conn.BundleFlowMods(b.ctx, append(append([]FlowMod(nil), round1...), round2...)))
	require.Len(t, b.dumpFlows(t), 8)

	require.NoError(t, b.conn.Exec(b.ctx, DeleteCookie(1<<48, 0xffff<<48)))
	var want []Flow
	for _, fm := range round2 {
		want = append(want, fm.Flow)
	}
	sortFlows(want)
	assert.Equal(t, want, b.dumpFlows(t), "only round 2 is left, in every table")
}
