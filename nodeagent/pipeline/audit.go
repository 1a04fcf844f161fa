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
	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/nodeagent/ovs/openflow"
)

// Audit mode (policy.strata.io/enforcement: audit). The rules of audited
// policies live in tables of their own, AuditEgressRule and
// AuditIngressRule, just ahead of the Antrea-native policy tables, as
// conjunctions ordered like the enforcing ones (tier, policy priority,
// rule). A new connection hits at most one audit rule per direction, the
// first in that order. The rule's action flow (which counts: the stats
// read it) loads the conjunction id and the would-be action and goes
// through the direction's audit group: bucket 0 continues in the policy
// table as if the audit table did not exist, bucket 1 marks a copy for the
// controller, which writes an AUDIT line. Nothing of an audit rule allows,
// drops, rejects or isolates: it never commits, never sets the deny bit,
// and the registers it loads (reg3, the disposition) are loaded again by
// every enforcing rule that reads them. Established connections skip the
// audit tables as they skip the policy tables. A failed audit rule is a
// failed rule like any other: the bundle that would install it changes
// nothing, and traffic goes on to the enforcing tables.

// newAuditAssigner orders the audit rules of one direction: every tier,
// baseline included, in the non-baseline range [100, 65000].
func newAuditAssigner() *priorityAssigner {
	return &priorityAssigner{lo: policyBottomPriority, hi: policyTopPriority, initial: initialPolicyPriority}
}

// auditFlow is the conj_id flow of an audit rule's part.
func (b flowBuilder) auditFlow(r *compiledRule, part *rulePart) openflow.Flow {
	instr := openflow.Apply(APConjIDField.Load(part.conjID), APDispositionField.Load(dispositionOf(r.action)),
		openflow.Group{ID: r.tables().auditGroup})
	return b.actionFlow(r, part, openflow.MustMatch(openflow.ConjID(part.conjID)), instr)
}

// dispositionOf is the logged disposition of an action.
func dispositionOf(a v1beta2.RuleAction) uint32 {
	switch a {
	case v1beta2.RuleActionDrop:
		return DispositionDrop
	case v1beta2.RuleActionReject:
		return DispositionReject
	case v1beta2.RuleActionPass:
		return DispositionPass
	}
	return DispositionAllow
}

// auditBaseFlows are the established/related bypass of the audit tables
// (to the policy table, whose own bypass takes it on) and the Output flow
// of audit packet-ins.
func (c baseConfig) auditBaseFlows() []openflow.Flow {
	var out []openflow.Flow
	for _, d := range directions {
		for _, state := range []uint32{openflow.CTStateEst, openflow.CTStateRel} {
			out = append(out, openflow.Flow{Table: d.audit, Priority: bypassPriority, Cookie: c.cookie(),
				Match:        openflow.MustMatch(openflow.CTState(state, openflow.CTStateNew|state)),
				Instructions: openflow.Goto(d.policy)})
		}
	}
	return append(out, openflow.Flow{Table: Output, Priority: basePriority, Cookie: c.cookie(),
		Match:        openflow.MustMatch(packetInMatch(PacketInOpAudit)),
		Instructions: openflow.Apply(c.packetInActions(PacketInOpAudit)...)})
}

// auditGroups continue an audited packet in the direction's policy table
// (bucket 0) and send a copy marked for an AUDIT line to the controller
// (bucket 1: its loads touch the copy only).
func auditGroups() []openflow.GroupMod {
	group := func(id uint32, d dirTables) openflow.GroupMod {
		return openflow.GroupMod{Type: openflow.GroupTypeAll, GroupID: id, Buckets: []openflow.Bucket{
			{ID: 0, Actions: []openflow.Action{openflow.ResubmitTable(d.policy)}},
			{ID: 1, Actions: []openflow.Action{PacketInOperationField.Load(PacketInOpAudit),
				PacketInTableField.Load(uint32(d.audit)), OutputField.Load(OutputToController),
				openflow.ResubmitTable(Output)}},
		}}
	}
	return []openflow.GroupMod{group(groupIngressAudit, directions[ingress]), group(groupEgressAudit, directions[egress])}
}
