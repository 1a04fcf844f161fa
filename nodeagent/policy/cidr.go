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
	"cmp"
	"fmt"
	"net/netip"
	"slices"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
)

// subtractPrefixes returns the minimal set of disjoint prefixes that cover base
// minus every prefix in excepts, sorted by address. Excepts of the other address
// family or outside base are ignored; an except that covers base leaves nothing.
func subtractPrefixes(base netip.Prefix, excepts []netip.Prefix) []netip.Prefix {
	out := []netip.Prefix{base.Masked()}
	for _, e := range excepts {
		e = e.Masked()
		if e.Addr().Is4() != base.Addr().Is4() {
			continue
		}
		var next []netip.Prefix
		for _, p := range out {
			next = append(next, subtractPrefix(p, e)...)
		}
		out = next
	}
	slices.SortFunc(out, comparePrefixes)
	return out
}

// subtractPrefix returns p minus e. When e lies strictly inside p, p is halved
// until the half holding e is e itself; each other half is kept whole, which
// yields e.Bits()-p.Bits() prefixes, the fewest possible.
func subtractPrefix(p, e netip.Prefix) []netip.Prefix {
	if !p.Overlaps(e) {
		return []netip.Prefix{p}
	}
	if e.Bits() <= p.Bits() { // e covers p
		return nil
	}
	var out []netip.Prefix
	for p.Bits() < e.Bits() {
		low, high := halves(p)
		if high.Contains(e.Addr()) {
			out, p = append(out, low), high
		} else {
			out, p = append(out, high), low
		}
	}
	return out
}

// halves splits p into its two sub-prefixes one bit longer.
func halves(p netip.Prefix) (low, high netip.Prefix) {
	bits := p.Bits() + 1
	low = netip.PrefixFrom(p.Addr(), bits)
	return low, netip.PrefixFrom(setBit(p.Addr(), p.Bits()), bits)
}

// setBit returns a with bit i (0 = most significant) set.
func setBit(a netip.Addr, i int) netip.Addr {
	if a.Is4() {
		b := a.As4()
		b[i/8] |= 0x80 >> (i % 8)
		return netip.AddrFrom4(b)
	}
	b := a.As16()
	b[i/8] |= 0x80 >> (i % 8)
	return netip.AddrFrom16(b)
}

// comparePrefixes orders prefixes by address, then by length; IPv4 first.
func comparePrefixes(a, b netip.Prefix) int {
	if c := a.Addr().Compare(b.Addr()); c != 0 {
		return c
	}
	return cmp.Compare(a.Bits(), b.Bits())
}

// addrFromIP converts a controlplane IP (4 or 16 bytes; IPv4-mapped IPv6 is taken
// as IPv4) to an address.
func addrFromIP(ip v1beta2.IPAddress) (netip.Addr, error) {
	a, ok := netip.AddrFromSlice(ip)
	if !ok {
		return netip.Addr{}, fmt.Errorf("invalid IP address of %d bytes", len(ip))
	}
	return a.Unmap(), nil
}

// prefixFromIPNet converts a controlplane IPNet to a masked prefix.
func prefixFromIPNet(n v1beta2.IPNet) (netip.Prefix, error) {
	a, ok := netip.AddrFromSlice(n.IP)
	if !ok {
		return netip.Prefix{}, fmt.Errorf("invalid IP address of %d bytes in CIDR", len(n.IP))
	}
	if a.Is4In6() && n.PrefixLength <= 32 {
		a = a.Unmap()
	}
	p := netip.PrefixFrom(a, int(n.PrefixLength))
	if !p.IsValid() {
		return netip.Prefix{}, fmt.Errorf("invalid prefix length %d for %s", n.PrefixLength, a)
	}
	return p.Masked(), nil
}

// ipBlockPrefixes returns the prefixes of an ipBlock: its CIDR minus its
// exceptions.
func ipBlockPrefixes(b v1beta2.IPBlock) ([]netip.Prefix, error) {
	base, err := prefixFromIPNet(b.CIDR)
	if err != nil {
		return nil, fmt.Errorf("ipBlock: %w", err)
	}
	excepts := make([]netip.Prefix, 0, len(b.Except))
	for _, e := range b.Except {
		p, err := prefixFromIPNet(e)
		if err != nil {
			return nil, fmt.Errorf("ipBlock %s except: %w", base, err)
		}
		excepts = append(excepts, p)
	}
	return subtractPrefixes(base, excepts), nil
}
