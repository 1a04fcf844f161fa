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

package pipeline

import (
	"context"
	"fmt"
	"net/netip"
	"slices"

	"k8s.io/klog/v2"

	"github.com/strata-net/strata/nodeagent/ovs/openflow"
	"github.com/strata-net/strata/nodeagent/proxy"
)

// ServiceFlows installs the Service proxy's flows and select groups
// (proxy_flows.go); it is the proxy.Sink of nodeagent/proxy. Each call is
// one Service's change, installed as one atomic bundle.
type ServiceFlows struct {
	p *Pipeline
	// Guarded by p.mu.
	services map[proxy.ServiceRef][]frontend
	ids      *frontendIDs
}

// frontendKey is one address a Service port is reached at.
type frontendKey struct {
	port proxy.PortKey
	ip   netip.Addr
}

// frontend is what one frontend contributes: its id (the reg7 and
// ct_label value of its connections, and its group's id), its flows and
// its select group (nil without endpoints).
type frontend struct {
	key   frontendKey
	id    uint32
	flows []openflow.Flow
	group *openflow.GroupMod
	// affinity (seconds, 0 for none) and endpoints say which learned
	// flows a change makes stale (proxy_affinity.go).
	affinity  uint16
	endpoints []proxy.Endpoint
}

func newServiceFlows(p *Pipeline) *ServiceFlows {
	return &ServiceFlows{p: p, services: map[proxy.ServiceRef][]frontend{}, ids: newFrontendIDs()}
}

var _ proxy.Sink = (*ServiceFlows)(nil)

func serviceOwner(ref proxy.ServiceRef) ownerKey { return ownerKey("svc/" + ref.String()) }

// SyncService replaces the flows of every port of a Service.
func (sf *ServiceFlows) SyncService(ctx context.Context, ref proxy.ServiceRef, ports []proxy.ServicePort) error {
	err := sf.p.update(ctx, func() error {
		sf.replace(ref, ports)
		return nil
	})
	if err != nil {
		return fmt.Errorf("installing the flows of Service %s: %w", ref, err)
	}
	klog.FromContext(ctx).V(2).Info("Installed Service flows", "service", klog.KRef(ref.Namespace, ref.Name),
		"ports", len(ports))
	return nil
}

// DeleteService removes the flows of a Service.
func (sf *ServiceFlows) DeleteService(ctx context.Context, ref proxy.ServiceRef) error {
	err := sf.p.update(ctx, func() error {
		sf.replace(ref, nil)
		return nil
	})
	if err != nil {
		return fmt.Errorf("removing the flows of Service %s: %w", ref, err)
	}
	return nil
}

// ServiceID returns the id of a Service port's frontend at ip (the value
// toServices rules match in reg7); 0.0.0.0 is its NodePort frontend.
func (sf *ServiceFlows) ServiceID(key proxy.PortKey, ip netip.Addr) (uint32, bool) {
	sf.p.mu.Lock()
	defer sf.p.mu.Unlock()
	id, ok := sf.ids.ids[frontendKey{port: key, ip: ip}]
	return id, ok
}

// replace swaps a Service's frontends for those of ports, keeping the id
// of every frontend that stays.
func (sf *ServiceFlows) replace(ref proxy.ServiceRef, ports []proxy.ServicePort) {
	owner := serviceOwner(ref)
	old := sf.services[ref]
	for _, fe := range old {
		sf.withdraw(owner, fe)
	}
	var now []frontend
	for i := range ports {
		now = append(now, sf.frontends(&ports[i])...)
	}
	for _, fe := range old {
		if !slices.ContainsFunc(now, func(n frontend) bool { return n.key == fe.key }) {
			sf.ids.release(sf.p, fe.key)
		}
		sf.p.deleteWithBundle(learnedDeletes(fe, now)...)
	}
	for _, fe := range now {
		sf.contribute(owner, fe)
	}
	if len(now) == 0 {
		deleteUndoable(sf.p, sf.services, ref)
	} else {
		setUndoable(sf.p, sf.services, ref, now)
	}
	// The toServices rules naming ref follow its frontends in this bundle.
	sf.p.policies.servicesChanged(ref)
}

// frontends builds the frontends of one Service port: one per IPv4
// ClusterIP, and one for its NodePort when the node serves NodePorts
// (Gateway.NodeIPs). IPv6 Services and SCTP ports are not proxied yet.
func (sf *ServiceFlows) frontends(sp *proxy.ServicePort) []frontend {
	if _, ok := protoMatch(sp.Key.Protocol, sp.Port); !ok {
		return nil
	}
	var out []frontend
	internal := ipv4Endpoints(sp.InternalEndpoints())
	// internalTrafficPolicy Local: without local endpoints the traffic is
	// dropped, as kube-proxy does; without any endpoint it is rejected.
	dropInternal := sp.InternalLocal && len(ipv4Endpoints(sp.ClusterEndpoints)) > 0
	for _, ip := range sp.ClusterIPs {
		if ip.Is4() {
			out = append(out, sf.frontend(sp, frontendSpec{vip: ip, port: sp.Port, endpoints: internal,
				dropEmpty: dropInternal}))
		}
	}
	if sp.NodePort != 0 && sf.p.servesNodePorts() {
		// externalTrafficPolicy Cluster: the source becomes the gateway IP,
		// so that replies come back through this node; Local keeps the
		// client's address and drops when no endpoint is local.
		out = append(out, sf.frontend(sp, frontendSpec{port: sp.NodePort, endpoints: ipv4Endpoints(sp.ExternalEndpoints()),
			snat: !sp.ExternalLocal, dropEmpty: sp.ExternalLocal}))
	}
	return out
}

// frontend completes spec (the address, port and endpoints set) with the
// frontend's id, group and affinity, and builds it.
func (sf *ServiceFlows) frontend(sp *proxy.ServicePort, spec frontendSpec) frontend {
	key := frontendKey{port: sp.Key, ip: spec.vip}
	if !spec.vip.IsValid() {
		key.ip = netip.IPv4Unspecified()
	}
	spec.id = sf.ids.get(sf.p, key)
	spec.group = serviceGroupID(sf.p.cfg.Round, spec.id)
	spec.protocol = sp.Key.Protocol
	spec.affinity = affinitySeconds(sp.AffinityTimeout)
	flows, group := sf.p.build.frontendFlows(spec)
	return frontend{key: key, id: spec.id, flows: flows, group: group, affinity: spec.affinity, endpoints: spec.endpoints}
}

func (sf *ServiceFlows) contribute(owner ownerKey, fe frontend) {
	for _, f := range fe.flows {
		sf.p.flows.addOwned(owner, f)
	}
	if fe.group != nil {
		sf.p.groups.set(sf.p, *fe.group)
	}
}

func (sf *ServiceFlows) withdraw(owner ownerKey, fe frontend) {
	for _, f := range fe.flows {
		sf.p.flows.removeOwned(owner, f.Key())
	}
	if fe.group != nil {
		sf.p.groups.remove(sf.p, fe.group.GroupID)
	}
}

// serviceGroupID is the group of a frontend. Consecutive rounds use
// disjoint ranges, so a restarting agent never repoints the groups the
// previous agent's flows still use.
func serviceGroupID(round uint16, id uint32) uint32 {
	return 0x10000000<<(round&1) + id
}

// frontendIDs hands out frontend ids, smallest free first, undoably.
type frontendIDs struct {
	ids  map[frontendKey]uint32
	free []uint32 // sorted descending: the smallest is last
	next uint32
}

func newFrontendIDs() *frontendIDs { return &frontendIDs{ids: map[frontendKey]uint32{}, next: 1} }

// get returns the id of key, allocating one if it has none.
func (a *frontendIDs) get(p *Pipeline, key frontendKey) uint32 {
	if id, ok := a.ids[key]; ok {
		return id
	}
	a.saveCounters(p)
	var id uint32
	if n := len(a.free); n > 0 {
		id, a.free = a.free[n-1], a.free[:n-1]
	} else {
		id, a.next = a.next, a.next+1
	}
	setUndoable(p, a.ids, key, id)
	return id
}

// release frees the id of key.
func (a *frontendIDs) release(p *Pipeline, key frontendKey) {
	id, ok := a.ids[key]
	if !ok {
		return
	}
	a.saveCounters(p)
	deleteUndoable(p, a.ids, key)
	i, _ := slices.BinarySearchFunc(a.free, id, func(e, t uint32) int { return int(t) - int(e) })
	a.free = slices.Insert(a.free, i, id)
}

// saveCounters records how to restore the free list and counter.
func (a *frontendIDs) saveCounters(p *Pipeline) {
	free, next := slices.Clone(a.free), a.next
	p.onUndo(func() { a.free, a.next = free, next })
}
