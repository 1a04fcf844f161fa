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

// Metric flows: an Allow's match the connections committed with its id; a Drop's
// or Reject's the packets a rule denied (the deny bit and the rule's id). A packet
// a rule denies may belong to a connection an Allow committed before (its entry
// still new: one-way UDP, SCTP sharing an entry), so both can match: the deny
// flows sit above the allow flows and the deny wins.
const (
	metricPriority     = 200
	denyMetricPriority = metricPriority + 1
)

// flowBuilder makes flows with the agent's round in their cookies.
type flowBuilder struct {
	round uint16
}

func (b flowBuilder) policyCookie(id uint32) uint64 { return cookie(b.round, categoryPolicy, id) }

// actionFlows are the conj_id flows of a part, per action (as Antrea's
// conjunction flows):
//   - Allow: remember the id (reg6/reg5), commit with the id in ct_label and
//     continue in the metric table; with logging the untracked original also
//     goes to the controller;
//   - Drop: id in reg3, APDeny, metric table (whose flow drops and counts);
//   - Reject: as Drop, through a group that also sends a packet-in marked
//     for reject;
//   - Pass: remember the id and jump to the K8s rule table.
func (b flowBuilder) actionFlows(r *compiledRule, part *rulePart) []openflow.Flow {
	if r.kind == kindAudit {
		return []openflow.Flow{b.auditFlow(r, part)}
	}
	switch r.action {
	case v1beta2.RuleActionDrop, v1beta2.RuleActionReject:
		return []openflow.Flow{b.denyFlow(r, part)}
	case v1beta2.RuleActionPass:
		return []openflow.Flow{b.passFlow(r, part)}
	}
	return b.allowFlows(r, part)
}

func (b flowBuilder) actionFlow(r *compiledRule, part *rulePart, m openflow.Match, instr openflow.Instructions) openflow.Flow {
	return openflow.Flow{Table: r.table(), Priority: r.actionPriority(), Cookie: b.policyCookie(part.conjID),
		Match: m, Instructions: instr}
}

// allowFlows has one flow per IP family: the commit uses the family's zone.
func (b flowBuilder) allowFlows(r *compiledRule, part *rulePart) []openflow.Flow {
	t := r.tables()
	var out []openflow.Flow
	part.families.each(func(f family) {
		label, mask := ctLabel(r.dir, part.conjID)
		acts := []openflow.Action{
			t.conjField.Load(part.conjID),
			openflow.CT{Commit: true, Zone: f.zone(), Recirc: true, Table: t.metric,
				Actions: []openflow.Action{openflow.SetField{Value: openflow.CTLabelMasked(label, mask)}}},
		}
		instr := openflow.Apply(acts...)
		if r.src.EnableLogging {
			acts = append(acts, controllerLoads(DispositionAllow, PacketInOpLog, r.table())...)
			instr = openflow.Apply(acts...).Goto(Output)
		}
		m := openflow.MustMatch(openflow.ConjID(part.conjID), openflow.EthType(f.ethType()))
		out = append(out, b.actionFlow(r, part, m, instr))
	})
	return out
}

func (b flowBuilder) denyFlow(r *compiledRule, part *rulePart) openflow.Flow {
	acts := []openflow.Action{APConjIDField.Load(part.conjID), APDenyField.Load(1)}
	instr := openflow.Apply(acts...).Goto(r.tables().metric)
	if r.action == v1beta2.RuleActionReject || r.src.EnableLogging {
		disposition, ops := DispositionDrop, uint32(0)
		if r.action == v1beta2.RuleActionReject {
			disposition, ops = DispositionReject, PacketInOpReject
		}
		if r.src.EnableLogging {
			ops |= PacketInOpLog
		}
		acts = append(acts, packetInLoads(disposition, ops, r.table())...)
		instr = openflow.Apply(append(acts, openflow.Group{ID: r.tables().denyGroup})...)
	}
	return b.actionFlow(r, part, openflow.MustMatch(openflow.ConjID(part.conjID)), instr)
}

func (b flowBuilder) passFlow(r *compiledRule, part *rulePart) openflow.Flow {
	acts := []openflow.Action{r.tables().conjField.Load(part.conjID)}
	instr := openflow.Apply(acts...).Goto(r.tables().k8s)
	if r.src.EnableLogging {
		acts = append(acts, packetInLoads(DispositionPass, PacketInOpLog, r.table())...)
		instr = openflow.Apply(append(acts, openflow.Group{ID: r.tables().passGroup})...)
	}
	return b.actionFlow(r, part, openflow.MustMatch(openflow.ConjID(part.conjID)), instr)
}

// packetInLoads mark a packet for a packet-in: the disposition to log, the
// operations and the deciding table.
func packetInLoads(disposition, ops uint32, table uint8) []openflow.Action {
	return []openflow.Action{
		APDispositionField.Load(disposition),
		PacketInOperationField.Load(ops),
		PacketInTableField.Load(uint32(table)),
	}
}

// controllerLoads mark a packet for a packet-in in the Output table
// instead of forwarding it.
func controllerLoads(disposition, ops uint32, table uint8) []openflow.Action {
	return []openflow.Action{
		APDispositionField.Load(disposition),
		OutputField.Load(OutputToController),
		PacketInOperationField.Load(ops),
		PacketInTableField.Load(uint32(table)),
	}
}

// metricFlows count a part's traffic in the metric table: for Allow, new
// and not-new packets of the connections committed with its id (both
// directions, since the label is on the connection); for Drop and Reject,
// the denied packets (never committed: every packet is a session). Pass has
// none.
func (b flowBuilder) metricFlows(r *compiledRule, part *rulePart) []openflow.Flow {
	t := r.tables()
	cookie := b.policyCookie(part.conjID)
	switch {
	case r.kind == kindAudit: // counted by its action flow (audit.go)
		return nil
	case r.action == v1beta2.RuleActionPass:
		return nil
	case r.action == v1beta2.RuleActionDrop || r.action == v1beta2.RuleActionReject:
		m := openflow.MustMatch(APDenyField.Match(1), APConjIDField.Match(part.conjID))
		return []openflow.Flow{{Table: t.metric, Priority: denyMetricPriority, Cookie: cookie, Match: m}}
	}
	label, mask := ctLabel(r.dir, part.conjID)
	out := make([]openflow.Flow, 0, 2)
	for _, state := range []uint32{openflow.CTStateNew, 0} {
		m := openflow.MustMatch(openflow.CTState(state|openflow.CTStateTrk, openflow.CTStateNew|openflow.CTStateTrk),
			openflow.CTLabelMasked(label, mask))
		out = append(out, openflow.Flow{Table: t.metric, Priority: metricPriority, Cookie: cookie, Match: m,
			Instructions: openflow.Goto(t.afterMetric)})
	}
	return out
}
