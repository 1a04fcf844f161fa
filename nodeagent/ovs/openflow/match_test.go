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
	"encoding/hex"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	s = strings.Join(strings.Fields(s), "")
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}

func TestMatchGolden(t *testing.T) {
	tests := []struct {
		name   string
		fields []MatchField
		want   string
	}{
		{name: "ip nw_src", fields: []MatchField{IPv4Src(netip.MustParsePrefix("10.77.0.11/32"))}, want: "80000a02 0800 80001604 0a4d000b"},
		{name: "reg1 as xreg0", fields: []MatchField{RegField(1, 2)}, want: "80010110 0000000000000002 00000000ffffffff"},
		{name: "tcp dst", fields: []MatchField{EthType(EthTypeIPv4), TCPDst(8080)}, want: "80000a02 0800 80001401 06 80001c02 1f90"},
		{name: "conj_id ip", fields: []MatchField{EthType(EthTypeIPv4), ConjID(1)}, want: "00014a04 00000001 80000a02 0800"},
		{name: "ct_state ct_mark", fields: []MatchField{CTMarkMasked(0, 0x20), CTState(0x21, 0x21)}, want: "0001d308 00000021 00000021 0001d708 00000000 00000020"},
		{name: "reg0+reg1 full", fields: []MatchField{RegField(1, 2), RegField(0, 1)}, want: "80010008 00000001 00000002"},
		{name: "zero mask dropped", fields: []MatchField{RegFieldMasked(3, 0, 0)}, want: ""},
		{name: "cidr", fields: []MatchField{IPv4Dst(netip.MustParsePrefix("10.0.0.0/8"))}, want: "80000a02 0800 80001908 0a000000 ff000000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := NewMatch(tc.fields...)
			require.NoError(t, err)
			assert.Equal(t, hex.EncodeToString(unhex(t, tc.want)), hex.EncodeToString(m.OXM()))
			back, err := ParseMatch(m.OXM())
			require.NoError(t, err)
			assert.Equal(t, m, back)
		})
	}
}

func TestMatchErrors(t *testing.T) {
	tests := []struct {
		name   string
		fields []MatchField
		errSub string
	}{
		{name: "tcp without ip", fields: []MatchField{TCPDst(80)}, errSub: "tcp_dst requires ip or ipv6"},
		{name: "v4 and v6", fields: []MatchField{IPv4Src(netip.MustParsePrefix("1.2.3.4/32")), IPv6Dst(netip.MustParsePrefix("::1/128"))}, errSub: "different eth_types"},
		{name: "duplicate", fields: []MatchField{InPort(1), InPort(2)}, errSub: "in_port given twice"},
		{name: "ct_nw_src without ct_state", fields: []MatchField{CTNwSrc(netip.MustParsePrefix("1.2.3.4/32"))}, errSub: "ct_nw_src requires eth_type=0x0800 and a ct_state"},
		{name: "masked conj_id", fields: []MatchField{FieldUintMasked(FieldConjID, 1, 1)}, errSub: "not maskable"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewMatch(tc.fields...)
			require.ErrorIs(t, err, ErrMatch)
			assert.Contains(t, err.Error(), tc.errSub)
		})
	}
}
