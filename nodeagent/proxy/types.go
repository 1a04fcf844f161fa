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
	"context"
	"fmt"
	"net/netip"
	"time"
)

// Protocol is a Service port's transport protocol.
type Protocol string

// Protocols of Service ports.
const (
	TCP  Protocol = "TCP"
	UDP  Protocol = "UDP"
	SCTP Protocol = "SCTP"
)

// ServiceRef names a Service.
type ServiceRef struct {
	Namespace, Name string
}

func (r ServiceRef) String() string { return r.Namespace + "/" + r.Name }

// PortKey names one port of a Service: its name (empty for a Service's only,
// unnamed port) and protocol.
type PortKey struct {
	Service  ServiceRef
	PortName string
	Protocol Protocol
}

func (k PortKey) String() string {
	return fmt.Sprintf("%s:%s/%s", k.Service, k.PortName, k.Protocol)
}

// Endpoint is one backend of a Service port: an address and the target port.
type Endpoint struct {
	IP   netip.Addr
	Port uint16
	// NodeName is the endpoint's Node (EndpointSlice endpoints[].nodeName);
	// empty when the slice does not say.
	NodeName string
	// Local is NodeName == the agent's Node.
	Local bool
}

func (e Endpoint) String() string { return netip.AddrPortFrom(e.IP, e.Port).String() }

// ServicePort is everything the datapath needs to load-balance one port of
// one Service on this Node, computed from the Service and its
// EndpointSlices (endpoints.go): the frontends (ClusterIPs and the
// NodePort) and the backends each kind of traffic may reach.
type ServicePort struct {
	Key PortKey
	// ClusterIPs are the Service's cluster IPs (spec.clusterIPs), IPv4
	// and/or IPv6; empty for headless Services, which are not proxied.
	ClusterIPs []netip.Addr
	// Port is spec.ports[].port.
	Port uint16
	// NodePort is spec.ports[].nodePort (NodePort and LoadBalancer
	// Services); 0 otherwise.
	NodePort uint16
	// AffinityTimeout is sessionAffinity ClientIP's timeout; 0 without
	// affinity.
	AffinityTimeout time.Duration
	// InternalLocal is internalTrafficPolicy Local: traffic from Pods to a
	// ClusterIP reaches local endpoints only.
	InternalLocal bool
	// ExternalLocal is externalTrafficPolicy Local: NodePort traffic reaches
	// local endpoints only and keeps its client's source address.
	ExternalLocal bool
	// ClusterEndpoints are the backends of traffic under the Cluster
	// policy: the ready endpoints of every Node, or, when none is ready,
	// the serving terminating ones (Kubernetes' rule since 1.28). Sorted by
	// address and port.
	ClusterEndpoints []Endpoint
	// LocalEndpoints are the backends of traffic under the Local policy:
	// the ready endpoints of this Node, or, when none is, its serving
	// terminating ones. Sorted.
	LocalEndpoints []Endpoint
}

// InternalEndpoints are the backends of traffic from Pods to a ClusterIP.
func (p *ServicePort) InternalEndpoints() []Endpoint {
	if p.InternalLocal {
		return p.LocalEndpoints
	}
	return p.ClusterEndpoints
}

// ExternalEndpoints are the backends of traffic to the NodePort.
func (p *ServicePort) ExternalEndpoints() []Endpoint {
	if p.ExternalLocal {
		return p.LocalEndpoints
	}
	return p.ClusterEndpoints
}

// Sink is where the Service ports go (the pipeline's ServiceFlows). Each
// call is one change of one Service and is installed as one bundle: Sync
// replaces every port of the Service with ports, Delete removes them all.
//
// The Tracker calls SyncService only with at least one port: a Service that
// has no proxied port any more (deleted, turned headless or ExternalName,
// labelled for another proxy, or every port gone or invalid) gets one
// DeleteService, and only if SyncService was called for it before. A Service
// whose ports are as last synced gets no call. An implementation should still
// treat a SyncService with no ports as a DeleteService. Calls for one Service
// never overlap; calls for different Services may (Config.Workers). The Sink
// must not modify ports: the Tracker keeps them to compare with the next
// computation. A call that returns an error is retried with backoff, with the
// Service's ports as they are then.
type Sink interface {
	SyncService(ctx context.Context, svc ServiceRef, ports []ServicePort) error
	DeleteService(ctx context.Context, svc ServiceRef) error
}
