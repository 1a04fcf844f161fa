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
	"context"
	"fmt"
	"slices"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/nodeagent/ovs/openflow"
	"github.com/strata-net/strata/nodeagent/packetin"
	"github.com/strata-net/strata/nodeagent/types"
)

// RuleMetric are a rule's counters since its flows were installed. For
// Allow rules Sessions counts committed connections and Packets/Bytes both
// directions of them; for Drop and Reject every denied packet is a session;
// for an audit rule every new connection it matched (one packet each).
type RuleMetric struct {
	Sessions, Packets, Bytes uint64
}

// RuleCounter are an installed rule's counters and what identifies the rule
// in its source policy.
type RuleCounter struct {
	Policy    types.PolicyRef
	Direction v1beta2.Direction
	// RuleIndex is the rule's index in its source ingress or egress list.
	RuleIndex int32
	Name      string
	RuleMetric
}

// conjInfo is what the conjunction index knows of a part.
type conjInfo struct {
	rule types.RuleID
	info packetin.RuleInfo
	src  *types.CompletedRule
}

func (x *conjIndex) add(r *compiledRule) {
	info := packetin.RuleInfo{PolicyRef: policyRefString(r.src.Policy), RuleName: r.src.Name,
		Direction: r.dir.String(), Priority: r.actionPriority(), LogLabel: r.src.LogLabel}
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, part := range r.parts {
		if part.conjID != 0 {
			x.byID[part.conjID] = conjInfo{rule: r.src.ID, info: info, src: r.src}
		}
	}
}

func (x *conjIndex) remove(r *compiledRule) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, part := range r.parts {
		if c, ok := x.byID[part.conjID]; ok && c.rule == r.src.ID {
			delete(x.byID, part.conjID)
		}
	}
}

// saver returns a func that puts the index entries of r's conjunction ids
// back as they are now (to undo an add or remove).
func (x *conjIndex) saver(r *compiledRule) func() {
	type entry struct {
		id   uint32
		info conjInfo
		had  bool
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	saved := make([]entry, 0, len(r.parts))
	for _, part := range r.parts {
		if part.conjID != 0 {
			c, had := x.byID[part.conjID]
			saved = append(saved, entry{id: part.conjID, info: c, had: had})
		}
	}
	return func() {
		x.mu.Lock()
		defer x.mu.Unlock()
		for _, e := range slices.Backward(saved) {
			if e.had {
				x.byID[e.id] = e.info
			} else {
				delete(x.byID, e.id)
			}
		}
	}
}

func (x *conjIndex) get(id uint32) (conjInfo, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	c, ok := x.byID[id]
	return c, ok
}

// policyRefString is "Type:namespace/name" or "Type:name" as in np.log.
func policyRefString(ref types.PolicyRef) string {
	if ref.Namespace != "" {
		return fmt.Sprintf("%s:%s/%s", ref.Type, ref.Namespace, ref.Name)
	}
	return fmt.Sprintf("%s:%s", ref.Type, ref.Name)
}

// RuleByConjID describes the rule behind a conjunction id, for the
// packet-in handler (packetin.RuleLookup).
func (pf *PolicyFlows) RuleByConjID(id uint32) (packetin.RuleInfo, bool) {
	c, ok := pf.conjIdx.get(id)
	return c.info, ok
}

// RuleStats reads the counters of every installed rule from the metric
// flows (one FLOW_DESC request per metric table, filtered by the policy
// cookie of this round). Rules split by named ports are summed.
func (pf *PolicyFlows) RuleStats(ctx context.Context) (map[types.RuleID]RuleMetric, error) {
	counters, err := pf.RuleCounters(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[types.RuleID]RuleMetric, len(counters))
	for id, c := range counters {
		out[id] = c.RuleMetric
	}
	return out, nil
}

// RuleCounters reads the counters of every installed rule as RuleStats does,
// with the rule's source policy, direction, index and name.
func (pf *PolicyFlows) RuleCounters(ctx context.Context) (map[types.RuleID]RuleCounter, error) {
	conn, err := pf.p.cfg.Switch.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("getting the OpenFlow connection: %w", err)
	}
	out := map[types.RuleID]RuleCounter{}
	for _, table := range []uint8{IngressMetric, EgressMetric, AuditIngressRule, AuditEgressRule} {
		flows, err := conn.DumpFlows(ctx, openflow.FlowDescRequest{Table: table,
			Cookie: cookie(pf.p.cfg.Round, categoryPolicy, 0), CookieMask: RoundMask | categoryMask})
		if err != nil {
			return nil, fmt.Errorf("dumping table %s: %w", TableName(table), err)
		}
		for _, fs := range flows {
			id, sessions, ok := metricOf(fs)
			if !ok {
				continue
			}
			c, known := pf.conjIdx.get(id)
			if !known {
				continue
			}
			m, seen := out[c.rule]
			if !seen {
				m = RuleCounter{Policy: c.src.Policy, Direction: c.src.Direction, RuleIndex: c.src.RuleIndex, Name: c.src.Name}
			}
			m.Sessions += sessions
			m.Packets += fs.PacketCount
			m.Bytes += fs.ByteCount
			out[c.rule] = m
		}
	}
	return out, nil
}

// auditMetricOf reads an audit rule's action flow: it only sees new
// connections (the audit tables' bypass takes the others), each one
// session; its match and bypass flows count nothing.
func auditMetricOf(fs openflow.FlowStats) (id uint32, sessions uint64, ok bool) {
	conj, found := fs.Match.Get(openflow.FieldConjID)
	if !found {
		return 0, 0, false
	}
	return uint32(conj.Uint()), fs.PacketCount, true
}

// metricOf reads the conjunction id of a metric flow and the sessions it
// counts: deny flows match reg3, allow flows the ct_label half of their
// table; allow sessions are the +new packets.
func metricOf(fs openflow.FlowStats) (id uint32, sessions uint64, ok bool) {
	if fs.Table == AuditIngressRule || fs.Table == AuditEgressRule {
		return auditMetricOf(fs)
	}
	if reg3, found := fs.Match.Get(APConjIDField.field()); found {
		return uint32(reg3.Uint()), fs.PacketCount, true
	}
	label, found := fs.Match.Get(openflow.FieldCTLabel)
	if !found {
		return 0, 0, false
	}
	id = uint32(label.Uint())
	if fs.Table == EgressMetric {
		id = uint32(label.Uint() >> 32)
	}
	if state, found := fs.Match.Get(openflow.FieldCTState); found && state.Uint()&uint64(openflow.CTStateNew) != 0 {
		sessions = fs.PacketCount
	}
	return id, sessions, true
}
