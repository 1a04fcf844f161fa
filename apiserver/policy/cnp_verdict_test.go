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
	"cmp"
	"net"
	"slices"

	"github.com/strata-net/strata/apis/controlplane"
)

// A model of how the agents order and apply the computed rules (nodeagent/pipeline:
// tier priority, policy priority, rule index; tier priority 253 and above is
// baseline, after the Kubernetes NetworkPolicies), to test the computation's
// verdicts without a datapath. Named ports and FQDNs are not modelled.

// endpoint is one end of a connection: a Pod ("namespace/name") or an address.
type endpoint struct {
	pod string
	ip  net.IP
}

type verdict string

const (
	allowed verdict = "allowed"
	denied  verdict = "denied"
)

// connVerdict is the verdict on a TCP connection from src to dst:port: src's
// egress, then dst's ingress.
func (s *fakeSink) connVerdict(src, dst endpoint, port int32) verdict {
	if s.directionVerdict(controlplane.DirectionOut, src.pod, dst.ip, port) == denied {
		return denied
	}
	return s.directionVerdict(controlplane.DirectionIn, dst.pod, src.ip, port)
}

// modelRule is a computed rule with what orders it.
type modelRule struct {
	rule         *controlplane.NetworkPolicyRule
	k8s          bool
	baseline     bool
	tierPriority int32
	priority     float64
}

// directionVerdict applies the rules of one direction of the Pod at (no Pod: an
// address outside the cluster, nothing applies) to traffic with the peer address.
func (s *fakeSink) directionVerdict(dir controlplane.Direction, at string, peer net.IP, port int32) verdict {
	if at == "" {
		return allowed
	}
	rules := s.rulesOf(dir, at)
	for _, r := range rules {
		if r.k8s || r.baseline || !s.matches(r.rule, peer, port) {
			continue
		}
		if *r.rule.Action == controlplane.RuleActionPass {
			break
		}
		return actionVerdict(*r.rule.Action)
	}
	isolated := false
	for _, r := range rules {
		if !r.k8s {
			continue
		}
		isolated = true
		if s.matches(r.rule, peer, port) {
			return allowed
		}
	}
	if isolated {
		return denied
	}
	for _, r := range rules {
		if r.baseline && s.matches(r.rule, peer, port) {
			return actionVerdict(*r.rule.Action)
		}
	}
	return allowed
}

func actionVerdict(a controlplane.RuleAction) verdict {
	if a == controlplane.RuleActionAllow {
		return allowed
	}
	return denied
}

// rulesOf returns the rules of one direction that apply to a Pod, in the agents'
// order.
func (s *fakeSink) rulesOf(dir controlplane.Direction, pod string) []modelRule {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []modelRule
	for _, np := range s.policies {
		for i := range np.Rules {
			r := &np.Rules[i]
			appliedTo := r.AppliedToGroups
			if len(appliedTo) == 0 {
				appliedTo = np.AppliedToGroups
			}
			if r.Direction != dir || !s.appliesTo(appliedTo, pod) {
				continue
			}
			m := modelRule{rule: r, k8s: np.TierPriority == nil}
			if !m.k8s {
				m.tierPriority, m.priority, m.baseline = *np.TierPriority, *np.Priority, *np.TierPriority >= 253
			}
			out = append(out, m)
		}
	}
	slices.SortStableFunc(out, func(a, b modelRule) int {
		return cmp.Or(cmp.Compare(a.tierPriority, b.tierPriority), cmp.Compare(a.priority, b.priority),
			cmp.Compare(a.rule.Priority, b.rule.Priority))
	})
	return out
}

func (s *fakeSink) appliesTo(groups []string, pod string) bool {
	for _, name := range groups {
		if g := s.applied[name]; g != nil {
			for _, members := range g.MembersByNode {
				for _, m := range members {
					if m.Pod != nil && m.Pod.Namespace+"/"+m.Pod.Name == pod {
						return true
					}
				}
			}
		}
	}
	return false
}

// matches tells whether a rule matches traffic with the peer address to port.
func (s *fakeSink) matches(r *controlplane.NetworkPolicyRule, peer net.IP, port int32) bool {
	p := r.From
	if r.Direction == controlplane.DirectionOut {
		p = r.To
	}
	return s.peerMatches(p, peer) && servicesMatch(r.Services, port)
}

func (s *fakeSink) peerMatches(p controlplane.NetworkPolicyPeer, ip net.IP) bool {
	for _, name := range p.AddressGroups {
		if g := s.address[name]; g != nil {
			for _, m := range g.Members {
				for _, a := range m.IPs {
					if net.IP(a).Equal(ip) {
						return true
					}
				}
			}
		}
	}
	for _, b := range p.IPBlocks {
		if ipNetContains(b.CIDR, ip) && !slices.ContainsFunc(b.Except, func(e controlplane.IPNet) bool { return ipNetContains(e, ip) }) {
			return true
		}
	}
	return false
}

func ipNetContains(n controlplane.IPNet, ip net.IP) bool {
	bits := 128
	if v4 := ip.To4(); v4 != nil && len(n.IP) == net.IPv4len {
		ip, bits = v4, 32
	} else if len(n.IP) == net.IPv4len {
		return false
	}
	return (&net.IPNet{IP: net.IP(n.IP), Mask: net.CIDRMask(int(n.PrefixLength), bits)}).Contains(ip)
}

// servicesMatch: no services is every port; TCP ports and ranges otherwise.
func servicesMatch(svcs []controlplane.Service, port int32) bool {
	if len(svcs) == 0 {
		return true
	}
	for _, svc := range svcs {
		if svc.Protocol != nil && *svc.Protocol != controlplane.ProtocolTCP {
			continue
		}
		if svc.Port == nil {
			return true
		}
		lo, hi := svc.Port.IntVal, svc.Port.IntVal
		if svc.EndPort != nil {
			hi = *svc.EndPort
		}
		if port >= lo && port <= hi {
			return true
		}
	}
	return false
}
