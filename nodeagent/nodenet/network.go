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
	"net"
	"net/netip"
	"slices"
)

// PodNetwork is what a CNI server needs to give a local Pod its network:
// addresses from PodCIDRs, a default route via the gateway of the
// address's family, and the MTU.
type PodNetwork struct {
	// PodCIDRs are the node's Pod CIDRs (IPAM ranges).
	PodCIDRs []netip.Prefix
	// Gateways[i] is the gateway address in PodCIDRs[i] (its first IP):
	// the Pods' default route, never allocated to a Pod.
	Gateways []netip.Addr
	// GatewayMAC is the gateway's MAC.
	GatewayMAC net.HardwareAddr
	// MTU of the Pod interfaces (the gateway's).
	MTU int
}

// PodNetwork returns the Pod network of the gateway (copies).
func (g *Gateway) PodNetwork() PodNetwork {
	return PodNetwork{PodCIDRs: slices.Clone(g.PodCIDRs), Gateways: slices.Clone(g.IPs),
		GatewayMAC: slices.Clone(g.MAC), MTU: g.MTU}
}

// GatewayFor returns the gateway of the family of ip, if the node has one.
func (n PodNetwork) GatewayFor(ip netip.Addr) (netip.Addr, bool) {
	for i, c := range n.PodCIDRs {
		if c.Addr().Is4() == ip.Unmap().Is4() {
			return n.Gateways[i], true
		}
	}
	return netip.Addr{}, false
}
