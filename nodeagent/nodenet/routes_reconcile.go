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
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/vishvananda/netlink"
	"k8s.io/klog/v2"
)

// RouteHandle is the part of a netlink handle the routes need
// (*netlink.Handle implements it).
type RouteHandle interface {
	RouteListFiltered(family int, filter *netlink.Route, filterMask uint64) ([]netlink.Route, error)
	RouteReplace(route *netlink.Route) error
	RouteDel(route *netlink.Route) error
}

// routeTable is where the routes go and which protocol marks them ours.
type routeTable struct {
	table    int
	protocol netlink.RouteProtocol
}

// reconcileRoutes makes the routes of the table that carry our protocol
// exactly want: stale ones (of a deleted Node, a changed CIDR or
// InternalIP, or a previous run) are deleted, missing ones added. A
// destination held by a route of another protocol is left alone and
// reported.
func reconcileRoutes(ctx context.Context, h RouteHandle, t routeTable, want map[netip.Prefix]peerRoute) error {
	logger := klog.FromContext(ctx)
	var have []netlink.Route
	for _, family := range []int{netlink.FAMILY_V4, netlink.FAMILY_V6} {
		rs, err := h.RouteListFiltered(family, &netlink.Route{Table: t.table}, netlink.RT_FILTER_TABLE)
		if err != nil {
			return fmt.Errorf("listing the routes of table %d: %w", t.table, err)
		}
		have = append(have, rs...)
	}
	var errs []error
	done := map[netip.Prefix]bool{}
	for _, r := range have {
		dst, ok := routeDst(r)
		if !ok {
			continue
		}
		w, wanted := want[dst]
		if r.Protocol != t.protocol {
			if wanted && r.Dst != nil {
				errs = append(errs, fmt.Errorf("route to %s of node %s: the destination has a route of protocol %d "+
					"that is not ours; leaving it", dst, w.Node, r.Protocol))
				done[dst] = true
			}
			continue
		}
		if wanted && !done[dst] && routeVia(r) == w.Via {
			done[dst] = true
			continue
		}
		if err := h.RouteDel(&r); err != nil {
			errs = append(errs, fmt.Errorf("deleting the stale route to %s via %s: %w", dst, routeVia(r), err))
			continue
		}
		logger.Info("Deleted a stale route to Pods", "dst", dst, "via", routeVia(r))
	}
	for dst, w := range want {
		if done[dst] {
			continue
		}
		r := &netlink.Route{Dst: prefixNet(dst), Gw: w.Via.AsSlice(), Table: t.table, Protocol: t.protocol}
		if err := h.RouteReplace(r); err != nil {
			errs = append(errs, fmt.Errorf("adding the route to %s (node %s) via %s: %w", dst, w.Node, w.Via, err))
			continue
		}
		logger.Info("Added a route to another node's Pods", "node", w.Node, "dst", dst, "via", w.Via)
	}
	return errors.Join(errs...)
}

// routeDst is the route's destination; the default route has none.
func routeDst(r netlink.Route) (netip.Prefix, bool) {
	if r.Dst == nil {
		return netip.Prefix{}, false
	}
	ip, ok := netip.AddrFromSlice(r.Dst.IP)
	if !ok {
		return netip.Prefix{}, false
	}
	ones, _ := r.Dst.Mask.Size()
	return netip.PrefixFrom(ip.Unmap(), ones), true
}

func routeVia(r netlink.Route) netip.Addr {
	ip, _ := netip.AddrFromSlice(r.Gw)
	return ip.Unmap()
}

func prefixNet(p netip.Prefix) *net.IPNet {
	return &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
}
