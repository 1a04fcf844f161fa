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
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-net/strata/nodeagent/ovs/openflow"
	"github.com/strata-net/strata/nodeagent/packetin"
	"github.com/strata-net/strata/nodeagent/types"
)

// packetIn waits for a packet-in with the given userdata, dropping others.
func (n *testNode) packetIn(userdata []byte) *openflow.PacketIn2 {
	n.t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case pi := <-n.agent.client.PacketIns():
			if string(pi.Userdata) == string(userdata) {
				return pi
			}
		case <-timeout:
			n.t.Fatalf("no packet-in with userdata %x", userdata)
		}
	}
}

func (n *testNode) drainPacketIns() {
	for {
		select {
		case <-n.agent.client.PacketIns():
		default:
			return
		}
	}
}

func conjOf(t *testing.T, pl *Pipeline, id types.RuleID) uint32 {
	t.Helper()
	pl.mu.Lock()
	defer pl.mu.Unlock()
	r, ok := pl.policies.rules[id]
	require.True(t, ok)
	require.NotEmpty(t, r.parts)
	return r.parts[0].conjID
}

// TestOVSPacketIns checks the packet-in marks: Reject and logging rules
// send NXT_PACKET_IN2 with userdata [1, op] from the Output table, the
// deciding table in reg2, the disposition in reg0[11..12] and the rule's
// conjunction in reg3 (deny) or reg5/reg6 (allow). Sending the RST is the
// packet-in handler's job (nodeagent/packetin), not tested here.
func TestOVSPacketIns(t *testing.T) {
	n := startNode(t, 3)
	rej := rule(acnp("reject", 250, 5, 0, in, reject), targets("pod2"), n.peer("pod1"), tcp(7070))
	dropLog := logged(rule(acnp("drop-log", 250, 5, 1, in, drop), targets("pod2"), n.peer("pod1"), tcp(7071)))
	allowLog := logged(rule(acnp("allow-log", 250, 5, 2, in, allow), targets("pod2"), n.peer("pod1"), tcp(7072)))
	egressRejLog := logged(rule(acnp("egress-reject-log", 250, 5, 0, out, reject), targets("pod3"), nil, tcp(7073)))
	k8sLog := logged(rule(k8snp("k8s-log", in), targets("pod1"), n.peer("pod3"), tcp(7074)))
	n.reconcile(rej, dropLog, allowLog, egressRejLog, k8sLog)
	pl := n.agent.pl
	tests := []struct {
		name        string
		from, to    string
		port        int
		connects    bool
		userdata    []byte
		table       uint8
		disposition uint32
		apDeny      uint32
		conjReg     RegField
		rule        *types.CompletedRule
	}{
		{name: "Reject", from: "pod1", to: "pod2", port: 7070, userdata: []byte{1, 2}, table: AntreaPolicyIngressRule,
			disposition: DispositionReject, apDeny: 1, conjReg: APConjIDField, rule: rej},
		{name: "Drop with logging", from: "pod1", to: "pod2", port: 7071, userdata: []byte{1, 1}, table: AntreaPolicyIngressRule,
			disposition: DispositionDrop, apDeny: 1, conjReg: APConjIDField, rule: dropLog},
		{name: "Allow with logging", from: "pod1", to: "pod2", port: 7072, connects: true, userdata: []byte{1, 1},
			table: AntreaPolicyIngressRule, disposition: DispositionAllow, conjReg: IngressConjIDField, rule: allowLog},
		{name: "egress Reject with logging", from: "pod3", to: "pod1", port: 7073, userdata: []byte{1, 3},
			table: AntreaPolicyEgressRule, disposition: DispositionReject, apDeny: 1, conjReg: APConjIDField, rule: egressRejLog},
		{name: "K8s isolation with logging", from: "pod2", to: "pod1", port: 7075, userdata: []byte{1, 1},
			table: IngressDefaultRule, disposition: DispositionDrop},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n.t = t
			n.drainPacketIns()
			if tc.connects {
				n.expectConnect(tc.from, tc.to, tc.port)
			} else {
				n.expectBlocked(tc.from, tc.to, tc.port) // no handler sends the RST here
			}
			pi := n.packetIn(tc.userdata)
			assert.Equal(t, Output, pi.TableID)
			assert.Equal(t, uint32(tc.table), PacketInTableField.Get(pi.Reg(PacketInTableField.Reg)))
			reg0 := pi.Reg(0)
			assert.Equal(t, tc.disposition, APDispositionField.Get(reg0))
			assert.Equal(t, tc.apDeny, APDenyField.Get(reg0))
			assert.Equal(t, OutputToController, OutputField.Get(reg0))
			if tc.rule == nil {
				return
			}
			id := conjOf(t, pl, tc.rule.ID)
			assert.Equal(t, id, tc.conjReg.Get(pi.Reg(tc.conjReg.Reg)))
			info, ok := pl.Policies().RuleByConjID(id)
			require.True(t, ok)
			dir := "Ingress"
			if tc.table == AntreaPolicyEgressRule {
				dir = "Egress"
			}
			pl.mu.Lock()
			prio := pl.policies.rules[tc.rule.ID].actionPriority()
			pl.mu.Unlock()
			assert.Equal(t, packetin.RuleInfo{PolicyRef: "AntreaClusterNetworkPolicy:acnp-" + string(tc.rule.ID),
				RuleName: "rule-" + string(tc.rule.ID), Direction: dir, Priority: prio}, info)
		})
	}
}
