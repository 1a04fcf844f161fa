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

	"github.com/containernetworking/plugins/pkg/ns"
	"k8s.io/klog/v2"

	"github.com/strata-net/strata/nodeagent/ovs/ovsdb"
	"github.com/strata-net/strata/nodeagent/podsync"
)

// Reconcile brings the Pod ports and the IPAM store in line with the Pods that
// exist, for an agent (re)start: every Pod port whose Pod live refuses, or whose
// interface is broken (ofport -1, host veth gone), is deleted with its flows
// and veth; then every address not held by a remaining port is released (in
// the store of NetworkName and of every network a port names). Commands wait
// while it runs.
func (s *Server) Reconcile(ctx context.Context, live func(namespace, name string) bool) error {
	s.reconcileMu.Lock()
	defer s.reconcileMu.Unlock()
	logger := klog.FromContext(ctx)
	ports, err := s.cfg.OVSDB.ListPorts(ctx, ovsdb.PortFilter{Bridge: s.cfg.Bridge})
	if err != nil {
		return fmt.Errorf("cniserver: reconcile: listing the ports of %s: %w", s.cfg.Bridge, err)
	}
	hostNS, err := openHostNS(s.cfg.HostNetNS)
	if err != nil {
		return fmt.Errorf("cniserver: reconcile: opening the host network namespace: %w", err)
	}
	defer hostNS.Close()
	var stale []string
	held := map[string]map[string]bool{} // container id → ifNames
	networks := map[string]bool{s.cfg.NetworkName: true}
	for _, p := range ports {
		ids := p.ExternalIDs
		if ids[podsync.KeyPodName] == "" || ids[podsync.KeyPodNamespace] == "" {
			continue // not a Pod port
		}
		if reason := staleReason(hostNS, p, live); reason != "" {
			logger.Info("Removing a stale Pod port", "port", p.Name, "reason", reason,
				"pod", klog.KRef(ids[podsync.KeyPodNamespace], ids[podsync.KeyPodName]))
			stale = append(stale, p.Name)
			continue
		}
		if id := ids[podsync.KeyContainerID]; id != "" {
			if held[id] == nil {
				held[id] = map[string]bool{}
			}
			held[id][ids[KeyIfName]] = true
		}
		if n := ids[KeyNetwork]; n != "" {
			networks[n] = true
		}
	}
	errs := []error{s.removeStale(ctx, hostNS, stale)}
	keep := func(id, ifName string) bool {
		return held[id] != nil && (ifName == "" || held[id][ifName] || held[id][""])
	}
	for network := range networks {
		released, err := s.ipam.gc(network, keep)
		if len(released) > 0 {
			logger.Info("Released leaked Pod addresses", "network", network, "addresses", released)
		}
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("cniserver: reconcile: %w", err)
	}
	return nil
}

// staleReason says why a Pod port must go, or "".
func staleReason(hostNS ns.NetNS, p ovsdb.PortInfo, live func(namespace, name string) bool) string {
	ids := p.ExternalIDs
	switch {
	case !live(ids[podsync.KeyPodNamespace], ids[podsync.KeyPodName]):
		return "the Pod is gone"
	case p.OFPort < 0:
		return "OVS could not add the interface (ofport -1)"
	}
	if _, err := vethLink(hostNS, p.Name); err != nil {
		return "host veth unusable: " + err.Error()
	}
	return ""
}

// removeStale deletes the ports and their flows, then their veths.
func (s *Server) removeStale(ctx context.Context, hostNS ns.NetNS, names []string) error {
	if err := s.deletePorts(ctx, names); err != nil {
		return err
	}
	var errs []error
	for _, name := range names {
		if _, err := deleteVeth(hostNS, name); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
