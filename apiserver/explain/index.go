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
	"slices"
	"strings"
	"sync"

	"github.com/strata-net/strata/apiserver/computed"
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
// using each AppliedToGroup. It is maintained incrementally (index_sync.go):
// when a store's resourceVersion has moved, only the objects that changed
// since (stored objects are immutable: a new pointer is a change) are taken
// out of the index and put back in their new version.
type index struct {
	mu       sync.Mutex
	atgRV    uint64
	atgs     map[string]*indexed[*computed.AppliedToGroup]
	podATGs  map[podOnNode]map[string]struct{}
	npRV     uint64
	nps      map[string]*indexed[*store.NetworkPolicy]
	npsByATG map[string]map[string]*store.NetworkPolicy
	gen      uint64 // the generation of the current sync (deletions: not seen in it)
	built    bool
}

// indexed is an object as the index holds it: gen is the last sync that saw it.
type indexed[T any] struct {
	obj T
	gen uint64
}

// lookup returns the AppliedToGroups holding pod on node and the policies
// using any of them, sorted by name.
func (x *Explainer) lookup(node string, pod types.PodRef) (map[string]struct{}, []*store.NetworkPolicy) {
	ix := &x.index
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.sync(x.cfg.AppliedToGroups, x.cfg.NetworkPolicies)
	atgs := map[string]struct{}{}
	var nps []*store.NetworkPolicy
	seen := map[string]bool{}
	for a := range ix.podATGs[podOnNode{node: node, pod: pod}] {
		atgs[a] = struct{}{}
		for name, sp := range ix.npsByATG[a] {
			if !seen[name] && sp.InSpan(node) { // what the Node's agent watches
				seen[name] = true
				nps = append(nps, sp)
			}
		}
	}
	slices.SortFunc(nps, func(a, b *store.NetworkPolicy) int { return strings.Compare(a.Policy.Name, b.Policy.Name) })
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
