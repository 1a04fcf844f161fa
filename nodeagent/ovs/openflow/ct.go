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
	"net/netip"
	"strings"
)

// CT sends the packet through the connection tracker (NXAST_CT).
//
// The zone is immediate (Zone) unless ZoneSrc names a field, in which case it
// is read from ZoneSrc[ZoneOfs:ZoneOfs+ZoneNBits]. With Recirc set, the packet
// is recirculated to Table after conntrack (ct(table=N)). Actions are the
// nested exec()/nat actions: SetField on ct_mark/ct_label, CopyField into
// them, and NAT.
type CT struct {
	Commit    bool
	Force     bool
	Zone      uint16
	ZoneSrc   Field
	ZoneOfs   uint16
	ZoneNBits uint16
	Recirc    bool
	Table     uint8
	Alg       uint16
	Actions   []Action
}

const (
	ctFlagCommit uint16 = 1
	ctFlagForce  uint16 = 2
)

func (a CT) appendAction(b []byte) []byte {
	start := len(b)
	b = appendNXHeader(b, nxastCT)
	var flags uint16
	if a.Commit {
		flags |= ctFlagCommit
	}
	if a.Force {
		flags |= ctFlagForce
	}
	b = appendU16(b, flags)
	if a.ZoneSrc == FieldNone {
		b = appendU32(b, 0)
		b = appendU16(b, a.Zone)
	} else {
		b = appendU32(b, a.ZoneSrc.Header(false))
		b = appendU16(b, ofsNBits(a.ZoneOfs, a.ZoneNBits))
	}
	table := uint8(0xff)
	if a.Recirc {
		table = a.Table
	}
	b = append(b, table, 0, 0, 0)
	b = appendU16(b, a.Alg)
	b = AppendActions(b, a.Actions...)
	return finishAction(b, start)
}

func (a CT) String() string {
	var parts []string
	if a.Commit {
		parts = append(parts, "commit")
	}
	if a.Force {
		parts = append(parts, "force")
	}
	if a.Recirc {
		parts = append(parts, fmt.Sprintf("table=%d", a.Table))
	}
	if a.ZoneSrc != FieldNone {
		parts = append(parts, fmt.Sprintf("zone=%v[%d..%d]", a.ZoneSrc, a.ZoneOfs, a.ZoneOfs+a.ZoneNBits-1))
	} else {
		parts = append(parts, fmt.Sprintf("zone=%d", a.Zone))
	}
	if a.Alg != 0 {
		parts = append(parts, fmt.Sprintf("alg=%d", a.Alg))
	}
	var exec []string
	for _, n := range a.Actions {
		if nat, ok := n.(NAT); ok {
			parts = append(parts, nat.String())
			continue
		}
		exec = append(exec, n.String())
	}
	if len(exec) > 0 {
		parts = append(parts, "exec("+strings.Join(exec, ",")+")")
	}
	return "ct(" + strings.Join(parts, ",") + ")"
}

// NATFlags select the kind of NAT.
type NATFlags uint16

// NAT flags.
const (
	NATSrc        NATFlags = 1
	NATDst        NATFlags = 2
	NATPersistent NATFlags = 4
	NATHash       NATFlags = 8
	NATRandom     NATFlags = 16
)

// NAT is the ct nat action. The zero NAT is "nat" (restore the connection's
// existing translation). IPMin/IPMax and PortMin/PortMax give ranges.
type NAT struct {
	Flags   NATFlags
	IPMin   netip.Addr
	IPMax   netip.Addr
	PortMin uint16
	PortMax uint16
}

const (
	natRangeIPv4Min uint16 = 1 << iota
	natRangeIPv4Max
	natRangeIPv6Min
	natRangeIPv6Max
	natRangeProtoMin
	natRangeProtoMax
)

func (a NAT) rangePresent() uint16 {
	var p uint16
	if a.IPMin.Is4() {
		p |= natRangeIPv4Min
	} else if a.IPMin.Is6() {
		p |= natRangeIPv6Min
	}
	if a.IPMax.Is4() {
		p |= natRangeIPv4Max
	} else if a.IPMax.Is6() {
		p |= natRangeIPv6Max
	}
	if a.PortMin != 0 {
		p |= natRangeProtoMin
	}
	if a.PortMax != 0 {
		p |= natRangeProtoMax
	}
	return p
}

func (a NAT) appendAction(b []byte) []byte {
	start := len(b)
	b = appendNXHeader(b, nxastNAT)
	b = append(b, 0, 0)
	b = appendU16(b, uint16(a.Flags))
	p := a.rangePresent()
	b = appendU16(b, p)
	for _, ip := range []netip.Addr{a.IPMin, a.IPMax} {
		if ip.IsValid() {
			b = append(b, ip.AsSlice()...)
		}
	}
	if p&natRangeProtoMin != 0 {
		b = appendU16(b, a.PortMin)
	}
	if p&natRangeProtoMax != 0 {
		b = appendU16(b, a.PortMax)
	}
	return finishAction(b, start)
}

func (a NAT) String() string {
	if a.Flags == 0 && !a.IPMin.IsValid() {
		return "nat"
	}
	kind := "src"
	if a.Flags&NATDst != 0 {
		kind = "dst"
	}
	s := "nat(" + kind
	if a.IPMin.IsValid() {
		s += "=" + a.IPMin.String()
		if a.IPMax.IsValid() {
			s += "-" + a.IPMax.String()
		}
	}
	if a.PortMin != 0 {
		s += fmt.Sprintf(":%d", a.PortMin)
		if a.PortMax != 0 {
			s += fmt.Sprintf("-%d", a.PortMax)
		}
	}
	return s + ")"
}
