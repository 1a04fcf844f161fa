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
	"net/netip"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/nodeagent/ovs/openflow"
	"github.com/strata-net/strata/nodeagent/proxy"
	"github.com/strata-net/strata/nodeagent/types"
)

// direction is the side of a rule: ingress rules guard traffic to their
// Pods, egress rules traffic from them.
type direction uint8

const (
	ingress direction = iota
	egress
)

func (d direction) String() string {
	if d == egress {
		return "Egress"
	}
	return "Ingress"
}

// dirTables are the tables and registers of one direction.
type dirTables struct {
	// audit holds the rules of policies in audit mode, ahead of policy.
	audit                      uint8
	policy, k8s, deflt, metric uint8
	// afterMetric is where the metric table sends packets on.
	afterMetric uint8
	// conjField holds the conjunction id of Allow/Pass rules.
	conjField RegField
	// denyGroup and passGroup send a copy of the packet to the controller
	// and continue in the metric table / the K8s rule table.
	denyGroup, passGroup uint32
	// auditGroup continues an audited packet in the policy table and sends
	// a copy to the controller for an AUDIT line.
	auditGroup uint32
}

var directions = [2]dirTables{
	ingress: {audit: AuditIngressRule, policy: AntreaPolicyIngressRule, k8s: IngressRule, deflt: IngressDefaultRule,
		metric: IngressMetric, afterMetric: ConntrackCommit, conjField: IngressConjIDField,
		denyGroup: groupIngressDeny, passGroup: groupIngressPass, auditGroup: groupIngressAudit},
	egress: {audit: AuditEgressRule, policy: AntreaPolicyEgressRule, k8s: EgressRule, deflt: EgressDefaultRule,
		metric: EgressMetric, afterMetric: L3Forwarding, conjField: EgressConjIDField,
		denyGroup: groupEgressDeny, passGroup: groupEgressPass, auditGroup: groupEgressAudit},
}

// ruleKind is where a rule is enforced.
type ruleKind uint8

const (
	kindPolicy   ruleKind = iota // Antrea-native, non-baseline tiers
	kindBaseline                 // baseline tier, after K8s isolation
	kindK8s                      // K8s NetworkPolicy, fixed priorities
	kindAudit                    // a policy in audit mode (audit.go)

	numKinds
)

// family is an IP family.
type family uint8

const (
	ipv4 family = 1 << iota
	ipv6
)

func familyOf(a netip.Addr) family {
	if a.Unmap().Is4() {
		return ipv4
	}
	return ipv6
}

func (f family) ethType() uint16 {
	if f == ipv6 {
		return openflow.EthTypeIPv6
	}
	return openflow.EthTypeIPv4
}

func (f family) zone() uint16 {
	if f == ipv6 {
		return CTZoneIPv6
	}
	return CTZoneIPv4
}

// each calls fn for the families of the set, IPv4 first.
func (f family) each(fn func(family)) {
	for _, one := range []family{ipv4, ipv6} {
		if f&one != 0 {
			fn(one)
		}
	}
}

// compiledRule is a CompletedRule in OpenFlow terms. It does not depend on
// the OF priority, so moving a rule re-derives its flows.
type compiledRule struct {
	src    *types.CompletedRule
	dir    direction
	kind   ruleKind
	action v1beta2.RuleAction
	// parts are the OF rules: one, or one per distinct set of resolved named
	// ports.
	parts []*rulePart
	// toServices are the Services of an egress rule's toServices part.
	toServices []proxy.ServiceRef
	// isolated are the appliedTo Pods isolated by a K8s rule: the match of
	// their drop flow in the default table.
	isolated []openflow.Match
	// dnsPorts are the target Pods' ports whose DNS responses are
	// intercepted, for a rule with FQDN peers (fqdn.go).
	dnsPorts []uint32
	// ofPriority is the priority the rule's flows were contributed with
	// (match and action flows; K8s action flows use k8sActionPriority).
	ofPriority uint16
}

// rulePart is one OF rule: a conjunction.
type rulePart struct {
	// key is the resolved named ports ("" without named ports).
	key      string
	clauses  []clause
	families family
	conjID   uint32
	// svcClause is 1 + the index of the clause of Service frontends
	// (resolved when contributed, toservices.go); 0 for none.
	svcClause int
}

// clause is one dimension of a conjunction (from, to, service): a packet
// must match one of its values.
type clause struct {
	values []openflow.Match
}

// matchesNothing tells whether a clause without values makes the part
// unmatchable (e.g. empty peers, unresolved named ports).
func (p *rulePart) matchesNothing() bool {
	for _, c := range p.clauses {
		if len(c.values) == 0 {
			return true
		}
	}
	return len(p.clauses) == 0
}

func (r *compiledRule) tables() dirTables { return directions[r.dir] }

// table is the table of the rule's conjunction.
func (r *compiledRule) table() uint8 {
	switch r.kind {
	case kindK8s:
		return r.tables().k8s
	case kindBaseline:
		return r.tables().deflt
	case kindAudit:
		return r.tables().audit
	}
	return r.tables().policy
}

// actionPriority is the priority of the conj_id action flow.
func (r *compiledRule) actionPriority() uint16 {
	if r.kind == kindK8s {
		return k8sActionPriority
	}
	return r.ofPriority
}

func (r *compiledRule) owner(part *rulePart) ownerKey {
	return ownerKey(fmt.Sprintf("conj/%d", part.conjID))
}

func (r *compiledRule) isolationOwner() ownerKey { return ownerKey("rule/" + string(r.src.ID)) }
