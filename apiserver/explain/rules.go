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

package explain

import (
	"fmt"
	"slices"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/nodeagent/policy"
	"github.com/strata-net/strata/nodeagent/types"
)

// nodeRules returns the rules the agent of node installs that apply to pod:
// the NetworkPolicies of the node's span using an AppliedToGroup that holds
// the Pod there, completed as the agent completes them. notInstalled are the
// rules the agent refuses (not enforceable as written).
func (x *Explainer) nodeRules(node string, pod types.PodRef) (rules []*types.CompletedRule, notInstalled []string, err error) {
	atgs, nps := x.lookup(node, pod)
	if len(atgs) == 0 {
		return nil, nil, nil
	}
	want := func(appliedTo []string) bool {
		return slices.ContainsFunc(appliedTo, func(n string) bool { _, ok := atgs[n]; return ok })
	}
	for _, sp := range nps {
		np := &v1beta2.NetworkPolicy{}
		if err := v1beta2.Convert_controlplane_NetworkPolicy_To_v1beta2_NetworkPolicy(sp.Policy, np, nil); err != nil {
			return nil, nil, fmt.Errorf("converting NetworkPolicy %s: %w", sp.Policy.Name, err)
		}
		got, refused := policy.CompleteRules(np, want, x.atgSource(node), x.agSource(node))
		rules = append(rules, got...)
		for _, e := range refused {
			notInstalled = append(notInstalled, e.Error())
		}
	}
	return rules, notInstalled, nil
}

// atgSource gives node's members of an AppliedToGroup, as the agent of node
// receives them (a group without members there is not sent to it).
func (x *Explainer) atgSource(node string) policy.GroupSource {
	return func(name string) ([]v1beta2.GroupMember, bool) {
		g, ok := x.cfg.AppliedToGroups.Get(name)
		if !ok || !g.InSpan(node) {
			return nil, false
		}
		return convertMembers(g.MembersByNode[node]), true
	}
}

// agSource gives an AddressGroup's members when node is in its span.
func (x *Explainer) agSource(node string) policy.GroupSource {
	return func(name string) ([]v1beta2.GroupMember, bool) {
		g, ok := x.cfg.AddressGroups.Get(name)
		if !ok || !g.InSpan(node) {
			return nil, false
		}
		return convertMembers(g.Members), true
	}
}

func convertMembers(in map[string]*controlplane.GroupMember) []v1beta2.GroupMember {
	out := make([]v1beta2.GroupMember, len(in))
	i := 0
	for _, m := range in {
		// the generated conversion of plain fields cannot fail
		_ = v1beta2.Convert_controlplane_GroupMember_To_v1beta2_GroupMember(m, &out[i], nil)
		i++
	}
	return out
}
