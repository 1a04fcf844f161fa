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
	"net"
	"net/netip"
	"strings"
)

// realisticFlows generates n flows of an agent-like mix, each both as a
// typed Flow and as the equivalent ovs-ofctl add-flows line:
//   - per pod: classifier, spoofguard and L2 forwarding flows (3 per pod);
//   - per policy rule (own priority): 40 conjunctive nw_src match flows, a
//     reg1 (to-pod) clause, two tcp port clauses, and the conj_id action
//     flow with set_field + ct(commit, exec(set_field ct_label)).
func realisticFlows(n int) ([]Flow, []string) {
	const podShare, perRule = 15, 44 // 15% pod flows
	pods := n * podShare / 100 / 3
	var flows []Flow
	var lines []string
	add := func(f Flow, line string) {
		flows = append(flows, f)
		lines = append(lines, fmt.Sprintf("table=%d,priority=%d,cookie=%#x,%s", f.Table, f.Priority, f.Cookie, line))
	}
	for p := 0; p < pods; p++ {
		podFlows(p, add)
	}
	for r := 0; len(flows)+perRule <= n; r++ {
		ruleFlows(r, pods, add)
	}
	for i := 0; len(flows) < n; i++ { // top up with single-IP drops
		ip := netip.AddrFrom4([4]byte{172, 16, byte(i >> 8), byte(i)})
		add(Flow{Table: 15, Priority: 200, Cookie: 1<<48 | 2<<40, Match: MustMatch(IPv4Src(netip.PrefixFrom(ip, 32)))},
			fmt.Sprintf("ip,nw_src=%s,actions=drop", ip))
	}
	return flows, lines
}

func podFlows(p int, add func(Flow, string)) {
	port := uint32(p + 10)
	hw := net.HardwareAddr{2, 0, 0, byte(p >> 16), byte(p >> 8), byte(p)}
	ip := netip.AddrFrom4([4]byte{10, 10, byte(p >> 8), byte(p)})
	const cookie = 1<<48 | 1<<40
	add(Flow{Table: 1, Priority: 190, Cookie: cookie, Match: MustMatch(InPort(port)),
		Instructions: Apply(LoadReg(0, 3, 0, 4)).Goto(2)},
		fmt.Sprintf("in_port=%d,actions=set_field:0x3/0xf->reg0,goto_table:2", port))
	add(Flow{Table: 2, Priority: 200, Cookie: cookie, Match: MustMatch(InPort(port), EthSrc(hw), IPv4Src(netip.PrefixFrom(ip, 32))),
		Instructions: Goto(3)},
		fmt.Sprintf("ip,in_port=%d,dl_src=%s,nw_src=%s,actions=goto_table:3", port, hw, ip))
	add(Flow{Table: 11, Priority: 200, Cookie: cookie, Match: MustMatch(EthDst(hw)),
		Instructions: Apply(SetFieldUint(Reg(1), uint64(port)), SetField{Value: RegFieldMasked(0, 0x200000, 0x600000)}).Goto(12)},
		fmt.Sprintf("dl_dst=%s,actions=set_field:%#x->reg1,set_field:0x200000/0x600000->reg0,goto_table:12", hw, port))
}

func ruleFlows(r, pods int, add func(Flow, string)) {
	id := uint32(r + 1)
	prio := uint16(60000 - r)
	cookie := uint64(1<<48|2<<40) | uint64(id)
	conj := func(k uint8) Instructions { return Apply(Conjunction{ID: id, Clause: k, NClauses: 3}) }
	for i := 0; i < 40; i++ {
		ip := netip.AddrFrom4([4]byte{10, byte(20 + r>>8), byte(r), byte(i + 1)})
		add(Flow{Table: 13, Priority: prio, Cookie: cookie, Match: MustMatch(IPv4Src(netip.PrefixFrom(ip, 32))), Instructions: conj(1)},
			fmt.Sprintf("ip,nw_src=%s,actions=conjunction(%d,1/3)", ip, id))
	}
	port := uint32(r%max(pods, 1) + 10)
	add(Flow{Table: 13, Priority: prio, Cookie: cookie, Match: MustMatch(RegField(1, port)), Instructions: conj(2)},
		fmt.Sprintf("reg1=%#x,actions=conjunction(%d,2/3)", port, id))
	for _, tp := range []uint16{8080, 8443} {
		add(Flow{Table: 13, Priority: prio, Cookie: cookie, Match: MustMatch(EthType(EthTypeIPv4), TCPDst(tp)), Instructions: conj(3)},
			fmt.Sprintf("tcp,tp_dst=%d,actions=conjunction(%d,3/3)", tp, id))
	}
	label := SetField{Value: CTLabelMasked(Uint128{Lo: uint64(id)}, Uint128{Lo: 0xffffffff})}
	add(Flow{Table: 13, Priority: prio, Cookie: cookie, Match: MustMatch(ConjID(id), EthType(EthTypeIPv4)),
		Instructions: Apply(SetFieldUint(Reg(6), uint64(id)), CT{Commit: true, Zone: ctZone, Recirc: true, Table: 16, Actions: []Action{label}})},
		fmt.Sprintf("conj_id=%d,ip,actions=set_field:%#x->reg6,ct(commit,table=16,zone=65520,exec(set_field:%#x/0xffffffff->ct_label))", id, id, id))
}

func joinLines(lines []string) string { return strings.Join(lines, "\n") + "\n" }
