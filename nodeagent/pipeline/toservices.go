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
	"slices"

	"github.com/strata-net/strata/nodeagent/ovs/openflow"
	"github.com/strata-net/strata/nodeagent/proxy"
	"github.com/strata-net/strata/nodeagent/types"
)

// toServicesKey is the part key of a rule's toServices part (named-port keys
// never start with a NUL).
const toServicesKey = "\x00toServices"

// A toServices egress rule matches the Service port a new connection was sent
// to before DNAT: ServiceLB loads the frontend's id into reg7 (ServiceIDField)
// and the egress policy tables, which see the endpoint as destination, match
// reg7 == the id of each frontend of the named Services. The ids belong to
// ServiceFlows and change with the Services, so the rule's part keeps a
// placeholder clause that is resolved whenever the rule is contributed, and
// every change of a Service re-contributes the rules naming it in the same
// bundle (servicesChanged): a new frontend is never installed without the
// matches of the rules that name its Service, a removed one takes them along.

// servicePart builds the toServices part of an egress rule: its targets, the
// Services' frontends (resolved at contribution) and its ports, if any.
func (c *compiler) servicePart(r *types.CompletedRule, targets []target) (*rulePart, error) {
	part := &rulePart{key: toServicesKey, families: ipv4} // only IPv4 frontends are proxied
	part.clauses = append(part.clauses, clause{values: c.targetMatches(egress, targets)})
	part.svcClause = len(part.clauses) + 1 // the clause appended next
	part.clauses = append(part.clauses, clause{})
	if len(r.Services) > 0 {
		values, err := serviceMatches(r.Services, part.families)
		if err != nil {
			return nil, err
		}
		part.clauses = append(part.clauses, clause{values: values})
	}
	return part, nil
}

// serviceRefs converts a rule's toServices.
func serviceRefs(r *types.CompletedRule) ([]proxy.ServiceRef, error) {
	out := make([]proxy.ServiceRef, 0, len(r.ToServices))
	for _, s := range r.ToServices {
		if s.Name == "" || s.Namespace == "" {
			return nil, fmt.Errorf("toServices entry %s/%s needs a name and a namespace", s.Namespace, s.Name)
		}
		ref := proxy.ServiceRef{Namespace: s.Namespace, Name: s.Name}
		if !slices.Contains(out, ref) {
			out = append(out, ref)
		}
	}
	return out, nil
}

// frontendMatches are the reg7 matches of every frontend of the Services,
// sorted by id. Caller holds p.mu.
func (sf *ServiceFlows) frontendMatches(refs []proxy.ServiceRef) []openflow.Match {
	var ids []uint32
	for _, ref := range refs {
		for _, fe := range sf.services[ref] {
			ids = append(ids, fe.id)
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	out := make([]openflow.Match, 0, len(ids))
	for _, id := range ids {
		out = append(out, openflow.MustMatch(ServiceIDField.Match(id)))
	}
	return out
}

// resolveServices sets the toServices clause of r's parts to the current
// frontends of its Services, undoably.
func (pf *PolicyFlows) resolveServices(r *compiledRule) {
	if len(r.toServices) == 0 {
		return
	}
	for _, part := range r.parts {
		if part.svcClause == 0 {
			continue
		}
		cl := &part.clauses[part.svcClause-1]
		old := cl.values
		pf.p.onUndo(func() { cl.values = old })
		cl.values = pf.p.services.frontendMatches(r.toServices)
	}
}

// indexServices records (or forgets) r as a rule naming its Services.
func (pf *PolicyFlows) indexServices(r *compiledRule, add bool) {
	for _, ref := range r.toServices {
		set := pf.bySvc[ref]
		switch {
		case add && set == nil:
			set = map[types.RuleID]*compiledRule{}
			setUndoable(pf.p, pf.bySvc, ref, set)
			fallthrough
		case add:
			setUndoable(pf.p, set, r.src.ID, r)
		case set[r.src.ID] == r:
			deleteUndoable(pf.p, set, r.src.ID)
			if len(set) == 0 {
				deleteUndoable(pf.p, pf.bySvc, ref)
			}
		}
	}
}

// servicesChanged re-contributes the rules naming ref after its frontends
// changed, in the same change (and so the same bundle). Caller holds p.mu.
func (pf *PolicyFlows) servicesChanged(ref proxy.ServiceRef) {
	rules := make([]*compiledRule, 0, len(pf.bySvc[ref]))
	for _, r := range pf.bySvc[ref] {
		rules = append(rules, r)
	}
	for _, r := range rules {
		pf.withdraw(r)
		pf.contribute(r)
	}
}

// addServicePart adds the toServices part of an egress rule.
func (c *compiler) addServicePart(cr *compiledRule, r *types.CompletedRule, targets []target) error {
	if len(r.ToServices) == 0 {
		return nil
	}
	if cr.dir != egress {
		return fmt.Errorf("toServices is only valid in egress rules")
	}
	refs, err := serviceRefs(r)
	if err != nil {
		return err
	}
	part, err := c.servicePart(r, targets)
	if err != nil {
		return err
	}
	cr.toServices = refs
	cr.parts = append(cr.parts, part)
	return nil
}
