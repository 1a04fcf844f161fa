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
	"hash/fnv"
	"math"
	"time"

	"github.com/strata-net/strata/nodeagent/ovs/openflow"
	"github.com/strata-net/strata/nodeagent/proxy"
)

// sessionAffinity ClientIP (kube-proxy semantics: a client goes to the
// endpoint of its last new connection while that connection is less than
// the timeout old).
//
// Every new connection of an affinity frontend runs a learn action that
// adds or refreshes, in SessionAffinity, a flow keyed on the client's IP,
// the frontend's address, protocol and port, loading the endpoint into
// reg3/reg4 and setting AffinityHitField, with hard_timeout = the timeout:
// relearning restarts it, so the affinity ends T seconds after the client's
// last new connection, as kube-proxy's "recent" match does (see
// openflow.Learn). In ServiceLB, one flow per frontend and endpoint, above
// the frontend's group flow, takes a hit for an endpoint that is still one
// of the frontend's to EndpointDNAT, learning on the way; the group's
// buckets load their endpoint, set the hit bit and resubmit to ServiceLB,
// so a first connection takes the same flow and learns too (OVS does not
// learn from an action inside a select group's bucket). A hit for an
// endpoint the frontend no longer has matches none of these flows and goes
// through the group like a first connection. So a removed endpoint
// never gets a new connection through a stale entry, even before the
// learned flows pointing at it are deleted (in the same bundle that removes
// the endpoint, by their cookie).

// affinityPriority is the priority of the learned flows in SessionAffinity.
const affinityPriority = 200

// maxAffinityTimeout is the longest hard_timeout OVS can hold (16 bits);
// Kubernetes allows up to 86400 s, longer timeouts are capped to it.
const maxAffinityTimeout = math.MaxUint16

// affinitySeconds is the learned flows' hard_timeout of a timeout: whole
// seconds, rounded up, 1..65535; 0 without affinity.
func affinitySeconds(d time.Duration) uint16 {
	if d <= 0 {
		return 0
	}
	s := (d + time.Second - 1) / time.Second
	return uint16(min(s, maxAffinityTimeout))
}

// Cookies of learned affinity flows: categoryAffinity, the frontend id in
// bits 16..39 and a 16-bit hash of the endpoint in bits 0..15, so that the
// flows of one endpoint, or of a whole frontend, can be deleted by cookie.
// A hash collision only deletes more affinity entries than needed.
const (
	affinityEndpointMask = uint64(0xffff)
	affinityFrontendMask = uint64(0xffffff) << 16
)

func affinityCookie(round uint16, frontend uint32, ep proxy.Endpoint) uint64 {
	return affinityFrontendCookie(round, frontend) | uint64(endpointHash(ep))
}

func affinityFrontendCookie(round uint16, frontend uint32) uint64 {
	return cookie(round, categoryAffinity, 0) | uint64(frontend)<<16&affinityFrontendMask
}

func endpointHash(ep proxy.Endpoint) uint16 {
	h := fnv.New32a()
	b := ep.IP.As16()
	_, _ = h.Write(b[:])
	_, _ = h.Write([]byte{byte(ep.Port >> 8), byte(ep.Port)})
	s := h.Sum32()
	return uint16(s>>16) ^ uint16(s)
}

// deleteLearnedEndpoint deletes the learned flows of any round that send
// a frontend's clients to ep.
func deleteLearnedEndpoint(frontend uint32, ep proxy.Endpoint) openflow.FlowMod {
	return openflow.DeleteCookie(affinityCookie(0, frontend, ep), categoryMask|affinityFrontendMask|affinityEndpointMask)
}

// deleteLearnedFrontend deletes every learned flow of a frontend.
func deleteLearnedFrontend(frontend uint32) openflow.FlowMod {
	return openflow.DeleteCookie(affinityFrontendCookie(0, frontend), categoryMask|affinityFrontendMask)
}

// learnAffinity is the learn action run for every new connection of an
// affinity frontend once reg3/reg4 hold its endpoint.
func (b flowBuilder) learnAffinity(s frontendSpec, ep proxy.Endpoint) openflow.Learn {
	dst := openflow.FieldTCPDst
	if s.protocol == proxy.UDP {
		dst = openflow.FieldUDPDst
	}
	return openflow.Learn{Table: SessionAffinity, HardTimeout: s.affinity, Priority: affinityPriority,
		Cookie: affinityCookie(b.round, s.id, ep),
		Specs: []openflow.LearnSpec{
			openflow.LearnMatchImm(openflow.FieldEthType, uint64(openflow.EthTypeIPv4)),
			openflow.LearnMatchImm(openflow.FieldIPProto, uint64(ipProto(s.protocol))),
			openflow.LearnMatchOf(openflow.FieldIPv4Src), openflow.LearnMatchOf(openflow.FieldIPv4Dst),
			openflow.LearnMatchOf(dst),
			openflow.LearnLoadOf(openflow.Whole(EndpointIPField.field())),
			openflow.LearnLoadOf(openflow.Bits(EndpointPortField.field(), uint16(EndpointPortField.Ofs),
				uint16(EndpointPortField.NBits))),
			openflow.LearnLoadImm(1, openflow.Bits(AffinityHitField.field(), uint16(AffinityHitField.Ofs), 1)),
		}}
}

// affinityHitFlow sends a new connection whose client SessionAffinity
// pinned to ep, one of the frontend's endpoints, to EndpointDNAT.
func (b flowBuilder) affinityHitFlow(s frontendSpec, ep proxy.Endpoint, c uint64) openflow.Flow {
	proto, _ := protoMatch(s.protocol, s.port)
	// reg4: the endpoint's port, the hit bit and, for a NodePort frontend,
	// NodePortField.
	reg4, mask := uint32(ep.Port)<<EndpointPortField.Ofs|1<<AffinityHitField.Ofs, EndpointPortField.Mask()|AffinityHitField.Mask()
	fields := []openflow.MatchField{openflow.EthType(openflow.EthTypeIPv4), newConnState(), EndpointIPField.Match(ipv4Uint(ep.IP))}
	if s.vip.IsValid() {
		fields = append(fields, openflow.IPDst(hostPrefix(s.vip)))
	} else {
		reg4, mask = reg4|1<<NodePortField.Ofs, mask|NodePortField.Mask()
	}
	fields = append(append(fields, openflow.RegFieldMasked(EndpointPortField.Reg, reg4, mask)), proto...)
	return openflow.Flow{Table: ServiceLB, Priority: affinityHitPrio, Cookie: c, Match: openflow.MustMatch(fields...),
		Instructions: openflow.Apply(append(s.frontendLoads(), b.learnAffinity(s, ep))...).Goto(EndpointDNAT)}
}

func newConnState() openflow.MatchField {
	return openflow.CTState(openflow.CTStateNew|openflow.CTStateTrk, openflow.CTStateNew|openflow.CTStateTrk)
}

// learnedDeletes are the deletions of learned flows that a frontend's
// change makes stale: all of them when the frontend goes or loses its
// affinity, those of its removed endpoints otherwise.
func learnedDeletes(old frontend, now []frontend) []openflow.FlowMod {
	if old.affinity == 0 {
		return nil
	}
	i := -1
	for j := range now {
		if now[j].key == old.key {
			i = j
		}
	}
	if i < 0 || now[i].affinity == 0 || now[i].id != old.id {
		return []openflow.FlowMod{deleteLearnedFrontend(old.id)}
	}
	var out []openflow.FlowMod
	for _, ep := range old.endpoints {
		if !containsEndpoint(now[i].endpoints, ep) {
			out = append(out, deleteLearnedEndpoint(old.id, ep))
		}
	}
	return out
}

func containsEndpoint(eps []proxy.Endpoint, ep proxy.Endpoint) bool {
	for _, e := range eps {
		if e.IP == ep.IP && e.Port == ep.Port {
			return true
		}
	}
	return false
}

// connectionSelection is the selection method of every frontend's group:
// OVS hashes the connection's 5-tuple itself (selection_method=hash), so
//   - connections of one client spread over the endpoints whatever their
//     protocol: the default dp_hash method hashes with sym_l4, which leaves
//     UDP ports out, so every UDP flow of a client to a frontend went to the
//     same endpoint (seen on the local cluster: 12 of 12 sockets);
//   - the datapath caches the group's choice per connection, so the next new
//     connection of an affinity client is translated again and sees the flow
//     the previous one learned (with dp_hash, one cached datapath flow sent
//     a client's connections a few milliseconds apart through the group).
func connectionSelection(p proxy.Protocol) *openflow.GroupSelection {
	src, dst := openflow.FieldTCPSrc, openflow.FieldTCPDst
	if p == proxy.UDP {
		src, dst = openflow.FieldUDPSrc, openflow.FieldUDPDst
	}
	return &openflow.GroupSelection{Method: "hash",
		Fields: []openflow.Field{openflow.FieldIPv4Src, openflow.FieldIPv4Dst, openflow.FieldIPProto, src, dst}}
}
