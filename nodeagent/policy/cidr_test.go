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

package policy

import (
	"net/netip"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
)

func prefixes(ss ...string) []netip.Prefix {
	var out []netip.Prefix
	for _, s := range ss {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}

func TestSubtractPrefixes(t *testing.T) {
	tests := []struct {
		name    string
		base    string
		excepts []string
		want    []string
	}{
		{name: "no except", base: "10.0.0.0/8", want: []string{"10.0.0.0/8"}},
		{name: "ipv4 one except in the middle", base: "10.0.0.0/8", excepts: []string{"10.1.0.0/16"},
			want: []string{"10.0.0.0/16", "10.2.0.0/15", "10.4.0.0/14", "10.8.0.0/13", "10.16.0.0/12",
				"10.32.0.0/11", "10.64.0.0/10", "10.128.0.0/9"}},
		{name: "ipv4 except the upper half", base: "192.168.0.0/24", excepts: []string{"192.168.0.128/25"},
			want: []string{"192.168.0.0/25"}},
		{name: "ipv4 except a host", base: "192.168.0.0/30", excepts: []string{"192.168.0.2/32"},
			want: []string{"192.168.0.0/31", "192.168.0.3/32"}},
		{name: "ipv4 two excepts", base: "10.0.0.0/24", excepts: []string{"10.0.0.0/26", "10.0.0.192/26"},
			want: []string{"10.0.0.64/26", "10.0.0.128/26"}},
		{name: "ipv4 nested excepts", base: "10.0.0.0/24", excepts: []string{"10.0.0.0/25", "10.0.0.0/26"},
			want: []string{"10.0.0.128/25"}},
		{name: "ipv4 except covers base", base: "10.0.0.0/24", excepts: []string{"10.0.0.0/16"}},
		{name: "ipv4 except equals base", base: "10.0.0.0/24", excepts: []string{"10.0.0.0/24"}},
		{name: "ipv4 except outside base", base: "10.0.0.0/24", excepts: []string{"10.0.1.0/24"},
			want: []string{"10.0.0.0/24"}},
		{name: "unmasked base and except", base: "10.0.0.7/24", excepts: []string{"10.0.0.200/25"},
			want: []string{"10.0.0.0/25"}},
		{name: "any ipv4 except a /32", base: "0.0.0.0/0", excepts: []string{"255.255.255.255/32"},
			want: []string{"0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/3", "224.0.0.0/4", "240.0.0.0/5",
				"248.0.0.0/6", "252.0.0.0/7", "254.0.0.0/8", "255.0.0.0/9", "255.128.0.0/10",
				"255.192.0.0/11", "255.224.0.0/12", "255.240.0.0/13", "255.248.0.0/14", "255.252.0.0/15",
				"255.254.0.0/16", "255.255.0.0/17", "255.255.128.0/18", "255.255.192.0/19",
				"255.255.224.0/20", "255.255.240.0/21", "255.255.248.0/22", "255.255.252.0/23",
				"255.255.254.0/24", "255.255.255.0/25", "255.255.255.128/26", "255.255.255.192/27",
				"255.255.255.224/28", "255.255.255.240/29", "255.255.255.248/30", "255.255.255.252/31",
				"255.255.255.254/32"}},
		{name: "ipv6 one except", base: "fd00::/16", excepts: []string{"fd00:8000::/17"},
			want: []string{"fd00::/17"}},
		{name: "ipv6 except deeper", base: "2001:db8::/32", excepts: []string{"2001:db8:1::/48"},
			want: []string{"2001:db8::/48", "2001:db8:2::/47", "2001:db8:4::/46", "2001:db8:8::/45",
				"2001:db8:10::/44", "2001:db8:20::/43", "2001:db8:40::/42", "2001:db8:80::/41",
				"2001:db8:100::/40", "2001:db8:200::/39", "2001:db8:400::/38", "2001:db8:800::/37",
				"2001:db8:1000::/36", "2001:db8:2000::/35", "2001:db8:4000::/34", "2001:db8:8000::/33"}},
		{name: "ipv6 except a host at the top", base: "fd00::/126", excepts: []string{"fd00::3/128"},
			want: []string{"fd00::/127", "fd00::2/128"}},
		{name: "ipv6 except of the other family ignored", base: "fd00::/64", excepts: []string{"10.0.0.0/8"},
			want: []string{"fd00::/64"}},
		{name: "ipv4 except of the other family ignored", base: "10.0.0.0/8", excepts: []string{"::/0"},
			want: []string{"10.0.0.0/8"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := subtractPrefixes(netip.MustParsePrefix(tc.base), prefixes(tc.excepts...))
			assert.Equal(t, prefixes(tc.want...), got)
			assertDisjointCover(t, netip.MustParsePrefix(tc.base), prefixes(tc.excepts...), got)
		})
	}
}

// assertDisjointCover checks that got is disjoint, excludes every except, and holds
// no two siblings (which one shorter prefix would cover: the set is minimal); on
// small bases, that every address of base is in got exactly when no except has it.
func assertDisjointCover(t *testing.T, base netip.Prefix, excepts, got []netip.Prefix) {
	t.Helper()
	for i, a := range got {
		for _, b := range got[i+1:] {
			assert.False(t, a.Overlaps(b), "%s overlaps %s", a, b)
			if a.Bits() == b.Bits() && a.Bits() > 0 {
				pa, _ := a.Addr().Prefix(a.Bits() - 1)
				pb, _ := b.Addr().Prefix(b.Bits() - 1)
				assert.NotEqual(t, pa, pb, "%s and %s are siblings", a, b)
			}
		}
		for _, e := range excepts {
			if e.Addr().Is4() == a.Addr().Is4() {
				assert.False(t, a.Overlaps(e), "%s overlaps except %s", a, e)
			}
		}
		assert.True(t, base.Masked().Contains(a.Addr()), "%s outside %s", a, base)
	}
	if base.Addr().BitLen()-base.Bits() > 16 {
		return
	}
	for a := base.Masked().Addr(); base.Contains(a); a = a.Next() {
		excepted := slices.ContainsFunc(excepts, func(e netip.Prefix) bool { return e.Contains(a) })
		covered := slices.ContainsFunc(got, func(p netip.Prefix) bool { return p.Contains(a) })
		require.NotEqual(t, excepted, covered, "address %s", a)
	}
}

func TestIPBlockPrefixes(t *testing.T) {
	ipnet := func(s string) v1beta2.IPNet {
		p := netip.MustParsePrefix(s)
		return v1beta2.IPNet{IP: p.Addr().AsSlice(), PrefixLength: int32(p.Bits())}
	}
	tests := []struct {
		name    string
		block   v1beta2.IPBlock
		want    []string
		wantErr string
	}{
		{name: "any ipv4", block: v1beta2.IPBlock{CIDR: ipnet("0.0.0.0/0")}, want: []string{"0.0.0.0/0"}},
		{name: "any ipv6", block: v1beta2.IPBlock{CIDR: ipnet("::/0")}, want: []string{"::/0"}},
		{name: "ipv4 as 16 bytes", block: v1beta2.IPBlock{
			CIDR: v1beta2.IPNet{IP: netip.MustParseAddr("::ffff:10.0.0.0").AsSlice(), PrefixLength: 8}},
			want: []string{"10.0.0.0/8"}},
		{name: "with except", block: v1beta2.IPBlock{CIDR: ipnet("10.0.0.0/8"),
			Except: []v1beta2.IPNet{ipnet("10.128.0.0/9")}}, want: []string{"10.0.0.0/9"}},
		{name: "bad ip", block: v1beta2.IPBlock{CIDR: v1beta2.IPNet{IP: []byte{1, 2, 3}, PrefixLength: 8}},
			wantErr: "invalid IP address of 3 bytes"},
		{name: "bad prefix length", block: v1beta2.IPBlock{CIDR: v1beta2.IPNet{IP: []byte{10, 0, 0, 0}, PrefixLength: 33}},
			wantErr: "invalid prefix length 33"},
		{name: "bad except", block: v1beta2.IPBlock{CIDR: ipnet("10.0.0.0/8"),
			Except: []v1beta2.IPNet{{IP: []byte{10}, PrefixLength: 9}}}, wantErr: "except: invalid IP"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ipBlockPrefixes(tc.block)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, prefixes(tc.want...), got)
		})
	}
}
