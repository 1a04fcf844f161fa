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
	"fmt"
	"net"
	"slices"

	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/plugins/pkg/ip"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/vishvananda/netlink"

	"github.com/strata-net/strata/cni"
	"github.com/strata-net/strata/nodeagent/ovs/ovsdb"
	"github.com/strata-net/strata/nodeagent/podsync"
)

// cmdCheck validates the container's attachment against prevResult.
func (s *Server) cmdCheck(ctx context.Context, r *podRequest) *types.Error {
	if r.conf.PrevResult == nil {
		return types.NewError(types.ErrInvalidNetworkConfig, "network config: prevResult: required for CHECK", "")
	}
	prev, err := current.NewResultFromResult(r.conf.PrevResult)
	if err != nil {
		return types.NewError(types.ErrDecodingFailure, "network config: prevResult: "+err.Error(), "")
	}
	want, err := attachmentFromResult(prev, r.IfName)
	if err != nil {
		return types.NewError(cni.ErrCheckInterfaceFailure, err.Error(), "")
	}
	s.reconcileMu.RLock()
	defer s.reconcileMu.RUnlock()
	unlock := s.containers.lock(r.ContainerID)
	defer unlock()
	ports, err := s.containerPorts(ctx, r.ContainerID, r.IfName)
	if err != nil {
		return types.NewError(cni.ErrCheckInterfaceFailure, "reading the OVS ports", err.Error())
	}
	if len(ports) != 1 {
		return types.NewError(cni.ErrCheckInterfaceFailure,
			fmt.Sprintf("container %s/%s has %d OVS ports, want 1", r.ContainerID, r.IfName, len(ports)), "")
	}
	if ports[0].Name != want.hostName {
		return types.NewError(cni.ErrCheckInterfaceFailure,
			fmt.Sprintf("OVS port %s is not prevResult's host interface %s", ports[0].Name, want.hostName), "")
	}
	if err := s.verify(ctx, r, want, ports[0]); err != nil {
		return types.NewError(cni.ErrCheckInterfaceFailure, err.Error(), "")
	}
	return nil
}

// verify checks an attachment against the OVS port, the IPAM store, the host
// veth and the container interface.
func (s *Server) verify(ctx context.Context, r *podRequest, a attachment, port ovsdb.PortInfo) error {
	if err := verifyPort(r, a, port); err != nil {
		return err
	}
	held, err := s.ipam.held(r.conf.Name, r.ContainerID, r.IfName)
	if err != nil {
		return err
	}
	for _, addr := range a.addrs() {
		if !slices.ContainsFunc(held, addr.Equal) {
			return fmt.Errorf("address %s is not reserved for the container in the IPAM store", addr)
		}
	}
	hostNS, err := openHostNS(s.cfg.HostNetNS)
	if err != nil {
		return fmt.Errorf("opening the host network namespace: %w", err)
	}
	defer hostNS.Close()
	if _, err := vethLink(hostNS, a.hostName); err != nil {
		return fmt.Errorf("host end: %w", err)
	}
	podNS, err := ns.GetNS(r.Netns)
	if err != nil {
		return fmt.Errorf("opening the Pod's network namespace: %w", err)
	}
	defer podNS.Close()
	return podNS.Do(func(ns.NetNS) error { return verifyContainerIface(r.IfName, a) })
}

// verifyPort compares the port's external_ids and ofport with the attachment.
func verifyPort(r *podRequest, a attachment, p ovsdb.PortInfo) error {
	ids := p.ExternalIDs
	if p.OFPort <= 0 {
		return fmt.Errorf("OVS port %s has no valid ofport (%d)", p.Name, p.OFPort)
	}
	if !sameMAC(ids[podsync.KeyMAC], a.contMAC) {
		return fmt.Errorf("OVS port %s: %s=%q, want %q", p.Name, podsync.KeyMAC, ids[podsync.KeyMAC], a.contMAC)
	}
	if got := portIPs(p); !sameIPs(got, a.addrs()) {
		return fmt.Errorf("OVS port %s: %s=%q, want %v", p.Name, podsync.KeyPodIPs, ids[podsync.KeyPodIPs], a.addrs())
	}
	for key, want := range map[string]string{podsync.KeyPodName: r.pod.Name, podsync.KeyPodNamespace: r.pod.Namespace} {
		if want != "" && ids[key] != want {
			return fmt.Errorf("OVS port %s: %s=%q, want %q", p.Name, key, ids[key], want)
		}
	}
	return nil
}

// verifyContainerIface checks, in the Pod's netns, the interface's MAC,
// addresses and routes.
func verifyContainerIface(ifName string, a attachment) error {
	link, err := netlink.LinkByName(ifName)
	if err != nil {
		return fmt.Errorf("container interface %s: %w", ifName, err)
	}
	if !sameMAC(link.Attrs().HardwareAddr.String(), a.contMAC) {
		return fmt.Errorf("container interface %s has MAC %s, want %s", ifName, link.Attrs().HardwareAddr, a.contMAC)
	}
	if err := ip.ValidateExpectedInterfaceIPs(ifName, a.ips); err != nil {
		return fmt.Errorf("container interface %s: %w", ifName, err)
	}
	if err := ip.ValidateExpectedRoute(a.routes); err != nil {
		return fmt.Errorf("container routes: %w", err)
	}
	return nil
}

// hostMAC reads the MAC of a host veth end.
func (s *Server) hostMAC(name string) (string, error) {
	hostNS, err := openHostNS(s.cfg.HostNetNS)
	if err != nil {
		return "", err
	}
	defer hostNS.Close()
	link, err := vethLink(hostNS, name)
	if err != nil {
		return "", err
	}
	return link.Attrs().HardwareAddr.String(), nil
}

func sameIPs(a, b []net.IP) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.ContainsFunc(b, x.Equal) {
			return false
		}
	}
	return true
}

func ipNet(addr net.IP, mask net.IPMask) net.IPNet {
	if v4 := addr.To4(); v4 != nil && len(mask) == net.IPv4len {
		addr = v4
	}
	return net.IPNet{IP: addr, Mask: mask}
}
