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
	"time"

	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	cniipam "github.com/containernetworking/plugins/pkg/ipam"
	"github.com/containernetworking/plugins/pkg/ns"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/klog/v2"

	"github.com/strata-net/strata/cni"
	"github.com/strata-net/strata/nodeagent/ovs/ovsdb"
	"github.com/strata-net/strata/nodeagent/podsync"
)

// readyPoll is how often ADD looks at Ready while waiting.
const readyPoll = 100 * time.Millisecond

// cmdAdd attaches a container: address, veth, OVS port, Pod flows. A retry of
// an attached container returns the same attachment; a partial one is torn
// down (keeping its address) and built again.
func (s *Server) cmdAdd(ctx context.Context, r *podRequest) ([]byte, *types.Error) {
	if err := r.pod.RequirePod(); err != nil {
		return nil, types.NewError(types.ErrInvalidEnvironmentVariables, err.Error(), "")
	}
	if cerr := s.waitReady(ctx); cerr != nil {
		return nil, cerr
	}
	nw, err := s.cfg.Network.NodeNetwork(ctx)
	if err != nil {
		return nil, types.NewError(types.ErrTryAgainLater, "the Node's Pod network (spec.podCIDR) is not known yet", err.Error())
	}
	s.reconcileMu.RLock()
	defer s.reconcileMu.RUnlock()
	unlock := s.containers.lock(r.ContainerID)
	defer unlock()

	ports, err := s.containerPorts(ctx, r.ContainerID, r.IfName)
	if err != nil {
		return nil, types.NewError(cni.ErrConfigInterfaceFailure, "reading the OVS ports", err.Error())
	}
	a, found, err := s.existing(ctx, r, nw, ports)
	if err != nil {
		return nil, types.NewError(cni.ErrConfigInterfaceFailure, "reading the existing attachment", err.Error())
	}
	if !found {
		if err := s.teardown(ctx, r, ports, false); err != nil {
			return nil, types.NewError(cni.ErrConfigInterfaceFailure, "removing a partial attachment", err.Error())
		}
		var cerr *types.Error
		if a, cerr = s.attach(ctx, r, nw); cerr != nil {
			return nil, cerr
		}
	}
	if cerr := s.holdUntilProtected(ctx, r, a); cerr != nil {
		return nil, cerr
	}
	out, err := encodeResult(a.result(r), r.conf.CNIVersion)
	if err != nil {
		return nil, types.NewError(types.ErrInternal, err.Error(), "")
	}
	return out, nil
}

// holdUntilProtected returns once the policies that name the attached Pod are
// installed everywhere (Config.Startup). Until ADD returns the runtime starts no
// process in the Pod, so nothing leaves it before then.
func (s *Server) holdUntilProtected(ctx context.Context, r *podRequest, a attachment) *types.Error {
	if s.cfg.Startup == nil {
		return nil
	}
	start := time.Now()
	if err := s.cfg.Startup.PodAttached(ctx, r.pod, a.addrs()); err != nil {
		return types.NewError(types.ErrTryAgainLater,
			"the policies that name the Pod are not known to be installed on every Node yet; the Pod starts once they are",
			err.Error())
	}
	klog.FromContext(ctx).Info("Pod start-up barrier passed: the policies naming the Pod are installed", "waited", time.Since(start))
	return nil
}

// waitReady waits up to ReadyTimeout for the first policy sync.
func (s *Server) waitReady(ctx context.Context) *types.Error {
	if s.cfg.Ready() {
		return nil
	}
	klog.FromContext(ctx).V(2).Info("Waiting for the first policy sync", "timeout", s.cfg.ReadyTimeout)
	err := wait.PollUntilContextTimeout(ctx, readyPoll, s.cfg.ReadyTimeout, false,
		func(context.Context) (bool, error) { return s.cfg.Ready(), nil })
	if err != nil {
		return types.NewError(types.ErrTryAgainLater,
			"strata-agent has not completed its first policy sync; Pods start once their policies are in place",
			fmt.Sprintf("waited %s", s.cfg.ReadyTimeout))
	}
	return nil
}

// attach builds the attachment; on failure everything done so far is undone.
func (s *Server) attach(ctx context.Context, r *podRequest, nw NodeNetwork) (a attachment, cerr *types.Error) {
	var undo rollback
	defer func() {
		if cerr != nil {
			undo.run(ctx)
		}
	}()
	ips, err := s.ipam.allocate(r.conf.Name, r.ContainerID, r.IfName, nw.Subnets)
	undo.add("releasing the addresses", func(context.Context) error {
		return s.ipam.release(r.conf.Name, r.ContainerID, r.IfName)
	})
	if err != nil {
		return a, types.NewError(cni.ErrIPAMFailure, "allocating an address from the Node's podCIDR", err.Error())
	}
	podNS, err := ns.GetNS(r.Netns)
	if err != nil {
		return a, types.NewError(types.ErrInvalidNetNS, "opening the Pod's network namespace "+r.Netns, err.Error())
	}
	defer podNS.Close()
	hostNS, err := openHostNS(s.cfg.HostNetNS)
	if err != nil {
		return a, types.NewError(cni.ErrConfigInterfaceFailure, "opening the host network namespace", err.Error())
	}
	defer hostNS.Close()
	return s.connect(ctx, r, nw, ips, podNS, hostNS, &undo)
}

// connect creates and configures the veth, then the OVS port and the flows.
func (s *Server) connect(ctx context.Context, r *podRequest, nw NodeNetwork, ips []*current.IPConfig,
	podNS, hostNS ns.NetNS, undo *rollback) (attachment, *types.Error) {
	hostName := HostVethName(r.pod.Name, r.ContainerID)
	veth, err := setupVeth(podNS, hostNS, r.IfName, hostName, nw.mtu(r.conf.MTU))
	// The undo opens the host netns again: hostNS is closed by then.
	undo.add("deleting the veth "+hostName, func(context.Context) error {
		return s.deleteHostVeths([]string{hostName})
	})
	if err != nil {
		return attachment{}, types.NewError(cni.ErrConfigInterfaceFailure, "creating the veth pair", err.Error())
	}
	a := newAttachment(hostName, veth.host.HardwareAddr.String(), veth.cont.HardwareAddr.String(), ips)
	err = podNS.Do(func(ns.NetNS) error { return cniipam.ConfigureIface(r.IfName, a.result(r)) })
	if err != nil {
		return attachment{}, types.NewError(cni.ErrConfigInterfaceFailure, "configuring addresses and routes in the Pod", err.Error())
	}
	_, err = s.addPort(ctx, hostName, portIDs(r, a.contMAC, a.addrs()))
	if err != nil {
		return attachment{}, types.NewError(cni.ErrConfigInterfaceFailure, "attaching "+hostName+" to OVS bridge "+s.cfg.Bridge, err.Error())
	}
	undo.add("deleting the OVS port "+hostName, func(ctx context.Context) error {
		return s.deletePorts(ctx, []string{hostName})
	})
	if err := s.cfg.Pods.Sync(ctx); err != nil {
		return attachment{}, types.NewError(cni.ErrConfigInterfaceFailure, "installing the Pod flows", err.Error())
	}
	return a, nil
}

// existing returns the container's attachment if it is complete and intact
// (a retried ADD), after making sure its flows are installed. ports are the
// container's.
func (s *Server) existing(ctx context.Context, r *podRequest, nw NodeNetwork, ports []ovsdb.PortInfo) (attachment, bool, error) {
	if len(ports) != 1 || ports[0].OFPort <= 0 {
		return attachment{}, false, nil
	}
	p := ports[0]
	var ips []*current.IPConfig
	for _, ip := range portIPs(p) {
		sn, ok := nw.subnetOf(ip)
		if !ok {
			return attachment{}, false, nil // the podCIDR changed: attach again
		}
		ips = append(ips, &current.IPConfig{Address: ipNet(ip, sn.CIDR.Mask), Gateway: sn.Gateway})
	}
	hostMAC, err := s.hostMAC(p.Name)
	if err != nil {
		return attachment{}, false, nil
	}
	a := newAttachment(p.Name, hostMAC, p.ExternalIDs[podsync.KeyMAC], ips)
	if err := s.verify(ctx, r, a, p); err != nil {
		klog.FromContext(ctx).Info("Rebuilding a partial attachment", "reason", err.Error())
		return attachment{}, false, nil
	}
	if err := s.cfg.Pods.Sync(ctx); err != nil {
		return attachment{}, false, fmt.Errorf("installing the Pod flows: %w", err)
	}
	return a, true, nil
}
