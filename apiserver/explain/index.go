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
	"sync"

	"github.com/strata-net/strata/nodeagent/types"
	"github.com/strata-net/strata/registry/controlplane/store"
)

// podOnNode is a Pod as a member of one Node's AppliedToGroups.
type podOnNode struct {
	node string
	pod  types.PodRef
}

// index finds the policies of a Pod without scanning the stores: the
// AppliedToGroups holding each Pod on its Node, and the NetworkPolicies
// using each AppliedToGroup. Each half is rebuilt when its store's
// resourceVersion has moved since it was built (read before the listing, so
// a change during a rebuild only causes another one).
type index struct {
	mu       sync.Mutex
	atgRV    uint64
	podATGs  map[podOnNode][]string
	npRV     uint64
	npsByATG map[string][]*store.NetworkPolicy
	built    bool
}

// lookup returns the AppliedToGroups holding pod on node and the policies
// using any of them.
func (x *Explainer) lookup(node string, pod types.PodRef) (map[string]struct{}, []*store.NetworkPolicy) {
	ix := &x.index
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if rv := x.cfg.AppliedToGroups.ResourceVersion(); !ix.built || rv != ix.atgRV {
		ix.atgRV, ix.podATGs = rv, map[podOnNode][]string{}
		for _, g := range x.cfg.AppliedToGroups.List() {
			for n, members := range g.MembersByNode {
				for _, m := range members {
					if m.Pod != nil {
						k := podOnNode{node: n, pod: types.PodRef{Namespace: m.Pod.Namespace, Name: m.Pod.Name}}
						ix.podATGs[k] = append(ix.podATGs[k], g.Name)
					}
				}
			}
		}
	}
	if rv := x.cfg.NetworkPolicies.ResourceVersion(); !ix.built || rv != ix.npRV {
		ix.npRV, ix.npsByATG = rv, map[string][]*store.NetworkPolicy{}
		for _, sp := range x.cfg.NetworkPolicies.List() {
			for _, name := range policyATGs(sp) {
				ix.npsByATG[name] = append(ix.npsByATG[name], sp)
			}
		}
	}
	ix.built = true
	atgs := map[string]struct{}{}
	var nps []*store.NetworkPolicy
	seen := map[string]bool{}
	for _, a := range ix.podATGs[podOnNode{node: node, pod: pod}] {
		atgs[a] = struct{}{}
		for _, sp := range ix.npsByATG[a] {
			if !seen[sp.Policy.Name] && sp.InSpan(node) { // what the Node's agent watches
				seen[sp.Policy.Name] = true
				nps = append(nps, sp)
			}
		}
	}
	return atgs, nps
}

// policyATGs are the AppliedToGroups a policy or its rules apply to, each once.
func policyATGs(sp *store.NetworkPolicy) []string {
	set := map[string]bool{}
	var out []string
	add := func(names []string) {
		for _, n := range names {
			if !set[n] {
				set[n] = true
				out = append(out, n)
			}
		}
	}
	add(sp.Policy.AppliedToGroups)
	for i := range sp.Policy.Rules {
		add(sp.Policy.Rules[i].AppliedToGroups)
	}
	return out
}
