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

package cniserver

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/containernetworking/plugins/pkg/ip"
)

// DefaultMTU is the Pod MTU when neither the network config nor the Node
// network sets one.
const DefaultMTU = 1500

// Subnet is one Pod CIDR of the Node and its gateway (the first address, on the
// gateway port).
type Subnet struct {
	CIDR    net.IPNet
	Gateway net.IP
}

// NodeNetwork is the Node's Pod network: one subnet per IP family.
type NodeNetwork struct {
	Subnets []Subnet
	// MTU of Pod interfaces; 0 means DefaultMTU.
	MTU int
}

// ParseNodeNetwork builds a NodeNetwork from a Node's spec.podCIDRs: at most one
// CIDR per family, each large enough for a gateway and a Pod; the gateway is the
// CIDR's first address.
func ParseNodeNetwork(podCIDRs []string, mtu int) (NodeNetwork, error) {
	if len(podCIDRs) == 0 {
		return NodeNetwork{}, errors.New("podCIDRs: none")
	}
	if mtu < 0 {
		return NodeNetwork{}, fmt.Errorf("mtu: negative %d", mtu)
	}
	nw := NodeNetwork{MTU: mtu}
	seen := map[bool]bool{}
	for i, s := range podCIDRs {
		_, cidr, err := net.ParseCIDR(s)
		if err != nil {
			return NodeNetwork{}, fmt.Errorf("podCIDRs[%d]: %w", i, err)
		}
		ones, bits := cidr.Mask.Size()
		if bits-ones < 2 {
			return NodeNetwork{}, fmt.Errorf("podCIDRs[%d]: %s is too small for a gateway and Pods", i, s)
		}
		v4 := cidr.IP.To4() != nil
		if seen[v4] {
			return NodeNetwork{}, fmt.Errorf("podCIDRs[%d]: a second %s CIDR", i, family(v4))
		}
		seen[v4] = true
		nw.Subnets = append(nw.Subnets, Subnet{CIDR: *cidr, Gateway: ip.NextIP(cidr.IP)})
	}
	return nw, nil
}

func family(v4 bool) string {
	if v4 {
		return "IPv4"
	}
	return "IPv6"
}

// mtu is the Pod MTU: the network config's if set, else the Node network's.
func (n NodeNetwork) mtu(confMTU int) int {
	switch {
	case confMTU > 0:
		return confMTU
	case n.MTU > 0:
		return n.MTU
	default:
		return DefaultMTU
	}
}

// subnetOf returns the subnet containing addr.
func (n NodeNetwork) subnetOf(addr net.IP) (Subnet, bool) {
	for _, s := range n.Subnets {
		if s.CIDR.Contains(addr) {
			return s, true
		}
	}
	return Subnet{}, false
}

// StaticNetwork is a NetworkProvider of a fixed NodeNetwork.
type StaticNetwork NodeNetwork

// NodeNetwork returns the network, or an error if it has no subnet.
func (s StaticNetwork) NodeNetwork(context.Context) (NodeNetwork, error) {
	if len(s.Subnets) == 0 {
		return NodeNetwork{}, errors.New("the Node has no podCIDR yet")
	}
	return NodeNetwork(s), nil
}
