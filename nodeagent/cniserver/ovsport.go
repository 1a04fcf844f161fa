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
	"strings"

	"github.com/strata-net/strata/nodeagent/ovs/ovsdb"
	"github.com/strata-net/strata/nodeagent/podsync"
)

// External ids the CNI server adds to podsync's on a Pod port.
const (
	// KeyIfName is the container interface name (CNI_IFNAME).
	KeyIfName = "strata.io/if-name"
	// KeyNetwork is the CNI network name (its IPAM directory).
	KeyNetwork = "strata.io/network"
)

// portIDs are the external_ids of a container's port.
func portIDs(r *podRequest, contMAC string, ips []net.IP) map[string]string {
	strs := make([]string, len(ips))
	for i, ip := range ips {
		strs[i] = ip.String()
	}
	return map[string]string{
		podsync.KeyPodName:      r.pod.Name,
		podsync.KeyPodNamespace: r.pod.Namespace,
		podsync.KeyPodIPs:       strings.Join(strs, ","),
		podsync.KeyContainerID:  r.ContainerID,
		podsync.KeyNetNS:        r.Netns,
		podsync.KeyMAC:          contMAC,
		KeyIfName:               r.IfName,
		KeyNetwork:              r.conf.Name,
	}
}

// addPort creates the port with its external_ids in one transaction and waits
// for its OpenFlow port number; on failure the port is deleted again.
func (s *Server) addPort(ctx context.Context, name string, ids map[string]string) (int32, error) {
	s.portMu.RLock()
	_, err := s.cfg.OVSDB.AddPort(ctx, ovsdb.PortConfig{Bridge: s.cfg.Bridge, Name: name, ExternalIDs: ids})
	s.portMu.RUnlock()
	if err != nil {
		return 0, err
	}
	wctx, cancel := context.WithTimeout(ctx, s.cfg.OFPortTimeout)
	defer cancel()
	ofport, err := s.cfg.OVSDB.WaitOFPort(wctx, name)
	if err != nil {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rollbackTimeout)
		defer cancel()
		return 0, errors.Join(err, s.deletePorts(dctx, []string{name}))
	}
	return ofport, nil
}

// containerPorts returns the ports of a container's interface.
func (s *Server) containerPorts(ctx context.Context, containerID, ifName string) ([]ovsdb.PortInfo, error) {
	ports, err := s.cfg.OVSDB.ListPorts(ctx, ovsdb.PortFilter{Bridge: s.cfg.Bridge,
		ExternalIDs: map[string]string{podsync.KeyContainerID: containerID}})
	if err != nil {
		return nil, fmt.Errorf("listing the ports of container %s: %w", containerID, err)
	}
	var out []ovsdb.PortInfo
	for _, p := range ports {
		if n, ok := p.ExternalIDs[KeyIfName]; !ok || n == ifName {
			out = append(out, p)
		}
	}
	return out, nil
}

// deletePorts deletes ports and then has the syncer remove their flows, with
// no port added in between (an added port could reuse a freed ofport while the
// old port's flows still match it).
func (s *Server) deletePorts(ctx context.Context, names []string) error {
	if len(names) == 0 {
		return nil
	}
	s.portMu.Lock()
	defer s.portMu.Unlock()
	for _, name := range names {
		if err := s.cfg.OVSDB.DeletePort(ctx, name); err != nil {
			return err
		}
	}
	if err := s.cfg.Pods.Sync(ctx); err != nil {
		return fmt.Errorf("removing the flows of port(s) %s: %w", strings.Join(names, ","), err)
	}
	return nil
}

func portNames(ports []ovsdb.PortInfo) []string {
	names := make([]string, len(ports))
	for i, p := range ports {
		names[i] = p.Name
	}
	return names
}

// portIPs parses the Pod IPs of a port.
func portIPs(p ovsdb.PortInfo) []net.IP {
	var ips []net.IP
	for _, s := range strings.Split(p.ExternalIDs[podsync.KeyPodIPs], ",") {
		if ip := net.ParseIP(strings.TrimSpace(s)); ip != nil {
			ips = append(ips, ip)
		}
	}
	return ips
}
