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
	"container/heap"
	"fmt"
	"net/netip"
	"slices"

	"github.com/strata-net/strata/nodeagent/ovs/openflow"
)

// part builds the clauses of one OF rule, in Antrea's order from, to,
// service. A nil peer list (any address) has no clause, except that OVS
// needs at least two clauses: then "any IP" of the rule's families stands
// in for it.
func (c *compiler) part(dir direction, g portGroup, hasServices bool) (*rulePart, error) {
	part := &rulePart{key: g.key, families: groupFamilies(g)}
	var peers *clause
	if g.peers != nil {
		peers = &clause{values: c.peerMatches(dir, g.peers)}
	}
	targets := clause{values: c.targetMatches(dir, g.targets)}
	var services *clause
	if hasServices {
		values, err := serviceMatches(g.services, part.families)
		if err != nil {
			return nil, err
		}
		services = &clause{values: values}
	}
	if peers == nil && services == nil {
		peers = &clause{values: anyIPMatches(part.families)}
	}
	if dir == ingress {
		part.clauses = appendClauses(part.clauses, peers, &targets, services)
	} else {
		part.clauses = appendClauses(part.clauses, &targets, peers, services)
	}
	return part, nil
}

func appendClauses(out []clause, cs ...*clause) []clause {
	for _, c := range cs {
		if c != nil {
			out = append(out, *c)
		}
	}
	return out
}

// groupFamilies are the IP families a group can match: its peers', or its
// targets' without peer restriction; IPv4 when unknown.
func groupFamilies(g portGroup) family {
	var f family
	if g.peers != nil {
		for _, p := range g.peers {
			f |= familyOf(p.prefix.Addr())
		}
	} else {
		for _, t := range g.targets {
			for _, ip := range t.ips {
				f |= familyOf(ip)
			}
		}
	}
	if f == 0 {
		f = ipv4
	}
	return f
}

func anyIPMatches(fams family) []openflow.Match {
	var out []openflow.Match
	fams.each(func(f family) { out = append(out, openflow.MustMatch(openflow.EthType(f.ethType()))) })
	return out
}

// peerMatches: nw_src of ingress peers, nw_dst of egress peers.
func (c *compiler) peerMatches(dir direction, peers []peer) []openflow.Match {
	out := make([]openflow.Match, 0, len(peers))
	seen := make(map[openflow.Match]bool, len(peers))
	for _, p := range peers {
		var m openflow.Match
		if dir == ingress {
			m = c.srcMatch(p.prefix)
		} else {
			m = c.dstMatch(p.prefix)
		}
		if !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
	}
	return out
}

// targetMatches: reg1=<ofport> of ingress targets, nw_src=<Pod IP> of
// egress targets.
func (c *compiler) targetMatches(dir direction, targets []target) []openflow.Match {
	var out []openflow.Match
	seen := map[openflow.Match]bool{}
	add := func(m openflow.Match) {
		if !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
	}
	for _, t := range targets {
		if dir == ingress {
			add(c.portMatch(t.ofport))
			continue
		}
		for _, ip := range t.ips {
			add(c.srcMatch(netip.PrefixFrom(ip, ip.BitLen())))
		}
	}
	return out
}

func (c *compiler) srcMatch(p netip.Prefix) openflow.Match {
	m, ok := c.src[p]
	if !ok {
		m = openflow.MustMatch(openflow.EthType(familyOf(p.Addr()).ethType()), openflow.IPSrc(p))
		c.src[p] = m
	}
	return m
}

func (c *compiler) dstMatch(p netip.Prefix) openflow.Match {
	m, ok := c.dst[p]
	if !ok {
		m = openflow.MustMatch(openflow.EthType(familyOf(p.Addr()).ethType()), openflow.IPDst(p))
		c.dst[p] = m
	}
	return m
}

func (c *compiler) portMatch(ofport uint32) openflow.Match {
	m, ok := c.port[ofport]
	if !ok {
		m = openflow.MustMatch(TargetOFPortField.Match(ofport))
		c.port[ofport] = m
	}
	return m
}

// contributeMatches adds (or removes) the conjunction actions of a part to
// the shared match flows of its clauses.
func (s *flowState) contributeMatches(table uint8, prio uint16, part *rulePart, add bool) {
	n := uint8(len(part.clauses))
	for i, cl := range part.clauses {
		conj := openflow.Conjunction{ID: part.conjID, Clause: uint8(i + 1), NClauses: n}
		for _, m := range cl.values {
			k := openflow.FlowKey{Table: table, Priority: prio, Match: m}
			if add {
				s.addConj(k, conj)
			} else {
				s.removeConj(k, conj)
			}
		}
	}
}

// idAllocator hands out the smallest free conjunction id, starting at 1.
type idAllocator struct {
	next uint32
	free idHeap
}

func (a *idAllocator) allocate() (uint32, error) {
	if len(a.free) > 0 {
		return heap.Pop(&a.free).(uint32), nil
	}
	if a.next == ^uint32(0) {
		return 0, fmt.Errorf("conjunction ids exhausted")
	}
	a.next++
	return a.next, nil
}

func (a *idAllocator) release(id uint32) {
	if id != 0 {
		heap.Push(&a.free, id)
	}
}

// take allocates a released id again (undoing its release).
func (a *idAllocator) take(id uint32) {
	if i := slices.Index(a.free, id); i >= 0 {
		heap.Remove(&a.free, i)
	}
}

type idHeap []uint32

func (h idHeap) Len() int           { return len(h) }
func (h idHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h idHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *idHeap) Push(x any)        { *h = append(*h, x.(uint32)) }
func (h *idHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
