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

// Package proxy is the control side of the node agent's Service proxy: a
// Tracker watches Services and EndpointSlices on kube-apiserver, computes for
// each Service the ports this Node load-balances (ServicePort: frontends and
// the backends of each traffic policy), and hands them, one Service per call,
// to a Sink (nodeagent/pipeline installs them as OpenFlow select groups and
// conntrack NAT flows).
//
// # Flow
//
//	kube-apiserver
//	   │ Services (all)            EndpointSlices (?labelSelector=kubernetes.io/service-name,
//	   │                                             !service.kubernetes.io/headless)
//	   ▼                              ▼
//	informers.go  client-go informers; slices indexed by their Service
//	   │  every add/update/delete ─► the Service's key (namespace/name); an update
//	   │                             that moves a slice queues both Services
//	   ▼
//	workqueue     rate-limited, one entry per Service: a key is never synced by two
//	   │          workers at once, and a burst of events is one sync
//	   ▼
//	sync.go       Config.Workers workers: Service + its slices from the caches
//	   │             │
//	   │             ▼
//	   │          compute.go  ServicePorts: service.go (proxied? frontends),
//	   │                      endpoints.go (slices → endpoints per port, deduplicated),
//	   │                      categorize.go (ready / serving-terminating, Cluster / Local)
//	   ▼
//	state.go      the ports last synced per Service
//	   │  unchanged                → no call
//	   │  ports                    → Sink.SyncService(svc, ports)
//	   │  none, Sink may hold some → Sink.DeleteService(svc)
//	   │  error                    → logged, the key re-queued with backoff (that Service only)
//	   ▼
//	Sink (nodeagent/pipeline)
//
// # Semantics
//
// The rules are kube-proxy's (Kubernetes v1.37, pkg/proxy):
//
//   - Proxied are Services of type ClusterIP, NodePort and LoadBalancer with a
//     cluster IP; not headless ones (clusterIP None), not ExternalName ones,
//     not those labelled service.kubernetes.io/service-proxy-name.
//   - One ServicePort per spec.ports entry (in spec order); NodePort only for
//     NodePort and LoadBalancer Services (0 when not allocated); sessionAffinity
//     ClientIP's timeout defaults to 10800s; externalTrafficPolicy Local only
//     counts for NodePort and LoadBalancer Services.
//   - A Service port's endpoints come from the EndpointSlices of the Service of
//     an address type (IPv4, IPv6) of one of its cluster IPs (FQDN slices are
//     ignored), from the slice ports of the same name and protocol. The first
//     address of an endpoint is used; an endpoint is local when its nodeName is
//     this Node. An address and port listed more than once (a Pod moving between
//     slices, an IP reused by a new Pod) counts once: the non-terminating one,
//     else the ready one, else the serving one, else the first slice by name.
//   - Conditions: ready nil is true; serving nil is true (the API's documented
//     default, and kube-proxy's reading); terminating nil is false.
//   - Cluster endpoints are the ready endpoints, or, when none is ready, the
//     serving terminating ones; Local endpoints likewise among this Node's
//     endpoints. As in kube-proxy, which runs one proxier per IP family, the
//     fallback is decided for each family on its own.
//   - Topology hints (spec.trafficDistribution, endpoints[].hints) are ignored:
//     every usable endpoint is used, wherever its zone.
//   - Invalid data (an unparsable address, a port out of range, an unknown
//     protocol, a nameless slice port) is logged and skipped, the rest used.
//
// # Readiness and restarts
//
// HasSynced is true once the informers have synced and every Service they
// listed then has been synced (or found unproxied) once. The Tracker starts
// knowing nothing of the Sink: a Sink that survives a restart of the Tracker
// with Services installed should remove, once HasSynced, those not synced
// since.
package proxy
