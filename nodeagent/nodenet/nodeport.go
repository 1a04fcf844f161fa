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

package nodenet

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
	corev1 "k8s.io/api/core/v1"
)

// NodePorts without kube-proxy, iptables or nftables: policy routing sends
// what OVS must load-balance into the gateway port (the pipeline's
// gateway_nodeport.go does the rest).
//
//	pref 100  iif <gateway> lookup local   what OVS sends back to the host
//	pref 101  iif lo lookup local          the host's own traffic, as before
//	pref 110  to <gateway IP> lookup T     replies to NodePort SNAT from
//	                                       endpoints on other nodes
//	pref 111  to <node IP> tcp/udp dport <range> lookup T   NodePorts
//	pref 200  lookup local                 moved from pref 0, below these
//	table T:  default via 169.254.0.252 dev <gateway> onlink, the next hop
//	          a permanent neighbour at the gateway's MAC
//
// A connection to NodeIP:nodePort from another node or from outside is thus
// forwarded into OVS instead of being delivered to the host; ports of the
// range that are no NodePort miss OVS's NodePort flows and come back out of
// the gateway, where rule 100 delivers them to the host. OVS sends NodePort
// replies (source NodeIP) and SNATed connections (source the gateway IP) out
// of the gateway: accept_local lets the host take packets with its own
// addresses as source from it (nodePortSysctls). Connections from the node itself to its
// NodePorts are not served (rule 101).

// Defaults of NodePortConfig.
const (
	DefaultNodePortMin   = 30000
	DefaultNodePortMax   = 32767
	DefaultNodePortTable = 0x5374 // "St"
	nodePortNextHop      = "169.254.0.252"
	nodePortPrefBase     = 100
	localTable           = unix.RT_TABLE_LOCAL
	localRulePref        = 200
)

// NodePortConfig configures NodePort steering in the host namespace.
type NodePortConfig struct {
	// NetNS is the node's host network namespace (see NetNSPath).
	NetNS string
	// Gateway is the gateway interface. Required.
	Gateway string
	// GatewayMAC is its MAC. Required.
	GatewayMAC net.HardwareAddr
	// GatewayIP is its IPv4 address, the SNAT source of NodePort
	// connections (externalTrafficPolicy Cluster). Required.
	GatewayIP netip.Addr
	// NodeIPs are the IPv4 addresses NodePorts are served on. Required.
	NodeIPs []netip.Addr
	// PortMin and PortMax are the NodePort range (kube-apiserver's
	// --service-node-port-range). Default 30000-32767.
	PortMin, PortMax uint16
	// Table is the routing table of the steered traffic. Default 0x5374.
	Table int
}

// Defaults fills zero values.
func (c *NodePortConfig) Defaults() {
	if c.PortMin == 0 && c.PortMax == 0 {
		c.PortMin, c.PortMax = DefaultNodePortMin, DefaultNodePortMax
	}
	if c.Table == 0 {
		c.Table = DefaultNodePortTable
	}
}

// Validate reports every invalid field.
func (c *NodePortConfig) Validate() error {
	var errs []error
	if c.Gateway == "" {
		errs = append(errs, errors.New("nodenet: NodePortConfig.Gateway is required"))
	}
	if len(c.GatewayMAC) != 6 {
		errs = append(errs, fmt.Errorf("nodenet: NodePortConfig.GatewayMAC %q is not a 6-byte MAC", c.GatewayMAC))
	}
	if !c.GatewayIP.Is4() {
		errs = append(errs, fmt.Errorf("nodenet: NodePortConfig.GatewayIP %q is not an IPv4 address", c.GatewayIP))
	}
	if len(c.NodeIPs) == 0 {
		errs = append(errs, errors.New("nodenet: NodePortConfig.NodeIPs is empty"))
	}
	for _, a := range c.NodeIPs {
		if !a.Is4() {
			errs = append(errs, fmt.Errorf("nodenet: NodePortConfig.NodeIPs has %q, not an IPv4 address", a))
		}
	}
	if c.PortMin == 0 || c.PortMin > c.PortMax {
		errs = append(errs, fmt.Errorf("nodenet: NodePortConfig port range %d-%d is empty", c.PortMin, c.PortMax))
	}
	if c.Table <= 0 || c.Table == unix.RT_TABLE_LOCAL || c.Table == unix.RT_TABLE_MAIN || c.Table == unix.RT_TABLE_DEFAULT {
		errs = append(errs, fmt.Errorf("nodenet: NodePortConfig.Table %d is not a free table id", c.Table))
	}
	return errors.Join(errs...)
}

// SetupNodePorts installs the NodePort steering (idempotent).
func SetupNodePorts(cfg NodePortConfig) error {
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return err
	}
	h, err := openHandle(NetNSPath(cfg.NetNS))
	if err != nil {
		return err
	}
	defer h.Close()
	if err := nodePortRoute(h, cfg); err != nil {
		return err
	}
	for _, r := range nodePortRules(cfg) {
		if err := h.RuleAdd(r); err != nil && !errors.Is(err, syscall.EEXIST) {
			return fmt.Errorf("adding the NodePort rule %s: %w", r, err)
		}
	}
	if err := moveLocalRule(h); err != nil {
		return err
	}
	err = inNetNS(NetNSPath(cfg.NetNS), func() error {
		var errs []error
		for _, s := range nodePortSysctls(cfg.Gateway) {
			errs = append(errs, s.apply())
		}
		return errors.Join(errs...)
	})
	if err != nil {
		return fmt.Errorf("NodePort sysctls: %w", err)
	}
	return nil
}

// nodePortSysctls: accept packets with the host's own addresses as source
// from the gateway (NodePort replies, SNATed connections), and no early
// demux: a host socket on a port of the range (no NodePort) would otherwise
// be attached to the packets of its connection before routing, and the
// kernel drops forwarded packets that have a socket, so the connection's
// packets could not go through OVS and back.
func nodePortSysctls(gateway string) []sysctl {
	return []sysctl{
		{key: "ipv4/conf/" + gateway + "/accept_local", value: "1"},
		{key: "ipv4/tcp_early_demux", value: "0"},
		{key: "ipv4/udp_early_demux", value: "0"},
	}
}

// nodePortRoute is table T's default route and its next hop's neighbour.
func nodePortRoute(h *netlink.Handle, cfg NodePortConfig) error {
	link, err := h.LinkByName(cfg.Gateway)
	if err != nil {
		return fmt.Errorf("finding the gateway %s: %w", cfg.Gateway, err)
	}
	hop := net.ParseIP(nodePortNextHop)
	neigh := &netlink.Neigh{LinkIndex: link.Attrs().Index, Family: unix.AF_INET, State: netlink.NUD_PERMANENT,
		IP: hop, HardwareAddr: cfg.GatewayMAC}
	if err := h.NeighSet(neigh); err != nil {
		return fmt.Errorf("setting the NodePort next hop %s on %s: %w", hop, cfg.Gateway, err)
	}
	_, all, _ := net.ParseCIDR("0.0.0.0/0")
	route := &netlink.Route{LinkIndex: link.Attrs().Index, Dst: all, Gw: hop, Table: cfg.Table,
		Flags: int(netlink.FLAG_ONLINK), Protocol: RouteProtocol}
	if err := h.RouteReplace(route); err != nil {
		return fmt.Errorf("setting the NodePort route in table %d: %w", cfg.Table, err)
	}
	return nil
}

// nodePortRules are the rules above the moved local rule.
func nodePortRules(cfg NodePortConfig) []*netlink.Rule {
	rule := func(pref int) *netlink.Rule {
		r := netlink.NewRule()
		r.Priority, r.Family = pref, unix.AF_INET
		return r
	}
	fromGateway, fromHost := rule(nodePortPrefBase), rule(nodePortPrefBase+1)
	fromGateway.IifName, fromGateway.Table = cfg.Gateway, localTable
	fromHost.IifName, fromHost.Table = "lo", localTable
	replies := rule(nodePortPrefBase + 10)
	replies.Dst, replies.Table = hostNet(cfg.GatewayIP), cfg.Table
	out := []*netlink.Rule{fromGateway, fromHost, replies}
	for _, a := range cfg.NodeIPs {
		for _, proto := range []int{unix.IPPROTO_TCP, unix.IPPROTO_UDP} {
			r := rule(nodePortPrefBase + 11)
			r.Dst, r.Table, r.IPProto = hostNet(a), cfg.Table, proto
			r.Dport = netlink.NewRulePortRange(cfg.PortMin, cfg.PortMax)
			out = append(out, r)
		}
	}
	return out
}

// moveLocalRule puts the local table's lookup below the NodePort rules:
// added at pref 200 before the one at pref 0 is deleted, so no packet
// misses it meanwhile.
func moveLocalRule(h *netlink.Handle) error {
	local := netlink.NewRule()
	local.Priority, local.Family, local.Table = localRulePref, unix.AF_INET, localTable
	if err := h.RuleAdd(local); err != nil && !errors.Is(err, syscall.EEXIST) {
		return fmt.Errorf("adding the local table's rule at pref %d: %w", localRulePref, err)
	}
	rules, err := h.RuleList(unix.AF_INET)
	if err != nil {
		return fmt.Errorf("listing the routing rules: %w", err)
	}
	for i := range rules {
		r := rules[i]
		if r.Priority == 0 && r.Table == localTable {
			if err := h.RuleDel(&r); err != nil && !errors.Is(err, syscall.ENOENT) {
				return fmt.Errorf("moving the local table's rule from pref 0: %w", err)
			}
		}
	}
	return nil
}

func hostNet(a netip.Addr) *net.IPNet {
	return &net.IPNet{IP: a.AsSlice(), Mask: net.CIDRMask(a.BitLen(), a.BitLen())}
}

// NodeInternalIPv4s returns the IPv4 InternalIPs of a Node, the addresses
// its NodePorts are served on.
func NodeInternalIPv4s(node *corev1.Node) []netip.Addr {
	var out []netip.Addr
	for _, a := range node.Status.Addresses {
		if a.Type != corev1.NodeInternalIP {
			continue
		}
		if ip, err := netip.ParseAddr(a.Address); err == nil && ip.Unmap().Is4() {
			out = append(out, ip.Unmap())
		}
	}
	return out
}
