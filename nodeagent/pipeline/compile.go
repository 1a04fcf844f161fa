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
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/nodeagent/ovs/openflow"
	"github.com/strata-net/strata/nodeagent/types"
	"github.com/strata-net/strata/nodeagent/verdict"
)

// Interface is a local Pod's OVS port and addresses.
type Interface struct {
	OFPort int32
	MAC    net.HardwareAddr
	IPs    []net.IP
}

// PodInterfaces finds the OVS interface of a local Pod (PodFlows implements
// it for the Pods added through it).
type PodInterfaces interface {
	Lookup(types.PodRef) (Interface, bool)
}

// target is a resolved appliedTo Pod.
type target struct {
	member types.Member
	ofport uint32
	ips    []netip.Addr
}

// peer is a parsed peer address.
type peer struct {
	prefix netip.Prefix
	ports  []v1beta2.NamedPort
}

// portGroup is the part of a rule whose named ports resolve alike.
type portGroup struct {
	key      string
	services []v1beta2.Service
	targets  []target
	peers    []peer // nil: any address
}

// compiler turns CompletedRules into compiledRules. Its match cache lives
// for one Reconcile call.
type compiler struct {
	ifaces PodInterfaces
	fqdns  FQDNResolver // nil: FQDN peers are refused
	src    map[netip.Prefix]openflow.Match
	dst    map[netip.Prefix]openflow.Match
	port   map[uint32]openflow.Match
}

func newCompiler(ifaces PodInterfaces, fqdns FQDNResolver) *compiler {
	return &compiler{ifaces: ifaces, fqdns: fqdns, src: map[netip.Prefix]openflow.Match{},
		dst: map[netip.Prefix]openflow.Match{}, port: map[uint32]openflow.Match{}}
}

// compile resolves a rule's targets through PodInterfaces (unknown Pods are
// left out until the rule is reconciled again) and builds its clauses.
func (c *compiler) compile(r *types.CompletedRule) (*compiledRule, error) {
	cr, err := ruleShape(r)
	if err != nil {
		return nil, err
	}
	peers, err := parsePeers(r.Peers)
	if err != nil {
		return nil, fmt.Errorf("rule %s: %w", r.ID, err)
	}
	if peers == nil && len(r.ToServices) > 0 {
		peers = []peer{} // the Services are the destinations, not any address
	}
	learnt, err := c.fqdnPeers(r)
	if err != nil {
		return nil, fmt.Errorf("rule %s: %w", r.ID, err)
	}
	if peers != nil { // nil: any address, which the names do not narrow
		peers = append(peers, learnt...)
	}
	targets := c.resolveTargets(r.Targets)
	if len(r.FQDNs) > 0 {
		for _, t := range targets {
			cr.dnsPorts = append(cr.dnsPorts, t.ofport)
		}
	}
	for _, g := range groupByNamedPorts(cr.dir, r.Services, targets, peers) {
		part, err := c.part(cr.dir, g, len(r.Services) > 0)
		if err != nil {
			return nil, fmt.Errorf("rule %s: %w", r.ID, err)
		}
		cr.parts = append(cr.parts, part)
	}
	if err := c.addServicePart(cr, r, targets); err != nil {
		return nil, fmt.Errorf("rule %s: %w", r.ID, err)
	}
	if cr.kind == kindK8s {
		cr.isolated = c.isolationMatches(cr.dir, targets)
	}
	return cr, nil
}

// ruleShape returns the direction, kind and action of a rule.
func ruleShape(r *types.CompletedRule) (*compiledRule, error) {
	cr := &compiledRule{src: r, action: v1beta2.RuleActionAllow}
	switch r.Direction {
	case v1beta2.DirectionIn:
		cr.dir = ingress
	case v1beta2.DirectionOut:
		cr.dir = egress
	default:
		return nil, fmt.Errorf("rule %s: unknown direction %q", r.ID, r.Direction)
	}
	switch verdict.StageOf(r) { // the table order explain walks (nodeagent/verdict)
	case verdict.StageK8s:
		cr.kind = kindK8s
	case verdict.StageBaseline:
		cr.kind = kindBaseline
	case verdict.StageAudit:
		cr.kind = kindAudit
	}
	if r.Action != nil {
		cr.action = *r.Action
	}
	switch cr.action {
	case v1beta2.RuleActionAllow, v1beta2.RuleActionDrop, v1beta2.RuleActionReject:
	case v1beta2.RuleActionPass:
		if cr.kind == kindBaseline || cr.kind == kindK8s {
			return nil, fmt.Errorf("rule %s: Pass is only valid in non-baseline tiers", r.ID)
		}
	default:
		return nil, fmt.Errorf("rule %s: unknown action %q", r.ID, cr.action)
	}
	if cr.kind == kindK8s && cr.action != v1beta2.RuleActionAllow {
		return nil, fmt.Errorf("rule %s: K8s NetworkPolicy rules only allow", r.ID)
	}
	return cr, nil
}

func parsePeers(addrs []types.Address) ([]peer, error) {
	if addrs == nil {
		return nil, nil
	}
	out := make([]peer, 0, len(addrs))
	for _, a := range addrs {
		p, err := parsePrefix(a.CIDR)
		if err != nil {
			return nil, err
		}
		out = append(out, peer{prefix: p, ports: a.Ports})
	}
	return out, nil
}

func parsePrefix(s string) (netip.Prefix, error) {
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("invalid peer address %q: %w", s, err)
		}
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("invalid peer CIDR %q: %w", s, err)
	}
	if p.Addr().Is4In6() {
		p = netip.PrefixFrom(p.Addr().Unmap(), max(p.Bits()-96, 0))
	}
	return p.Masked(), nil
}

func (c *compiler) resolveTargets(members []types.Member) []target {
	out := make([]target, 0, len(members))
	for _, m := range members {
		iface, ok := c.ifaces.Lookup(m.Pod)
		if !ok || iface.OFPort <= 0 {
			continue
		}
		t := target{member: m, ofport: uint32(iface.OFPort)}
		for _, ip := range iface.IPs {
			if a, ok := netip.AddrFromSlice(ip); ok {
				t.ips = append(t.ips, a.Unmap())
			}
		}
		out = append(out, t)
	}
	return out
}

// groupByNamedPorts splits a rule by how its named ports resolve: per
// target Pod for ingress, per peer for egress. Without named ports it is
// one group.
func groupByNamedPorts(dir direction, svcs []v1beta2.Service, targets []target, peers []peer) []portGroup {
	if !hasNamedPort(svcs) {
		return []portGroup{{services: svcs, targets: targets, peers: peers}}
	}
	var groups []portGroup
	index := map[string]int{}
	add := func(resolved []v1beta2.Service, key string) *portGroup {
		i, ok := index[key]
		if !ok {
			i = len(groups)
			index[key] = i
			groups = append(groups, portGroup{key: key, services: resolved})
		}
		return &groups[i]
	}
	if dir == ingress {
		for _, t := range targets {
			g := add(resolveNamedPorts(svcs, t.member.Ports))
			g.targets, g.peers = append(g.targets, t), peers
		}
		return groups
	}
	if peers == nil { // any destination: named ports resolve against nothing
		resolved, key := resolveNamedPorts(svcs, nil)
		return []portGroup{{key: key, services: resolved, targets: targets}}
	}
	for _, p := range peers {
		g := add(resolveNamedPorts(svcs, p.ports))
		g.targets, g.peers = targets, append(g.peers, p)
	}
	return groups
}
