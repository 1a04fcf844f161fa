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
	"time"
)

// Defaults of GatewayConfig.
const (
	DefaultGatewayName   = "strata-gw0"
	DefaultGatewayOFPort = 2
	DefaultMTU           = 1500
	defaultReadyTimeout  = 30 * time.Second
	maxIfNameLen         = 15
	maxOFPortRequest     = 65279
)

// GatewayConfig says where and how to create the node's gateway.
type GatewayConfig struct {
	// NetNS is the node's host network namespace (see NetNSPath); "" is
	// the caller's own.
	NetNS string
	// Bridge is the OVS bridge the gateway port is added to. Required.
	Bridge string
	// Name of the gateway port and host interface. Default strata-gw0.
	Name string
	// OFPortRequest is the OpenFlow port asked for. Default 2.
	OFPortRequest int32
	// MTU of the gateway interface. Default 1500.
	MTU int
	// PodCIDRs are the node's Pod CIDRs (spec.podCIDRs); the gateway gets
	// the first IP of each, with the CIDR's prefix length. Required.
	PodCIDRs []netip.Prefix
	// ReadyTimeout bounds each wait: for the ofport, and for the host
	// interface with its MAC. Default 30s.
	ReadyTimeout time.Duration
}

// Defaults fills zero values.
func (c *GatewayConfig) Defaults() {
	if c.Name == "" {
		c.Name = DefaultGatewayName
	}
	if c.OFPortRequest == 0 {
		c.OFPortRequest = DefaultGatewayOFPort
	}
	if c.MTU == 0 {
		c.MTU = DefaultMTU
	}
	if c.ReadyTimeout == 0 {
		c.ReadyTimeout = defaultReadyTimeout
	}
}

// Validate reports every invalid field.
func (c *GatewayConfig) Validate() error {
	var errs []error
	if c.Bridge == "" {
		errs = append(errs, errors.New("nodenet: GatewayConfig.Bridge is required"))
	}
	if len(c.Name) > maxIfNameLen || c.Name == "" {
		errs = append(errs, fmt.Errorf("nodenet: GatewayConfig.Name %q must have 1..%d characters", c.Name, maxIfNameLen))
	}
	if c.OFPortRequest < 1 || c.OFPortRequest > maxOFPortRequest {
		errs = append(errs, fmt.Errorf("nodenet: GatewayConfig.OFPortRequest %d out of range 1..%d", c.OFPortRequest, maxOFPortRequest))
	}
	if c.MTU < 576 || c.MTU > 65535 {
		errs = append(errs, fmt.Errorf("nodenet: GatewayConfig.MTU %d out of range 576..65535", c.MTU))
	}
	if len(c.PodCIDRs) == 0 {
		errs = append(errs, errors.New("nodenet: GatewayConfig.PodCIDRs is empty"))
	}
	for _, p := range c.PodCIDRs {
		if err := validatePodCIDR(p); err != nil {
			errs = append(errs, fmt.Errorf("nodenet: GatewayConfig.PodCIDRs: %w", err))
		}
	}
	if c.ReadyTimeout < 0 {
		errs = append(errs, fmt.Errorf("nodenet: GatewayConfig.ReadyTimeout is negative (%s)", c.ReadyTimeout))
	}
	return errors.Join(errs...)
}

// validatePodCIDR accepts a masked IPv4 or IPv6 prefix with room for a
// gateway and at least one Pod.
func validatePodCIDR(p netip.Prefix) error {
	if !p.IsValid() || p.Addr().Is4In6() || p != p.Masked() {
		return fmt.Errorf("%q is not a CIDR of its network address", p)
	}
	if p.Bits() > p.Addr().BitLen()-2 {
		return fmt.Errorf("%s is too small for a gateway and Pods", p)
	}
	return nil
}

// Gateway is a configured gateway: what the pipeline (pipeline.Gateway)
// and the CNI server (PodNetwork) need to know about it.
type Gateway struct {
	Name   string
	OFPort int32
	MAC    net.HardwareAddr
	MTU    int
	// PodCIDRs are the node's Pod CIDRs; IPs[i] is the gateway address in
	// PodCIDRs[i] (its first IP).
	PodCIDRs []netip.Prefix
	IPs      []netip.Addr
}

// GatewayIP is the gateway address of a Pod CIDR: its first IP.
func GatewayIP(cidr netip.Prefix) netip.Addr { return cidr.Masked().Addr().Next() }

// GatewayMAC is the gateway's MAC, derived from its first address so that
// it is the same across restarts and recreations: the locally administered
// prefix 0a:58 followed by the last four bytes of the address.
func GatewayMAC(ip netip.Addr) net.HardwareAddr {
	b := ip.As16()
	return net.HardwareAddr{0x0a, 0x58, b[12], b[13], b[14], b[15]}
}

// IPNets returns the gateway addresses with their CIDRs' prefix lengths.
func (g *Gateway) IPNets() []netip.Prefix {
	out := make([]netip.Prefix, len(g.IPs))
	for i, ip := range g.IPs {
		out[i] = netip.PrefixFrom(ip, g.PodCIDRs[i].Bits())
	}
	return out
}

// HasIPv6 tells whether one of the Pod CIDRs is IPv6.
func (g *Gateway) HasIPv6() bool {
	for _, p := range g.PodCIDRs {
		if p.Addr().Is6() {
			return true
		}
	}
	return false
}

// newGateway derives the gateway addresses and MAC from the config.
func newGateway(c GatewayConfig) *Gateway {
	g := &Gateway{Name: c.Name, MTU: c.MTU, PodCIDRs: append([]netip.Prefix(nil), c.PodCIDRs...)}
	for _, p := range g.PodCIDRs {
		g.IPs = append(g.IPs, GatewayIP(p))
	}
	g.MAC = GatewayMAC(g.IPs[0])
	return g
}
