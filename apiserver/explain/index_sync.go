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
	"github.com/strata-net/strata/apiserver/computed"
	"github.com/strata-net/strata/nodeagent/types"
	"github.com/strata-net/strata/registry/controlplane/store"
)

// selecter is what the index reads of a store: its objects with the
// resourceVersion they are at.
type selecter[T any] interface {
	Select(sel store.Selector) ([]T, uint64)
	ResourceVersion() uint64
}

// sync brings the index up to the stores (ix.mu held). A store whose
// resourceVersion has not moved is not read; one that has is walked once,
// and only its added, replaced and deleted objects change the index.
func (ix *index) sync(atgs selecter[*computed.AppliedToGroup], nps selecter[*store.NetworkPolicy]) {
	if !ix.built {
		ix.atgs, ix.podATGs = map[string]*indexed[*computed.AppliedToGroup]{}, map[podOnNode]map[string]struct{}{}
		ix.nps, ix.npsByATG = map[string]*indexed[*store.NetworkPolicy]{}, map[string]map[string]*store.NetworkPolicy{}
	}
	if !ix.built || atgs.ResourceVersion() != ix.atgRV {
		items, rv := atgs.Select(store.Selector{})
		ix.gen++
		applyAll(ix.atgs, items, ix.gen, func(g *computed.AppliedToGroup) string { return g.Name }, ix.removeATG, ix.addATG)
		ix.atgRV = rv
	}
	if !ix.built || nps.ResourceVersion() != ix.npRV {
		items, rv := nps.Select(store.Selector{})
		ix.gen++
		applyAll(ix.nps, items, ix.gen, func(p *store.NetworkPolicy) string { return p.Policy.Name }, ix.removePolicy, ix.addPolicy)
		ix.npRV = rv
	}
	ix.built = true
}

// applyAll compares items with held (by pointer: stored objects are
// immutable) and applies each difference: a new object is added, a replaced
// one removed then added, one not in items removed.
func applyAll[T comparable](held map[string]*indexed[T], items []T, gen uint64, key func(T) string, remove, add func(T)) {
	for _, obj := range items {
		k := key(obj)
		h, ok := held[k]
		switch {
		case !ok:
			held[k] = &indexed[T]{obj: obj, gen: gen}
			add(obj)
			continue
		case h.obj != obj:
			remove(h.obj)
			h.obj = obj
			add(obj)
		}
		h.gen = gen
	}
	if len(held) == len(items) {
		return // nothing deleted
	}
	for k, h := range held {
		if h.gen != gen {
			remove(h.obj)
			delete(held, k)
		}
	}
}

func (ix *index) addATG(g *computed.AppliedToGroup) {
	ix.eachMember(g, func(k podOnNode) {
		set := ix.podATGs[k]
		if set == nil {
			set = map[string]struct{}{}
			ix.podATGs[k] = set
		}
		set[g.Name] = struct{}{}
	})
}

func (ix *index) removeATG(g *computed.AppliedToGroup) {
	ix.eachMember(g, func(k podOnNode) {
		delete(ix.podATGs[k], g.Name)
		if len(ix.podATGs[k]) == 0 {
			delete(ix.podATGs, k)
		}
	})
}

// eachMember calls f with every Pod of g on its Node.
func (ix *index) eachMember(g *computed.AppliedToGroup, f func(podOnNode)) {
	for n, members := range g.MembersByNode {
		for _, m := range members {
			if m.Pod != nil {
				f(podOnNode{node: n, pod: types.PodRef{Namespace: m.Pod.Namespace, Name: m.Pod.Name}})
			}
		}
	}
}

func (ix *index) addPolicy(sp *store.NetworkPolicy) {
	for _, a := range policyATGs(sp) {
		set := ix.npsByATG[a]
		if set == nil {
			set = map[string]*store.NetworkPolicy{}
			ix.npsByATG[a] = set
		}
		set[sp.Policy.Name] = sp
	}
}

func (ix *index) removePolicy(sp *store.NetworkPolicy) {
	for _, a := range policyATGs(sp) {
		delete(ix.npsByATG[a], sp.Policy.Name)
		if len(ix.npsByATG[a]) == 0 {
			delete(ix.npsByATG, a)
		}
	}
}
