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
	"net/netip"
	"sort"

	corev1 "k8s.io/api/core/v1"
)

// peerRoute is the route to another Node's Pod CIDR.
type peerRoute struct {
	Node string
	Dst  netip.Prefix
	Via  netip.Addr
}

// desiredRoutes computes the routes to the Pod CIDRs of every Node but
// self, through each Node's InternalIP of the CIDR's family. Nodes without
// a Pod CIDR or an InternalIP of that family get no route, and neither do
// CIDRs overlapping the local ones. When two Nodes claim the same CIDR the
// first by name wins. skipped explains every Node or CIDR left out.
func desiredRoutes(nodes []*corev1.Node, self string, local []netip.Prefix) (routes map[netip.Prefix]peerRoute, skipped []string) {
	sorted := append([]*corev1.Node(nil), nodes...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	routes = map[netip.Prefix]peerRoute{}
	for _, n := range sorted {
		if n.Name == self {
			continue
		}
		cidrs, err := NodePodCIDRs(n)
		if err != nil {
			skipped = append(skipped, err.Error())
			continue
		}
		for _, cidr := range cidrs {
			if reason := routeConflict(routes, local, cidr); reason != "" {
				skipped = append(skipped, "node "+n.Name+": "+cidr.String()+" "+reason)
				continue
			}
			via, ok := internalIP(n, cidr.Addr().Is4())
			if !ok {
				skipped = append(skipped, "node "+n.Name+": no InternalIP of the family of "+cidr.String())
				continue
			}
			routes[cidr] = peerRoute{Node: n.Name, Dst: cidr, Via: via}
		}
	}
	return routes, skipped
}

// routeConflict says why cidr cannot be routed, or "".
func routeConflict(routes map[netip.Prefix]peerRoute, local []netip.Prefix, cidr netip.Prefix) string {
	for _, l := range local {
		if l.Overlaps(cidr) {
			return "overlaps this node's Pod CIDR " + l.String()
		}
	}
	for _, r := range routes {
		if r.Dst.Overlaps(cidr) {
			return "overlaps " + r.Dst.String() + " of node " + r.Node
		}
	}
	return ""
}

// internalIP returns the Node's first InternalIP of a family.
func internalIP(n *corev1.Node, v4 bool) (netip.Addr, bool) {
	for _, a := range n.Status.Addresses {
		if a.Type != corev1.NodeInternalIP {
			continue
		}
		ip, err := netip.ParseAddr(a.Address)
		if err != nil || ip.Unmap().Is4() != v4 {
			continue
		}
		return ip.Unmap(), true
	}
	return netip.Addr{}, false
}
