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

package proxy

import (
	"cmp"
	"context"
	"net/netip"
	"slices"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/klog/v2"
)

// candidate is one endpoint of one Service port with its conditions, as
// kube-proxy reads them: ready nil is true, serving nil is true (the API's
// documented default), terminating nil is false.
type candidate struct {
	Endpoint
	ready, serving, terminating bool
}

// portID matches a Service port with EndpointSlice ports: by name and
// protocol (the EndpointSlice controller has resolved the targetPort).
type portID struct {
	name     string
	protocol Protocol
}

// collectEndpoints gathers the endpoints of svc's slices per port,
// deduplicated and sorted (dedupe). Slices of another Service, of an address
// family svc has no cluster IP of, or of FQDNs are ignored.
func collectEndpoints(ctx context.Context, svc *corev1.Service, eps []*discoveryv1.EndpointSlice,
	ips []netip.Addr, nodeName string) map[portID][]candidate {
	out := make(map[portID][]candidate, len(svc.Spec.Ports))
	for _, s := range sortedByName(eps) {
		if !sliceUsable(ctx, svc, s, ips) {
			continue
		}
		parsed := sliceEndpoints(ctx, svc, s, nodeName)
		for i := range s.Ports {
			id, port, ok := slicePort(ctx, svc, s, &s.Ports[i])
			if !ok {
				continue
			}
			if out[id] == nil {
				out[id] = make([]candidate, 0, len(parsed))
			}
			for _, c := range parsed {
				c.Port = port
				out[id] = append(out[id], c)
			}
		}
	}
	for id, cs := range out {
		out[id] = dedupe(cs)
	}
	return out
}

// sortedByName orders the slices so that the choice among duplicates does
// not depend on the informer's order.
func sortedByName(eps []*discoveryv1.EndpointSlice) []*discoveryv1.EndpointSlice {
	if len(eps) < 2 {
		return eps
	}
	eps = slices.Clone(eps)
	slices.SortFunc(eps, func(a, b *discoveryv1.EndpointSlice) int { return cmp.Compare(a.Name, b.Name) })
	return eps
}

// sliceUsable tells whether s holds endpoints of svc for one of its
// cluster IPs' families.
func sliceUsable(ctx context.Context, svc *corev1.Service, s *discoveryv1.EndpointSlice, ips []netip.Addr) bool {
	if s.Namespace != svc.Namespace || s.Labels[discoveryv1.LabelServiceName] != svc.Name {
		klog.FromContext(ctx).V(4).Info("Ignoring EndpointSlice of another Service", "service", klog.KObj(svc), "endpointSlice", klog.KObj(s))
		return false
	}
	switch s.AddressType {
	case discoveryv1.AddressTypeIPv4:
		return slices.ContainsFunc(ips, netip.Addr.Is4)
	case discoveryv1.AddressTypeIPv6:
		return slices.ContainsFunc(ips, netip.Addr.Is6)
	}
	klog.FromContext(ctx).V(4).Info("Ignoring EndpointSlice", "service", klog.KObj(svc), "endpointSlice", klog.KObj(s), "addressType", s.AddressType)
	return false
}

// sliceEndpoints parses the endpoints of s (their first address, as
// kube-proxy), skipping and logging those without a valid address of the
// slice's family. Ports are left 0.
func sliceEndpoints(ctx context.Context, svc *corev1.Service, s *discoveryv1.EndpointSlice, nodeName string) []candidate {
	out := make([]candidate, 0, len(s.Endpoints))
	want6 := s.AddressType == discoveryv1.AddressTypeIPv6
	for i := range s.Endpoints {
		ep := &s.Endpoints[i]
		var ip netip.Addr
		ok := len(ep.Addresses) > 0
		if ok {
			ip, ok = parseIP(ep.Addresses[0])
		}
		if !ok || ip.Is6() != want6 {
			klog.FromContext(ctx).Error(nil, "Ignoring EndpointSlice endpoint with an invalid address", "service", klog.KObj(svc),
				"endpointSlice", klog.KObj(s), "addresses", ep.Addresses, "addressType", s.AddressType)
			continue
		}
		out = append(out, newCandidate(ip, ep, nodeName))
	}
	return out
}

func newCandidate(ip netip.Addr, ep *discoveryv1.Endpoint, nodeName string) candidate {
	c := candidate{
		Endpoint:    Endpoint{IP: ip},
		ready:       ep.Conditions.Ready == nil || *ep.Conditions.Ready,
		serving:     ep.Conditions.Serving == nil || *ep.Conditions.Serving,
		terminating: ep.Conditions.Terminating != nil && *ep.Conditions.Terminating,
	}
	if ep.NodeName != nil {
		c.NodeName = *ep.NodeName
		c.Local = c.NodeName != "" && c.NodeName == nodeName
	}
	return c
}

// slicePort reads one port of s: its name and protocol (nil is TCP, the
// API's default) and its number, skipping and logging a nameless port or
// an invalid number or protocol.
func slicePort(ctx context.Context, svc *corev1.Service, s *discoveryv1.EndpointSlice, p *discoveryv1.EndpointPort) (portID, uint16, bool) {
	proto, okProto := TCP, true
	if p.Protocol != nil {
		proto, okProto = parseProtocol(*p.Protocol)
	}
	var port uint16
	okPort := p.Port != nil
	if okPort {
		port, okPort = portNumber(*p.Port, 1)
	}
	if p.Name == nil || !okProto || !okPort {
		klog.FromContext(ctx).Error(nil, "Ignoring invalid EndpointSlice port", "service", klog.KObj(svc),
			"endpointSlice", klog.KObj(s), "port", p)
		return portID{}, 0, false
	}
	return portID{name: *p.Name, protocol: proto}, port, true
}

// dedupe sorts cs by address and port and keeps one candidate per address
// and port: the best by rank, the first slice by name among equals.
func dedupe(cs []candidate) []candidate {
	slices.SortStableFunc(cs, func(a, b candidate) int {
		if c := compareEndpoints(a.Endpoint, b.Endpoint); c != 0 {
			return c
		}
		return cmp.Compare(b.rank(), a.rank())
	})
	return slices.CompactFunc(cs, func(a, b candidate) bool { return compareEndpoints(a.Endpoint, b.Endpoint) == 0 })
}

// rank orders duplicates: a non-terminating endpoint wins over a terminating
// one (kube-proxy's rule: a new Pod reusing a terminating Pod's IP), then
// ready over not, then serving over not.
func (c candidate) rank() int {
	r := 0
	if !c.terminating {
		r += 4
	}
	if c.ready {
		r += 2
	}
	if c.serving {
		r++
	}
	return r
}

// compareEndpoints orders endpoints by address (IPv4 first), then port.
func compareEndpoints(a, b Endpoint) int {
	if c := a.IP.Compare(b.IP); c != 0 {
		return c
	}
	return cmp.Compare(a.Port, b.Port)
}
