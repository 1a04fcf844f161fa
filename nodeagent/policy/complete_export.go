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
	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/nodeagent/types"
)

// GroupSource returns the members of a group as one Node's agent receives
// them (AppliedToGroups: that Node's members), or false when the agent would
// not know the group.
type GroupSource func(name string) ([]v1beta2.GroupMember, bool)

// CompleteRules returns the rules of a controlplane NetworkPolicy as the agent
// of a Node installs them: the same IDs, completion and enforceability checks
// as the agent's cache (completion.go), from the groups atgs and ags give.
// Only the rules whose appliedTo groups want accepts are completed (nil: all);
// rules that are not complete (no known AppliedToGroup, an unknown
// AddressGroup) are left out, as the agent forgets them; rules the agent
// would not install (not enforceable) are returned in notInstalled.
func CompleteRules(np *v1beta2.NetworkPolicy, want func(appliedTo []string) bool, atgs, ags GroupSource) (
	rules []*types.CompletedRule, notInstalled []error) {
	lookup := func(src GroupSource) groupLookup {
		cache := map[string]*group{}
		return func(name string) (*group, bool) {
			if g, ok := cache[name]; ok {
				return g, g != nil
			}
			members, ok := src(name)
			var g *group
			if ok {
				g = newGroup(name, "", members)
			}
			cache[name] = g
			return g, ok
		}
	}
	atgLookup, agLookup := lookup(atgs), lookup(ags)
	for _, r := range policyRules(np) {
		if want != nil && !want(r.appliedTo) {
			continue
		}
		if ruleStateOf(r, known(atgLookup), known(agLookup)) != ruleComplete {
			continue
		}
		cr, err := completeRule(np, r, atgLookup, agLookup)
		if err != nil {
			notInstalled = append(notInstalled, err)
		}
		if cr != nil {
			rules = append(rules, cr)
		}
	}
	return rules, notInstalled
}

func known(l groupLookup) func(string) bool {
	return func(name string) bool {
		_, ok := l(name)
		return ok
	}
}
