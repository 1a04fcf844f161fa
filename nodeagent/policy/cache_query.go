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
	"fmt"
	"maps"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/nodeagent/types"
)

// ruleState is where a rule stands in the cache.
type ruleState int

const (
	// ruleAbsent: no cached policy has the rule (any more).
	ruleAbsent ruleState = iota
	// ruleIneffective: none of its AppliedToGroups is known; it does not apply here.
	ruleIneffective
	// ruleWaiting: it applies here but one of its AddressGroups is not known yet.
	ruleWaiting
	// ruleComplete: it can be installed.
	ruleComplete
)

func (s ruleState) String() string {
	return [...]string{"absent", "ineffective", "waiting", "complete"}[s]
}

// stateLocked classifies a cached rule.
func (c *ruleCache) stateLocked(r *cachedRule) ruleState {
	return ruleStateOf(r, c.knownLocked(appliedToGroups), c.knownLocked(addressGroups))
}

// ruleStateOf classifies a rule by which of its groups are known.
func ruleStateOf(r *cachedRule, atgKnown, agKnown func(string) bool) ruleState {
	if !slices.ContainsFunc(r.appliedTo, atgKnown) {
		return ruleIneffective
	}
	if !allOf(r.addressGroups, agKnown) {
		return ruleWaiting
	}
	return ruleComplete
}

func (c *ruleCache) knownLocked(k groupKind) func(string) bool {
	return func(name string) bool {
		_, ok := c.groups[k][name]
		return ok
	}
}

func (c *ruleCache) lookupLocked(k groupKind) groupLookup {
	return func(name string) (*group, bool) {
		g, ok := c.groups[k][name]
		return g, ok
	}
}

func allOf(names []string, pred func(string) bool) bool {
	for _, n := range names {
		if !pred(n) {
			return false
		}
	}
	return true
}

// completedRule returns the rule to install when its state is ruleComplete. An
// error means the rule's content cannot be converted (e.g. an invalid CIDR), or
// cannot be enforced as written (a *notEnforcedError, which may come with the
// part of the rule to install: see completeRule).
func (c *ruleCache) completedRule(id types.RuleID) (*types.CompletedRule, ruleState, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	r, ok := c.rules[id]
	if !ok {
		return nil, ruleAbsent, nil
	}
	state := c.stateLocked(r)
	if state != ruleComplete {
		return nil, state, nil
	}
	rule, err := completeRule(c.policies[r.policy].np, r,
		c.lookupLocked(appliedToGroups), c.lookupLocked(addressGroups))
	return rule, state, err
}

// rulePolicy returns the name of the policy of a cached rule; "" when the rule
// is not cached.
func (c *ruleCache) rulePolicy(id types.RuleID) string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if r, ok := c.rules[id]; ok {
		return r.policy
	}
	return ""
}

// policyRuleState is one rule of a policy as the status needs it.
type policyRuleState struct {
	id    types.RuleID
	state ruleState
	// label names the rule in a status message.
	label string
}

// policyStatusInput is a policy as the status needs it.
type policyStatusInput struct {
	name       string
	generation int64
	native     bool // Antrea-native or an upstream ClusterNetworkPolicy: its realization is reported
	rules      []policyRuleState
}

// policyStatus returns what the status of a policy is computed from; false when
// the policy is not cached.
func (c *ruleCache) policyStatus(name string) (policyStatusInput, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	p, ok := c.policies[name]
	if !ok {
		return policyStatusInput{name: name}, false
	}
	in := policyStatusInput{name: name, generation: p.np.Generation, native: reportsRealization(p.np)}
	for _, id := range p.rules {
		r := c.rules[id]
		in.rules = append(in.rules, policyRuleState{id: id, state: c.stateLocked(r), label: ruleLabel(r.rule)})
	}
	return in, true
}

// ruleLabel names a rule in status messages, e.g. `In rule 2 "allow-web"`.
func ruleLabel(r *v1beta2.NetworkPolicyRule) string {
	label := fmt.Sprintf("%s rule %d", r.Direction, r.Priority)
	if r.Name != "" {
		label += fmt.Sprintf(" %q", r.Name)
	}
	return label
}

// reportsRealization tells whether the realization of np is reported: an
// Antrea-native policy's, or an upstream ClusterNetworkPolicy's (its Realized
// condition); a K8s NetworkPolicy has no status to show it.
func reportsRealization(np *v1beta2.NetworkPolicy) bool {
	if np.SourceRef == nil {
		return false
	}
	switch np.SourceRef.Type {
	case v1beta2.AntreaClusterNetworkPolicy, v1beta2.AntreaNetworkPolicy, v1beta2.K8sClusterNetworkPolicyType:
		return true
	}
	return false
}

// policyNames returns the names of the cached policies, sorted.
func (c *ruleCache) policyNames() []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return slices.Sorted(maps.Keys(c.policies))
}

// ruleIDs returns the IDs of all cached rules, sorted.
func (c *ruleCache) ruleIDs() []types.RuleID {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return slices.Sorted(maps.Keys(c.rules))
}

// rulesForPod returns the rules whose targets or peers include the Pod, sorted.
func (c *ruleCache) rulesForPod(pod types.PodRef) []types.RuleID {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := sets.New[types.RuleID]()
	for k := range c.groups {
		for name, g := range c.groups[k] {
			if g.hasPod(pod) {
				out.Insert(c.index[k][name].UnsortedList()...)
			}
		}
	}
	return sets.List(out)
}

// state is the cached objects of the three kinds, as saved for the fallback.
type state struct {
	policies  []v1beta2.NetworkPolicy
	appliedTo []v1beta2.AppliedToGroup
	address   []v1beta2.AddressGroup
}

// snapshot copies the cached objects, sorted by name.
func (c *ruleCache) snapshot() *state {
	c.mu.RLock()
	defer c.mu.RUnlock()
	s := &state{}
	for _, name := range slices.Sorted(maps.Keys(c.policies)) {
		s.policies = append(s.policies, *c.policies[name].np.DeepCopy())
	}
	for _, g := range sortedGroups(c.groups[appliedToGroups]) {
		s.appliedTo = append(s.appliedTo, v1beta2.AppliedToGroup{
			ObjectMeta: metav1.ObjectMeta{Name: g.name, UID: g.uid}, GroupMembers: g.sortedMembers()})
	}
	for _, g := range sortedGroups(c.groups[addressGroups]) {
		s.address = append(s.address, v1beta2.AddressGroup{
			ObjectMeta: metav1.ObjectMeta{Name: g.name, UID: g.uid}, GroupMembers: g.sortedMembers()})
	}
	return s
}

func sortedGroups(m map[string]*group) []*group {
	out := make([]*group, 0, len(m))
	for _, name := range slices.Sorted(maps.Keys(m)) {
		out = append(out, m[name])
	}
	return out
}
