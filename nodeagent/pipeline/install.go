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
	"errors"
	"fmt"
	"slices"
	"sync"

	"k8s.io/klog/v2"

	"github.com/strata-net/strata/nodeagent/ovs/openflow"
	"github.com/strata-net/strata/nodeagent/proxy"
	"github.com/strata-net/strata/nodeagent/types"
)

// PolicyFlows installs policy rules: Reconcile adds or updates rules, Forget
// removes them. Each call computes the difference to the installed flows
// and sends it as one atomic bundle. A call whose bundle Open vSwitch
// refuses changes nothing (a *RefusedError naming the rules of the refused
// flows): the installed versions of its rules stay, and retrying the rules
// one by one installs all but the refused ones.
type PolicyFlows struct {
	p *Pipeline
	// Guarded by p.mu.
	rules   map[types.RuleID]*compiledRule
	bySvc   map[proxy.ServiceRef]map[types.RuleID]*compiledRule
	byPrio  map[prioKey]map[types.RuleID]*compiledRule
	assign  assigners
	ids     idAllocator
	toFree  []uint32 // conjunction ids freed by the previous call
	conjIdx conjIndex
}

// conjIndex maps conjunction ids to rules for stats and packet-ins; it is
// read without the pipeline lock.
type conjIndex struct {
	mu   sync.RWMutex
	byID map[uint32]conjInfo
}

func newPolicyFlows(p *Pipeline) *PolicyFlows {
	return &PolicyFlows{p: p, rules: map[types.RuleID]*compiledRule{}, bySvc: map[proxy.ServiceRef]map[types.RuleID]*compiledRule{}, byPrio: map[prioKey]map[types.RuleID]*compiledRule{},
		assign: newAssigners(), conjIdx: conjIndex{byID: map[uint32]conjInfo{}}}
}

// Reconcile installs rules, replacing the installed version of each. Targets
// that PodInterfaces does not know yet are left out: the caller reconciles
// the rule again when they appear. Rules that cannot be compiled are
// reported in the error; the others are installed, all or none of them.
func (pf *PolicyFlows) Reconcile(ctx context.Context, rules []*types.CompletedRule) error {
	c := pf.newCompiler()
	compiled := make([]*compiledRule, 0, len(rules))
	var errs []error
	for _, r := range rules {
		cr, err := c.compile(r)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		compiled = append(compiled, cr)
	}
	err := pf.p.update(ctx, func() error {
		var err error
		compiled, err = pf.recompileFQDNRules(compiled)
		errs = append(errs, err)
		return pf.replace(compiled)
	})
	if err := errors.Join(append(errs, err)...); err != nil {
		return fmt.Errorf("reconciling %d rules: %w", len(rules), err)
	}
	klog.FromContext(ctx).V(2).Info("Reconciled policy rules", "rules", len(rules))
	return nil
}

func (pf *PolicyFlows) newCompiler() *compiler {
	return newCompiler(pf.p.cfg.Interfaces, pf.p.cfg.FQDNs)
}

// recompileFQDNRules compiles the rules with FQDN peers again under the
// pipeline lock, so that their addresses are those of the resolver now: a
// RefreshFQDNs between the first compile and this install would otherwise
// be undone. Rules that fail are left out and reported.
func (pf *PolicyFlows) recompileFQDNRules(rules []*compiledRule) ([]*compiledRule, error) {
	c := pf.newCompiler()
	out := rules[:0]
	var errs []error
	for _, cr := range rules {
		if len(cr.src.FQDNs) > 0 {
			var err error
			if cr, err = c.compile(cr.src); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		out = append(out, cr)
	}
	return out, errors.Join(errs...)
}

// Forget uninstalls rules. Unknown ids are ignored.
func (pf *PolicyFlows) Forget(ctx context.Context, ids []types.RuleID) error {
	if err := pf.p.update(ctx, func() error { pf.forget(ids); return nil }); err != nil {
		return fmt.Errorf("forgetting %d rules: %w", len(ids), err)
	}
	klog.FromContext(ctx).V(2).Info("Forgot policy rules", "rules", len(ids))
	return nil
}

func (pf *PolicyFlows) forget(ids []types.RuleID) {
	pf.releaseFreed()
	for _, id := range ids {
		if old, ok := pf.rules[id]; ok {
			pf.withdraw(old)
			pf.releasePriority(old)
			pf.freeParts(old, nil)
			deleteUndoable(pf.p, pf.rules, id)
		}
	}
}

// replace swaps in the new versions of rules: priorities of the batch are
// registered first (moving neighbours if needed), then each old version is
// withdrawn and the new one contributed, then the rules at moved priorities
// are re-contributed, and last the old versions' priorities released. On
// error the caller rolls the change back.
func (pf *PolicyFlows) replace(rules []*compiledRule) error {
	pf.releaseFreed()
	moves, err := pf.register(rules)
	if err != nil {
		return err
	}
	batch := make(map[types.RuleID]bool, len(rules))
	var olds []*compiledRule
	for _, cr := range rules {
		batch[cr.src.ID] = true
		old := pf.rules[cr.src.ID]
		if err := pf.assignConjIDs(cr, old); err != nil {
			return err
		}
		if old != nil {
			pf.withdraw(old)
			pf.freeParts(old, cr)
			olds = append(olds, old)
		}
		cr.ofPriority = pf.priorityOf(cr)
		pf.contribute(cr)
		setUndoable(pf.p, pf.rules, cr.src.ID, cr)
	}
	for key, mv := range moves {
		for id, r := range pf.byPrio[key] {
			if !batch[id] {
				pf.withdraw(r)
				from := r.ofPriority
				pf.p.onUndo(func() { r.ofPriority = from })
				r.ofPriority = mv.To
				pf.contribute(r)
			}
		}
	}
	for _, old := range olds {
		pf.releasePriority(old)
	}
	return nil
}

// register takes a priority reference for every non-K8s rule of the batch,
// one assigner batch at a time. On error the references taken are released.
func (pf *PolicyFlows) register(rules []*compiledRule) (map[prioKey]Move, error) {
	batches := map[*priorityAssigner][]*compiledRule{}
	for _, cr := range rules {
		if a := pf.assign.of(cr); a != nil {
			batches[a] = append(batches[a], cr)
		}
	}
	moves := map[prioKey]Move{}
	var done []*compiledRule
	for a, batch := range batches {
		ps := make([]types.Priority, len(batch))
		for i, cr := range batch {
			ps[i] = cr.src.Priority()
		}
		m, err := pf.registerUndoable(a, ps)
		if err != nil {
			for _, cr := range done {
				pf.releasePriority(cr)
			}
			return nil, fmt.Errorf("assigning OpenFlow priorities: %w", err)
		}
		done = append(done, batch...)
		for p, mv := range m {
			moves[prioKey{dir: batch[0].dir, kind: batch[0].kind, p: p}] = mv
		}
	}
	return moves, nil
}

func (pf *PolicyFlows) priorityOf(cr *compiledRule) uint16 {
	a := pf.assign.of(cr)
	if a == nil {
		return k8sMatchPriority
	}
	of, _ := a.Get(cr.src.Priority())
	return of
}

func (pf *PolicyFlows) releasePriority(cr *compiledRule) {
	if a := pf.assign.of(cr); a != nil {
		pf.releaseUndoable(a, cr.src.Priority())
	}
}

// assignConjIDs gives each matchable part of cr the conjunction id of the
// old version's part with the same named-port resolution, or a new one.
func (pf *PolicyFlows) assignConjIDs(cr, old *compiledRule) error {
	reuse := map[string]uint32{}
	if old != nil {
		for _, part := range old.parts {
			reuse[part.key] = part.conjID
		}
	}
	for _, part := range cr.parts {
		if part.matchesNothing() && part.svcClause == 0 {
			continue // a toServices part gets an id for the Services to come
		}
		if id := reuse[part.key]; id != 0 {
			part.conjID = id
			continue
		}
		id, err := pf.ids.allocate()
		if err != nil {
			return err
		}
		pf.p.onUndo(func() { pf.ids.release(id) })
		part.conjID = id
	}
	return nil
}

// freeParts queues the conjunction ids of old that successor does not
// reuse; they are released at the start of the next call, so that one
// bundle never gives an id to another rule.
func (pf *PolicyFlows) freeParts(old, successor *compiledRule) {
	kept := map[uint32]bool{}
	if successor != nil {
		for _, part := range successor.parts {
			kept[part.conjID] = true
		}
	}
	n := len(pf.toFree)
	pf.p.onUndo(func() { pf.toFree = pf.toFree[:n] })
	for _, part := range old.parts {
		if part.conjID != 0 && !kept[part.conjID] {
			pf.toFree = append(pf.toFree, part.conjID)
		}
	}
}

func (pf *PolicyFlows) releaseFreed() {
	freed := slices.Clone(pf.toFree)
	pf.p.onUndo(func() {
		for _, id := range freed {
			pf.ids.take(id)
		}
		pf.toFree = freed
	})
	for _, id := range pf.toFree {
		pf.ids.release(id)
	}
	pf.toFree = pf.toFree[:0]
}

// contribute adds a rule's flows to the desired state at r.ofPriority.
func (pf *PolicyFlows) contribute(r *compiledRule) {
	pf.resolveServices(r)
	pf.indexServices(r, true)
	pf.apply(r, true)
	if r.kind != kindK8s {
		key := keyOf(r)
		set := pf.byPrio[key]
		if set == nil {
			set = map[types.RuleID]*compiledRule{}
			setUndoable(pf.p, pf.byPrio, key, set)
		}
		setUndoable(pf.p, set, r.src.ID, r)
	}
	if pf.p.log != nil {
		pf.p.onUndo(pf.conjIdx.saver(r))
	}
	pf.conjIdx.add(r)
}

// withdraw removes a rule's flows from the desired state.
func (pf *PolicyFlows) withdraw(r *compiledRule) {
	pf.apply(r, false)
	pf.indexServices(r, false)
	if set := pf.byPrio[keyOf(r)]; set[r.src.ID] == r {
		deleteUndoable(pf.p, set, r.src.ID)
		if len(set) == 0 {
			deleteUndoable(pf.p, pf.byPrio, keyOf(r))
		}
	}
	if pf.p.log != nil {
		pf.p.onUndo(pf.conjIdx.saver(r))
	}
	pf.conjIdx.remove(r)
}

// apply adds (or removes) the match, action and metric flows of every
// matchable part and the isolation drops of a K8s rule.
func (pf *PolicyFlows) apply(r *compiledRule, add bool) {
	s, b := pf.p.flows, pf.p.build
	for _, part := range r.parts {
		if part.conjID == 0 || part.matchesNothing() {
			continue
		}
		s.contributeMatches(r.table(), r.ofPriority, part, add)
		owner := r.owner(part)
		for _, flows := range [][]openflow.Flow{b.actionFlows(r, part), b.metricFlows(r, part)} {
			for _, f := range flows {
				if add {
					s.addOwned(owner, f)
				} else {
					s.removeOwned(owner, f.Key())
				}
			}
		}
	}
	pf.applyDNSIntercept(r, add)
	for _, m := range r.isolated {
		plain, logged := b.isolationFlows(r.dir, m)
		if add {
			s.addDrop(r.isolationOwner(), plain, logged, r.src.EnableLogging)
		} else {
			s.removeDrop(r.isolationOwner(), plain.Key())
		}
	}
}
