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

package verdict

import (
	"net/netip"
	"strings"

	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/nodeagent/types"
)

// Packet is the first packet of a connection between two Pods (or an
// address): its addresses, the Pods at either end when known, protocol and
// destination port (0: any port, as Antrea's evaluation).
type Packet struct {
	Src, Dst       netip.Addr
	SrcPod, DstPod *types.PodRef
	Protocol       v1beta2.Protocol
	Port           int32
}

// sides returns, for a rule of direction dir, the Pod the rule must apply to
// and the peer's address.
func (p Packet) sides(dir v1beta2.Direction) (*types.PodRef, netip.Addr) {
	if dir == v1beta2.DirectionOut {
		return p.SrcPod, p.Dst
	}
	return p.DstPod, p.Src
}

// appliesTo tells whether the rule's targets include the Pod, and returns
// its member (with the Pod's named ports).
func appliesTo(r *types.CompletedRule, pod *types.PodRef) (*types.Member, bool) {
	if pod == nil {
		return nil, false
	}
	for i := range r.Targets {
		if r.Targets[i].Pod == *pod {
			return &r.Targets[i], true
		}
	}
	return nil, false
}

// peerMatch returns the peer address of the rule that contains addr: nil
// Peers match any address (ok with a nil Address).
func peerMatch(r *types.CompletedRule, addr netip.Addr) (*types.Address, bool) {
	if r.Peers == nil && len(r.ToServices) == 0 {
		return nil, true
	}
	var best *types.Address
	bestBits := -1
	for i := range r.Peers {
		p, ok := parsePrefix(r.Peers[i].CIDR)
		if ok && p.Contains(addr) && p.Bits() > bestBits {
			best, bestBits = &r.Peers[i], p.Bits()
		}
	}
	return best, best != nil
}

func parsePrefix(s string) (netip.Prefix, bool) {
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	return p.Masked(), true
}

// servicesMatch tells whether the packet's protocol and port match one of
// the rule's services (none: any). Named ports resolve against the named
// ports of the destination: the target Pod for ingress, the peer for egress.
func servicesMatch(svcs []v1beta2.Service, proto v1beta2.Protocol, port int32, named []v1beta2.NamedPort) bool {
	if len(svcs) == 0 {
		return true
	}
	for i := range svcs {
		if serviceMatch(&svcs[i], proto, port, named) {
			return true
		}
	}
	return false
}

func serviceMatch(s *v1beta2.Service, proto v1beta2.Protocol, port int32, named []v1beta2.NamedPort) bool {
	sp := v1beta2.ProtocolTCP
	if s.Protocol != nil {
		sp = *s.Protocol
	}
	if sp != proto {
		return false
	}
	if s.Port == nil || port == 0 {
		return true
	}
	if s.Port.Type == intstr.String {
		for _, n := range named {
			if n.Name == s.Port.StrVal && n.Protocol == proto && n.Port == port {
				return true
			}
		}
		return false
	}
	lo, hi := s.Port.IntVal, s.Port.IntVal
	if s.EndPort != nil {
		hi = *s.EndPort
	}
	return port >= lo && port <= hi
}

// ruleMatches tells whether a rule that applies to the Pod matches the
// packet: peer address, then protocol and port.
func ruleMatches(r *types.CompletedRule, member *types.Member, pkt Packet) bool {
	_, peerAddr := pkt.sides(r.Direction)
	peer, ok := peerMatch(r, peerAddr)
	if !ok {
		return false
	}
	var named []v1beta2.NamedPort
	switch {
	case r.Direction == v1beta2.DirectionIn:
		named = member.Ports
	case peer != nil:
		named = peer.Ports
	}
	return servicesMatch(r.Services, pkt.Protocol, pkt.Port, named)
}
