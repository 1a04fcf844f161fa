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

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// learnActionCases join the sweep: OVS accepts them and reports them back
// identically (TestOVSFlowsAppearIdentically).
func learnActionCases() []actionCase {
	return []actionCase{
		{"learn affinity idle", mTCP, []Action{affinityLearn(10800, 0)}},
		{"learn affinity hard", mTCP, []Action{affinityLearn(0, 300)}},
		{"learn output and partial match", mIP, []Action{Learn{Table: 3, Priority: 9, Flags: LearnSendFlowRem, FinIdleTimeout: 1, FinHardTimeout: 2,
			Specs: []LearnSpec{LearnMatchOf(FieldInPort), LearnMatch{Dst: Bits(Reg(1), 3, 8), Src: Bits(Reg(2), 1, 8)}, LearnOutput{Src: Whole(Reg(0))}}}}},
		{"learn2 limit", mIP, []Action{Learn{Table: 3, Priority: 7, Limit: 10, Flags: LearnWriteResult, ResultDst: Bits(Reg(5), 3, 1),
			Specs: []LearnSpec{LearnMatchImm(FieldEthType, 0x800), LearnMatchOf(FieldIPv4Src)}}}},
	}
}

func TestLearnRoundTrip(t *testing.T) {
	for _, tc := range learnActionCases() {
		t.Run(tc.name, func(t *testing.T) {
			enc := AppendActions(nil, tc.acts...)
			require.Zero(t, len(enc)%8)
			back, err := DecodeActions(enc)
			require.NoError(t, err)
			assert.Empty(t, cmp.Diff(tc.acts, back, cmpOpts...))
			assert.Equal(t, enc, AppendActions(nil, back...))
		})
	}
}

func TestLearnDecodeErrors(t *testing.T) {
	// learn(table=1) with a 16-byte spec area appended; the action length is
	// patched to fit.
	withSpecs := func(specs string) []byte {
		b := append(AppendActions(nil, Learn{Table: 1})[:32], unhex(t, specs)...)
		be.PutUint16(b[2:], uint16(len(b)))
		return b
	}
	tests := []struct {
		name string
		b    []byte
	}{
		{name: "short fixed part", b: withSpecs("")[:24]},
		{name: "truncated field spec", b: withSpecs("0010 00001402 0000 0000 00000000")},
		{name: "zero n_bits", b: withSpecs("0800 00010604 0000 00010604 0000")},
		{name: "reserved header bits", b: withSpecs("c010 00001402 0000 00001402 0000")},
		{name: "immediate output", b: withSpecs("3010 0001 00010604 0000 000000000000")},
		{name: "unknown field", b: withSpecs("0010 7fff1402 0000 7fff1402 0000")},
		{name: "subfield past the field end", b: withSpecs("0010 00001402 0008 00001402 0000")},
		{name: "garbage after padding", b: withSpecs("0000 0000 0000 0001")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeActions(tc.b)
			assert.ErrorIs(t, err, ErrAction)
		})
	}
}

func TestLearnString(t *testing.T) {
	tests := []struct {
		name string
		a    Action
		want string
	}{
		{name: "defaults", a: Learn{Table: 1, Priority: 0x8000}, want: "learn(table=1)"},
		{name: "zero immediate", a: Learn{Priority: 1, Specs: []LearnSpec{LearnLoadImm(0, Bits(Reg(4), 16, 1))}},
			want: "learn(table=0,priority=1,load:0->NXM_NX_REG4[16])"},
		{name: "ipv4 and mac immediates", a: Learn{Priority: 1, Specs: []LearnSpec{LearnMatchImm(FieldIPv4Src, 0x0a000001), LearnMatchImm(FieldEthDst, 0x020000000001)}},
			want: "learn(table=0,priority=1,ip_src=10.0.0.1,eth_dst=02:00:00:00:00:01)"},
		{name: "partial immediate match", a: Learn{Priority: 1, Specs: []LearnSpec{LearnMatchValue{Dst: Bits(FieldCTMark, 0, 4), Value: Uint128{Lo: 5}}}},
			want: "learn(table=0,priority=1,NXM_NX_CT_MARK[0..3]=0x5)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { assert.Equal(t, tc.want, tc.a.String()) })
	}
}
