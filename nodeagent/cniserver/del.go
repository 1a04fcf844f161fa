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

	"github.com/containernetworking/cni/pkg/types"
	"github.com/containernetworking/plugins/pkg/ns"
	"k8s.io/klog/v2"

	"github.com/strata-net/strata/cni"
	"github.com/strata-net/strata/nodeagent/ovs/ovsdb"
)

// cmdDel detaches a container. Unknown containers, a vanished netns and
// repeated DELs succeed.
func (s *Server) cmdDel(ctx context.Context, r *podRequest) *types.Error {
	s.reconcileMu.RLock()
	defer s.reconcileMu.RUnlock()
	unlock := s.containers.lock(r.ContainerID)
	defer unlock()
	ports, err := s.containerPorts(ctx, r.ContainerID, r.IfName)
	if err == nil {
		err = s.teardown(ctx, r, ports, true)
	}
	if err != nil {
		var cerr *types.Error
		if errors.As(err, &cerr) {
			return cerr
		}
		return types.NewError(cni.ErrConfigInterfaceFailure, "detaching the container", err.Error())
	}
	if len(ports) == 0 {
		// Nothing was attached, yet a port deleted behind the agent's back may
		// have left flows: sync, but a DEL of an unknown container succeeds.
		if err := s.cfg.Pods.Sync(ctx); err != nil {
			klog.FromContext(ctx).Info("Syncing the Pod ports after DEL failed", "err", err)
		}
	}
	return nil
}

// teardown removes a container's attachment (ports are its OVS ports) in the
// order that never leaves a flow pointing at a reused port or address: the OVS
// ports and their flows, then the veth, then (if releaseIP) the addresses.
func (s *Server) teardown(ctx context.Context, r *podRequest, ports []ovsdb.PortInfo, releaseIP bool) error {
	names := portNames(ports)
	if err := s.deletePorts(ctx, names); err != nil {
		return fmt.Errorf("deleting OVS port(s) %v: %w", names, err)
	}
	if r.pod.Name != "" {
		names = appendMissing(names, HostVethName(r.pod.Name, r.ContainerID))
	}
	if err := s.deleteHostVeths(names); err != nil {
		return err
	}
	if err := s.deletePodVeth(ctx, r); err != nil {
		return err
	}
	if releaseIP {
		if err := s.ipam.release(r.conf.Name, r.ContainerID, r.IfName); err != nil {
			return types.NewError(cni.ErrIPAMFailure, "releasing the container's addresses", err.Error())
		}
	}
	if len(ports) > 0 {
		klog.FromContext(ctx).V(2).Info("Detached container", "ports", portNames(ports), "releasedIP", releaseIP)
	}
	return nil
}

func (s *Server) deleteHostVeths(names []string) error {
	hostNS, err := openHostNS(s.cfg.HostNetNS)
	if err != nil {
		return fmt.Errorf("opening the host network namespace: %w", err)
	}
	defer hostNS.Close()
	for _, name := range names {
		if _, err := deleteVeth(hostNS, name); err != nil {
			return err
		}
	}
	return nil
}

// deletePodVeth deletes the container end if the netns still exists (it
// normally went with the host end already).
func (s *Server) deletePodVeth(ctx context.Context, r *podRequest) error {
	if r.Netns == "" {
		return nil
	}
	podNS, err := ns.GetNS(r.Netns)
	if err != nil {
		klog.FromContext(ctx).V(4).Info("Pod network namespace gone", "netns", r.Netns, "err", err)
		return nil
	}
	defer podNS.Close()
	_, err = deleteVeth(podNS, r.IfName)
	return err
}

func appendMissing(names []string, name string) []string {
	for _, n := range names {
		if n == name {
			return names
		}
	}
	return append(names, name)
}
