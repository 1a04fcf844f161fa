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
	"fmt"
	"net"
	"net/netip"
	"sort"
	"strings"

	"github.com/strata-net/strata/nodeagent/ovs/openflow"
)

// ofctlFormat writes flows the way ovs-ofctl prints them (lib/match.c
// match_format and ofp-actions.c formatters of OVS 3.1), so golden files
// read like `ovs-ofctl dump-flows --names` and can be fed to
// `ovs-ofctl add-flows`. numeric prints table numbers instead of names.
type ofctlFormat struct {
	numeric bool
	cookie  bool
}

func (o ofctlFormat) table(id uint8) string {
	if o.numeric {
		return fmt.Sprint(id)
	}
	return TableName(id)
}

// flow formats "table=T, priority=P,<match> actions=<actions>".
func (o ofctlFormat) flow(f openflow.Flow) string {
	var b strings.Builder
	if o.cookie {
		fmt.Fprintf(&b, "cookie=%#x, ", f.Cookie)
	}
	fmt.Fprintf(&b, "table=%s, priority=%d", o.table(f.Table), f.Priority)
	if m := o.match(f.Match); m != "" {
		b.WriteString("," + m)
	}
	b.WriteString(" actions=" + o.instructions(f.Instructions))
	return b.String()
}

// flows formats and sorts.
func (o ofctlFormat) flows(fs []openflow.Flow) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = o.flow(f)
	}
	sort.Strings(out)
	return out
}

var ctStateNames = []string{"new", "est", "rel", "rpl", "inv", "trk", "snat", "dnat"}

func (o ofctlFormat) match(m openflow.Match) string {
	fields := map[openflow.Field]openflow.MatchField{}
	for _, mf := range m.Fields() {
		fields[mf.Field] = mf
	}
	var parts []string
	put := func(format string, args ...any) { parts = append(parts, fmt.Sprintf(format, args...)) }
	if mf, ok := fields[openflow.FieldConjID]; ok {
		put("conj_id=%d", mf.Uint())
	}
	if mf, ok := fields[openflow.FieldCTState]; ok {
		put("ct_state=%s", ctStateString(uint32(mf.Uint()), uint32(mf.MaskUint())))
	}
	if mf, ok := fields[openflow.FieldCTMark]; ok {
		put("%s", hexMasked("ct_mark", mf))
	}
	if mf, ok := fields[openflow.FieldCTLabel]; ok {
		put("%s", hexMasked("ct_label", mf))
	}
	eth, proto := typeShorthand(fields)
	if eth != "" {
		put("%s", eth)
	}
	for i := range 16 {
		if mf, ok := fields[openflow.Reg(i)]; ok {
			put("%s", hexMasked(fmt.Sprintf("reg%d", i), mf))
		}
	}
	if mf, ok := fields[openflow.FieldInPort]; ok {
		put("in_port=%d", mf.Uint())
	}
	for _, f := range []struct {
		field openflow.Field
		name  string
	}{{openflow.FieldEthSrc, "dl_src"}, {openflow.FieldEthDst, "dl_dst"}} {
		if mf, ok := fields[f.field]; ok {
			put("%s=%s", f.name, net.HardwareAddr(mf.Value[:6]))
		}
	}
	if mf, ok := fields[openflow.FieldEthType]; ok && eth == "" {
		put("dl_type=0x%04x", mf.Uint())
	}
	for _, f := range []struct {
		field openflow.Field
		name  string
	}{{openflow.FieldIPv6Src, "ipv6_src"}, {openflow.FieldIPv6Dst, "ipv6_dst"}, {openflow.FieldARPSPA, "arp_spa"},
		{openflow.FieldARPTPA, "arp_tpa"}, {openflow.FieldIPv4Src, "nw_src"}, {openflow.FieldIPv4Dst, "nw_dst"}} {
		if mf, ok := fields[f.field]; ok {
			put("%s=%s", f.name, prefixString(mf))
		}
	}
	if mf, ok := fields[openflow.FieldIPProto]; ok && proto == "" {
		put("nw_proto=%d", mf.Uint())
	}
	if mf, ok := fields[openflow.FieldARPSHA]; ok {
		put("arp_sha=%s", net.HardwareAddr(mf.Value[:6]))
	}
	parts = append(parts, l4Fields(fields)...)
	return strings.Join(parts, ",")
}

// typeShorthand is OVS's "ip"/"tcp"/"icmp6"/"arp"... and the protocol it
// covers ("" if the protocol is printed as nw_proto).
func typeShorthand(fields map[openflow.Field]openflow.MatchField) (eth, proto string) {
	et, ok := fields[openflow.FieldEthType]
	if !ok {
		return "", ""
	}
	p, hasProto := fields[openflow.FieldIPProto]
	switch uint16(et.Uint()) {
	case openflow.EthTypeARP:
		return "arp", ""
	case openflow.EthTypeIPv4:
		names := map[uint64]string{1: "icmp", 6: "tcp", 17: "udp", 132: "sctp"}
		if n, known := names[p.Uint()]; hasProto && known {
			return n, n
		}
		return "ip", ""
	case openflow.EthTypeIPv6:
		names := map[uint64]string{58: "icmp6", 6: "tcp6", 17: "udp6", 132: "sctp6"}
		if n, known := names[p.Uint()]; hasProto && known {
			return n, n
		}
		return "ipv6", ""
	}
	return "", ""
}

func l4Fields(fields map[openflow.Field]openflow.MatchField) []string {
	var out []string
	for _, f := range []struct {
		field openflow.Field
		name  string
	}{
		{openflow.FieldICMPv4Type, "icmp_type"}, {openflow.FieldICMPv4Code, "icmp_code"},
		{openflow.FieldICMPv6Type, "icmp_type"}, {openflow.FieldICMPv6Code, "icmp_code"},
		{openflow.FieldTCPSrc, "tp_src"}, {openflow.FieldUDPSrc, "tp_src"}, {openflow.FieldSCTPSrc, "tp_src"},
		{openflow.FieldTCPDst, "tp_dst"}, {openflow.FieldUDPDst, "tp_dst"}, {openflow.FieldSCTPDst, "tp_dst"},
	} {
		if mf, ok := fields[f.field]; ok {
			if mf.Masked {
				out = append(out, fmt.Sprintf("%s=%#x/%#x", f.name, mf.Uint(), mf.MaskUint()))
			} else {
				out = append(out, fmt.Sprintf("%s=%d", f.name, mf.Uint()))
			}
		}
	}
	return out
}

func hexMasked(name string, mf openflow.MatchField) string {
	v, m := wideHex(mf.Value[:mf.Field.Width()]), wideHex(mf.Mask[:mf.Field.Width()])
	if !mf.Masked {
		return fmt.Sprintf("%s=%s", name, v)
	}
	return fmt.Sprintf("%s=%s/%s", name, v, m)
}

// wideHex prints a big-endian value like C's %#x: 0x<hex> without leading
// zeros, and 0 as "0".
func wideHex(b []byte) string {
	s := strings.TrimLeft(fmt.Sprintf("%x", b), "0")
	if s == "" {
		return "0"
	}
	return "0x" + s
}

func ctStateString(v, mask uint32) string {
	var b strings.Builder
	for i, name := range ctStateNames {
		bit := uint32(1) << i
		if mask&bit == 0 {
			continue
		}
		if v&bit != 0 {
			b.WriteString("+" + name)
		} else {
			b.WriteString("-" + name)
		}
	}
	return b.String()
}

func prefixString(mf openflow.MatchField) string {
	a := mf.Addr()
	if !mf.Masked {
		return a.String()
	}
	mask, _ := netip.AddrFromSlice(mf.Mask[:mf.Field.Width()])
	bits := 0
	for _, c := range mask.AsSlice() {
		for ; c&0x80 != 0; c <<= 1 {
			bits++
		}
	}
	return netip.PrefixFrom(a, bits).String()
}

func (o ofctlFormat) instructions(in openflow.Instructions) string {
	d, err := in.Decode()
	if err != nil {
		return "<" + err.Error() + ">"
	}
	var parts []string
	for _, a := range d.Apply {
		parts = append(parts, o.action(a))
	}
	if d.HasGoto {
		parts = append(parts, "goto_table:"+o.table(d.GotoTable))
	}
	if len(parts) == 0 {
		return "drop"
	}
	return strings.Join(parts, ",")
}

func (o ofctlFormat) action(a openflow.Action) string {
	switch a := a.(type) {
	case openflow.SetField:
		return o.setField(a)
	case openflow.CT:
		return o.ct(a)
	case openflow.Resubmit:
		return "resubmit(," + o.table(a.Table) + ")"
	case openflow.OutputReg:
		return fmt.Sprintf("output:%s[]", nxmName(a.Src))
	case openflow.Output:
		switch a.Port {
		case openflow.PortNormal:
			return "NORMAL"
		case openflow.PortInPort:
			return "IN_PORT"
		}
		return fmt.Sprintf("output:%d", a.Port)
	case openflow.Controller:
		// As ovs-ofctl: reason unless "action", id, userdata, pause.
		var parts []string
		if a.Reason == openflow.ReasonNoMatch {
			parts = append(parts, "reason=no_match")
		}
		if a.ID != 0 {
			parts = append(parts, fmt.Sprintf("id=%d", a.ID))
		}
		parts = append(parts, "userdata="+dottedHex(a.Userdata))
		if a.Pause {
			parts = append(parts, "pause")
		}
		return "controller(" + strings.Join(parts, ",") + ")"
	case openflow.CopyField:
		return "move:" + subfield(a.Src, a.SrcOfs, a.NBits) + "->" + subfield(a.Dst, a.DstOfs, a.NBits)
	}
	return a.String() // conjunction(...), group:N, meter:N
}

func (o ofctlFormat) setField(a openflow.SetField) string {
	mf := a.Value
	name := mf.Field.String()
	if mf.Field.Width() == 6 {
		return fmt.Sprintf("set_field:%s->%s", net.HardwareAddr(mf.Value[:6]), name)
	}
	v := hexMasked("", mf)[1:]
	return fmt.Sprintf("set_field:%s->%s", v, name)
}

func (o ofctlFormat) ct(a openflow.CT) string {
	var parts []string
	if a.Commit {
		parts = append(parts, "commit")
	}
	if a.Recirc {
		parts = append(parts, "table="+o.table(a.Table))
	}
	parts = append(parts, fmt.Sprintf("zone=%d", a.Zone))
	var exec []string
	for _, n := range a.Actions {
		if nat, ok := n.(openflow.NAT); ok {
			parts = append(parts, natFormat(nat))
			continue
		}
		exec = append(exec, o.action(n))
	}
	if len(exec) > 0 {
		parts = append(parts, "exec("+strings.Join(exec, ",")+")")
	}
	return "ct(" + strings.Join(parts, ",") + ")"
}

// subfield prints a field's bits as ovs-ofctl does: [] for all of them,
// [n] for one.
func subfield(f openflow.Field, ofs, nbits uint16) string {
	if ofs == 0 && int(nbits) == f.Width()*8 {
		return nxmName(f) + "[]"
	}
	if nbits == 1 {
		return fmt.Sprintf("%s[%d]", nxmName(f), ofs)
	}
	return fmt.Sprintf("%s[%d..%d]", nxmName(f), ofs, ofs+nbits-1)
}

// natFormat prints a ct nat action as ovs-ofctl does.
func natFormat(a openflow.NAT) string {
	if !a.IPMin.IsValid() {
		return "nat"
	}
	kind := "src"
	if a.Flags&openflow.NATDst != 0 {
		kind = "dst"
	}
	s := "nat(" + kind + "=" + a.IPMin.String()
	if a.PortMin != 0 {
		s += fmt.Sprintf(":%d", a.PortMin)
	}
	return s + ")"
}

func nxmName(f openflow.Field) string {
	switch f {
	case openflow.FieldCTMark:
		return "NXM_NX_CT_MARK"
	case openflow.FieldCTLabel:
		return "NXM_NX_CT_LABEL"
	}
	return "NXM_NX_" + strings.ToUpper(f.String())
}

func dottedHex(b []byte) string {
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = fmt.Sprintf("%02x", c)
	}
	return strings.Join(parts, ".")
}
