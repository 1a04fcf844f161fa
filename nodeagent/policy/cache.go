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

package policy

import (
	"maps"
	"slices"
	"sync"

	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/nodeagent/types"
)

// groupKind tells AppliedToGroups from AddressGroups in the cache.
type groupKind int

const (
	appliedToGroups groupKind = iota
	addressGroups
)

func (k groupKind) String() string {
	if k == appliedToGroups {
		return "AppliedToGroup"
	}
	return "AddressGroup"
}

// cachedPolicy is a NetworkPolicy as received and the IDs of its rules.
type cachedPolicy struct {
	np    *v1beta2.NetworkPolicy
	rules []types.RuleID
}

// cacheHooks are called, under the cache lock, with what a change affects. They
// must not call back into the cache.
type cacheHooks struct {
	// rulesDirty receives the rules to reconcile again.
	rulesDirty func(ids ...types.RuleID)
	// policiesChanged receives policies added, deleted or with a new generation.
	policiesChanged func(names ...string)
}

// ruleCache holds this Node's slice of the controlplane API and the rules derived
// from it. Rules are indexed by the groups they use, so a group change dirties
// exactly its rules; the index holds rules whose groups are not known yet, so a
// group's arrival completes the rules waiting for it.
type ruleCache struct {
	hooks cacheHooks

	mu       sync.RWMutex
	policies map[string]*cachedPolicy
	rules    map[types.RuleID]*cachedRule
	groups   [2]map[string]*group
	index    [2]map[string]sets.Set[types.RuleID]
}

func newRuleCache(hooks cacheHooks) *ruleCache {
	return &ruleCache{
		hooks:    hooks,
		policies: map[string]*cachedPolicy{},
		rules:    map[types.RuleID]*cachedRule{},
		groups:   [2]map[string]*group{{}, {}},
		index:    [2]map[string]sets.Set[types.RuleID]{{}, {}},
	}
}

// change collects what one cache operation affects, reported when it ends.
type change struct {
	rules    sets.Set[types.RuleID]
	policies sets.Set[string]
}

func newChange() *change {
	return &change{rules: sets.New[types.RuleID](), policies: sets.New[string]()}
}

func (c *ruleCache) report(ch *change) {
	if ch.rules.Len() > 0 && c.hooks.rulesDirty != nil {
		c.hooks.rulesDirty(sets.List(ch.rules)...)
	}
	if ch.policies.Len() > 0 && c.hooks.policiesChanged != nil {
		c.hooks.policiesChanged(sets.List(ch.policies)...)
	}
}

// ReplacePolicies makes nps the cached NetworkPolicies.
func (c *ruleCache) replacePolicies(nps []*v1beta2.NetworkPolicy) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := newChange()
	keep := sets.New[string]()
	for _, np := range nps {
		keep.Insert(np.Name)
		c.upsertPolicyLocked(np, ch)
	}
	for name := range c.policies {
		if !keep.Has(name) {
			c.deletePolicyLocked(name, ch)
		}
	}
	c.report(ch)
}

// upsertPolicy adds or replaces one NetworkPolicy (ADDED, MODIFIED).
func (c *ruleCache) upsertPolicy(np *v1beta2.NetworkPolicy) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := newChange()
	c.upsertPolicyLocked(np, ch)
	c.report(ch)
}

// deletePolicy removes one NetworkPolicy (DELETED).
func (c *ruleCache) deletePolicy(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := newChange()
	c.deletePolicyLocked(name, ch)
	c.report(ch)
}

// upsertPolicyLocked keeps the rules whose content (hence ID) did not change,
// adds the new ones and removes the others; added and removed rules are dirty.
func (c *ruleCache) upsertPolicyLocked(np *v1beta2.NetworkPolicy, ch *change) {
	old := c.policies[np.Name]
	fresh := policyRules(np)
	if old != nil {
		for _, id := range old.rules {
			if _, ok := fresh[id]; !ok {
				c.removeRuleLocked(id)
				ch.rules.Insert(id)
			}
		}
	}
	for id, r := range fresh {
		if cur, ok := c.rules[id]; ok {
			cur.rule = r.rule // same content; drop the reference to the old object
			continue
		}
		c.addRuleLocked(r)
		ch.rules.Insert(id)
	}
	c.policies[np.Name] = &cachedPolicy{np: np, rules: slices.Sorted(maps.Keys(fresh))}
	if old == nil || old.np.Generation != np.Generation {
		ch.policies.Insert(np.Name)
	}
}

func (c *ruleCache) deletePolicyLocked(name string, ch *change) {
	old, ok := c.policies[name]
	if !ok {
		return
	}
	for _, id := range old.rules {
		c.removeRuleLocked(id)
		ch.rules.Insert(id)
	}
	delete(c.policies, name)
	ch.policies.Insert(name)
}

func (c *ruleCache) addRuleLocked(r *cachedRule) {
	c.rules[r.id] = r
	indexRule(c.index[appliedToGroups], r.appliedTo, r.id)
	indexRule(c.index[addressGroups], r.addressGroups, r.id)
}

func (c *ruleCache) removeRuleLocked(id types.RuleID) {
	r, ok := c.rules[id]
	if !ok {
		return
	}
	unindexRule(c.index[appliedToGroups], r.appliedTo, id)
	unindexRule(c.index[addressGroups], r.addressGroups, id)
	delete(c.rules, id)
}

func indexRule(index map[string]sets.Set[types.RuleID], groups []string, id types.RuleID) {
	for _, g := range groups {
		if index[g] == nil {
			index[g] = sets.New[types.RuleID]()
		}
		index[g].Insert(id)
	}
}

func unindexRule(index map[string]sets.Set[types.RuleID], groups []string, id types.RuleID) {
	for _, g := range groups {
		if s := index[g]; s != nil {
			if s.Delete(id); s.Len() == 0 {
				delete(index, g)
			}
		}
	}
}

// replaceGroups makes gs the cached groups of kind k; the rules of new, changed
// and removed groups are dirty.
func (c *ruleCache) replaceGroups(k groupKind, gs []*group) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := newChange()
	keep := sets.New[string]()
	for _, g := range gs {
		keep.Insert(g.name)
		if old, ok := c.groups[k][g.name]; ok && old.equal(g) {
			continue
		}
		c.setGroupLocked(k, g, ch)
	}
	for name := range c.groups[k] {
		if !keep.Has(name) {
			c.deleteGroupLocked(k, name, ch)
		}
	}
	c.report(ch)
}

// upsertGroup adds or replaces one group (ADDED).
func (c *ruleCache) upsertGroup(k groupKind, g *group) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := newChange()
	c.setGroupLocked(k, g, ch)
	c.report(ch)
}

// patchGroup applies a MODIFIED patch; it fails for a group it does not know,
// which means the cache missed an event.
func (c *ruleCache) patchGroup(k groupKind, name string, added, removed []v1beta2.GroupMember) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	g, ok := c.groups[k][name]
	if !ok {
		return errUnknownGroup{kind: k, name: name}
	}
	g.apply(added, removed)
	ch := newChange()
	ch.rules.Insert(c.index[k][name].UnsortedList()...)
	c.report(ch)
	return nil
}

// deleteGroup removes one group (DELETED).
func (c *ruleCache) deleteGroup(k groupKind, name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := newChange()
	c.deleteGroupLocked(k, name, ch)
	c.report(ch)
}

func (c *ruleCache) setGroupLocked(k groupKind, g *group, ch *change) {
	c.groups[k][g.name] = g
	ch.rules.Insert(c.index[k][g.name].UnsortedList()...)
}

func (c *ruleCache) deleteGroupLocked(k groupKind, name string, ch *change) {
	if _, ok := c.groups[k][name]; !ok {
		return
	}
	delete(c.groups[k], name)
	ch.rules.Insert(c.index[k][name].UnsortedList()...)
}

// errUnknownGroup is a patch for a group the cache does not hold.
type errUnknownGroup struct {
	kind groupKind
	name string
}

func (e errUnknownGroup) Error() string {
	return "patch for unknown " + e.kind.String() + " " + e.name
}
