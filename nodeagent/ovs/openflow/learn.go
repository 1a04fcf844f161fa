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
	"strings"
)

// NXAST learn subtypes: learn2 adds limit and result_dst.
const (
	nxastLearn  uint16 = 16
	nxastLearn2 uint16 = 45
)

// LearnFlags are the NX_LEARN_F_* flags.
type LearnFlags uint16

// Learn flags.
const (
	// LearnSendFlowRem sets OFPFF_SEND_FLOW_REM on the learned flow.
	LearnSendFlowRem LearnFlags = 1
	// LearnDeleteLearned deletes the learned flows when the flow holding
	// the learn action is removed or modified.
	LearnDeleteLearned LearnFlags = 2
	// LearnWriteResult writes 1 to ResultDst when the flow was learned
	// (0 when Limit refused it). Encoded as NXAST_LEARN2.
	LearnWriteResult LearnFlags = 4
)

// Learn adds or refreshes a flow in Table built from the packet being
// processed (NXAST_LEARN, ovs-actions(7) "learn"). Specs say what the learned
// flow matches and which actions (loads, output) it has.
//
// Timeouts, in seconds, 0 = none. OVS refreshes an existing learned flow when
// the same learn action adds it again, which restarts its hard timeout; the
// idle timeout restarts on every packet that matches the learned flow.
//
// Service ClientIP affinity: kube-proxy's iptables mode records the client in
// the endpoint's chain with "-m recent --set" and sends it back there while
// "-m recent --rcheck --seconds T --reap" finds it. Those rules are in the nat
// table, which sees only the first packet of each connection; --rcheck does
// not update the entry (--update would) and --reap only purges entries older
// than T. So the affinity ends T seconds after the last *new connection* from
// that client (every new connection, sticky or not, passes the --set), not T
// seconds after its last packet, and not T seconds after the first one. The
// OVS equivalent is HardTimeout=T with the learn action executed for every
// new connection (those that hit the learned flow too), so that each one
// refreshes the learned flow: IdleTimeout would also be refreshed by every
// packet of long-lived connections that match the learned flow, keeping the
// affinity alive longer than kube-proxy does.
//
// Priority 0 is priority 0 (OVS's parser defaults to 32768; set it). Limit
// and LearnWriteResult (with ResultDst) select the NXAST_LEARN2 encoding.
type Learn struct {
	Table          uint8
	IdleTimeout    uint16
	HardTimeout    uint16
	Priority       uint16
	Cookie         uint64
	Flags          LearnFlags
	FinIdleTimeout uint16
	FinHardTimeout uint16
	Limit          uint32
	ResultDst      Subfield
	Specs          []LearnSpec
}

// learnDefaultPriority is OFP_DEFAULT_PRIORITY, which ovs-ofctl omits.
const learnDefaultPriority = 0x8000

func (a Learn) isLearn2() bool { return a.Limit != 0 || a.Flags&LearnWriteResult != 0 }

func (a Learn) appendAction(b []byte) []byte {
	start := len(b)
	sub := nxastLearn
	if a.isLearn2() {
		sub = nxastLearn2
	}
	b = appendNXHeader(b, sub)
	b = appendU16(b, a.IdleTimeout)
	b = appendU16(b, a.HardTimeout)
	b = appendU16(b, a.Priority)
	b = appendU64(b, a.Cookie)
	b = appendU16(b, uint16(a.Flags))
	b = append(b, a.Table, 0)
	b = appendU16(b, a.FinIdleTimeout)
	b = appendU16(b, a.FinHardTimeout)
	if a.isLearn2() {
		b = appendU32(b, a.Limit)
		b = appendU16(b, a.ResultDst.Ofs)
		b = append(b, 0, 0)
		if a.Flags&LearnWriteResult != 0 {
			b = appendU32(b, learnField(a.ResultDst.Field).header)
		}
	}
	for _, s := range a.Specs {
		b = s.appendLearnSpec(b)
	}
	return finishAction(b, start)
}

// String is the ovs-ofctl spelling, e.g.
// learn(table=7,idle_timeout=10,priority=200,eth_type=0x800,NXM_OF_IP_SRC[],load:NXM_NX_REG3[]->NXM_NX_REG3[]).
func (a Learn) String() string {
	parts := []string{fmt.Sprintf("table=%d", a.Table)}
	add := func(cond bool, format string, v ...any) {
		if cond {
			parts = append(parts, fmt.Sprintf(format, v...))
		}
	}
	add(a.IdleTimeout != 0, "idle_timeout=%d", a.IdleTimeout)
	add(a.HardTimeout != 0, "hard_timeout=%d", a.HardTimeout)
	add(a.FinIdleTimeout != 0, "fin_idle_timeout=%d", a.FinIdleTimeout)
	add(a.FinHardTimeout != 0, "fin_hard_timeout=%d", a.FinHardTimeout)
	add(a.Priority != learnDefaultPriority, "priority=%d", a.Priority)
	add(a.Flags&LearnSendFlowRem != 0, "send_flow_rem")
	add(a.Flags&LearnDeleteLearned != 0, "delete_learned")
	add(a.Cookie != 0, "cookie=%#x", a.Cookie)
	add(a.Limit != 0, "limit=%d", a.Limit)
	add(a.Flags&LearnWriteResult != 0, "result_dst=%v", a.ResultDst)
	for _, s := range a.Specs {
		parts = append(parts, s.String())
	}
	return "learn(" + strings.Join(parts, ",") + ")"
}
