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
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
	"k8s.io/apimachinery/pkg/util/wait"
)

// linkPollInterval is how often the wait for the gateway interface looks.
const linkPollInterval = 50 * time.Millisecond

// configureHostLink configures the gateway's host interface in the
// namespace at path: it waits until ovs-vswitchd has created it with the
// gateway MAC, then sets the MTU and the addresses and brings it up.
func configureHostLink(ctx context.Context, path string, gw *Gateway, timeout time.Duration) error {
	h, err := openHandle(path)
	if err != nil {
		return fmt.Errorf("gateway %s: %w", gw.Name, err)
	}
	defer h.Close()
	link, err := waitLink(ctx, h, gw, timeout)
	if err != nil {
		return err
	}
	if link.Attrs().MTU != gw.MTU {
		if err := h.LinkSetMTU(link, gw.MTU); err != nil {
			return fmt.Errorf("gateway %s: setting MTU %d: %w", gw.Name, gw.MTU, err)
		}
	}
	if err := setAddrs(h, link, gw.IPNets()); err != nil {
		return fmt.Errorf("gateway %s: %w", gw.Name, err)
	}
	if err := h.LinkSetUp(link); err != nil {
		return fmt.Errorf("gateway %s: setting the link up: %w", gw.Name, err)
	}
	return nil
}

// waitLink polls until the gateway interface exists with the gateway MAC
// (ovs-vswitchd creates it and sets the MAC asynchronously).
func waitLink(ctx context.Context, h *netlink.Handle, gw *Gateway, timeout time.Duration) (netlink.Link, error) {
	var link netlink.Link
	var last error
	err := wait.PollUntilContextTimeout(ctx, linkPollInterval, timeout, true, func(context.Context) (bool, error) {
		l, err := h.LinkByName(gw.Name)
		if err != nil {
			last = err
			return false, nil
		}
		if !bytes.Equal(l.Attrs().HardwareAddr, gw.MAC) {
			last = fmt.Errorf("MAC is %s, not yet %s", l.Attrs().HardwareAddr, gw.MAC)
			return false, nil
		}
		link = l
		return true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("gateway %s: waiting %s for ovs-vswitchd to create the host interface (last: %v): %w",
			gw.Name, timeout, last, err)
	}
	return link, nil
}

// setAddrs makes want the global addresses of link: missing ones are
// added, others removed. Link-local addresses are left alone.
func setAddrs(h *netlink.Handle, link netlink.Link, want []netip.Prefix) error {
	have, err := h.AddrList(link, netlink.FAMILY_ALL)
	if err != nil {
		return fmt.Errorf("listing addresses: %w", err)
	}
	var errs []error
	for _, a := range have {
		p, ok := addrPrefix(a)
		if !ok || a.Scope != int(netlink.SCOPE_UNIVERSE) || slices.Contains(want, p) {
			continue
		}
		if err := h.AddrDel(link, &a); err != nil {
			errs = append(errs, fmt.Errorf("removing stale address %s: %w", p, err))
		}
	}
	for _, p := range want {
		addr := &netlink.Addr{IPNet: &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}}
		if p.Addr().Is6() {
			addr.Flags = unix.IFA_F_NODAD // the gateway must answer at once
		}
		if err := h.AddrReplace(link, addr); err != nil {
			errs = append(errs, fmt.Errorf("adding address %s: %w", p, err))
		}
	}
	return errors.Join(errs...)
}

func addrPrefix(a netlink.Addr) (netip.Prefix, bool) {
	if a.IPNet == nil {
		return netip.Prefix{}, false
	}
	ip, ok := netip.AddrFromSlice(a.IP)
	if !ok {
		return netip.Prefix{}, false
	}
	ones, _ := a.Mask.Size()
	return netip.PrefixFrom(ip.Unmap(), ones), true
}
