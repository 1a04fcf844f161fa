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
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sweepFlows turns the generated match and action cases into flows with
// distinct keys that OVS accepts.
func sweepFlows(t *testing.T) []Flow {
	t.Helper()
	var flows []Flow
	for i, mc := range allMatchCases() {
		m, err := NewMatch(mc.fields...)
		require.NoError(t, err, mc.name)
		flows = append(flows, Flow{Table: uint8(i % 20), Priority: uint16(100 + i), Cookie: 0x1020000000000 | uint64(i),
			Match: m, Instructions: Apply(Output{Port: 1}).Goto(25)})
	}
	for i, ac := range allActionCases() {
		m, err := NewMatch(ac.match...)
		require.NoError(t, err, ac.name)
		flows = append(flows, Flow{Table: 30, Priority: uint16(1000 + i), Cookie: uint64(i), Match: m, Instructions: Apply(ac.acts...)})
	}
	return flows
}

// setupGroupsMeters creates what the sweep flows reference.
func setupGroupsMeters(t *testing.T, b *ovsBridge) {
	t.Helper()
	require.NoError(t, b.conn.Exec(b.ctx,
		DeleteAllGroups(), DeleteAllMeters(),
		MeterMod{Command: MeterAdd, Flags: MeterPktps | MeterBurst | MeterStats, MeterID: 256, Bands: []MeterBand{{Type: MeterBandDrop, Rate: 100, BurstSize: 200}}},
		GroupMod{Command: GroupAdd, Type: GroupTypeAll, GroupID: 1, Buckets: []Bucket{
			{ID: 0, Actions: []Action{ResubmitTable(16)}}, {ID: 1, Actions: []Action{reg0Output, ResubmitTable(19)}}}},
		GroupMod{Command: GroupAdd, Type: GroupTypeSelect, GroupID: 2, Buckets: []Bucket{
			{ID: 0, Weight: 100, Actions: []Action{Output{Port: 1}}}, {ID: 1, Weight: 50, Actions: []Action{Output{Port: 2}}}}},
	))
}

// TestOVSFlowsAppearIdentically installs every generated flow through our
// client and checks that OVS reports exactly the same flows, both in our
// FLOW_DESC decoding (== on Flow values) and in ovs-ofctl dump-flows text
// (compared with ovs-ofctl's own rendering of the flow mods we sent).
func TestOVSFlowsAppearIdentically(t *testing.T) {
	b := startBridge(t, Config{})
	setupGroupsMeters(t, b)
	flows := sweepFlows(t)
	mods := make([]FlowMod, len(flows))
	for i, f := range flows {
		mods[i] = AddFlow(f)
	}
	require.NoError(t, b.conn.BundleFlowMods(b.ctx, mods))

	want := append([]Flow(nil), flows...)
	sortFlows(want)
	got := b.dumpFlows(t)
	require.Len(t, got, len(want))
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("flow %d differs:\n sent %v\n  got %v\n%s", i, want[i], got[i], cmp.Diff(
				fmt.Sprintf("%x %x", want[i].Match.OXM(), want[i].Instructions.Bytes()),
				fmt.Sprintf("%x %x", got[i].Match.OXM(), got[i].Instructions.Bytes())))
		}
	}
	assert.Equal(t, ofpPrintText(t, flows), b.ofctlDumpText(t))
	t.Logf("%d flows identical in FLOW_DESC and dump-flows", len(flows))
}
