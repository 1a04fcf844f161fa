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

// Package nodenet configures a node's host network for the Pod network:
// the gateway port between the OVS bridge and the host, the host's
// forwarding sysctls, and one route per other Node to that Node's Pod CIDR.
//
// # Routed mode
//
// Strata connects the nodes' Pod networks by plain IP routing through the
// underlay (like Antrea's noEncap mode), not by tunnels:
//
//	pod A ──veth── br-int (node 1) ──strata-gw0── host 1 ──ul0──┐
//	                                                    underlay (L2)
//	pod B ──veth── br-int (node 2) ──strata-gw0── host 2 ──ul0──┘
//
// The pieces:
//   - every node's gateway strata-gw0 (an OVS internal port) holds the
//     first IP of the node's spec.podCIDR with the CIDR's prefix, so the
//     host has a connected route to its own Pods; Pods use it as their
//     default gateway;
//   - the host forwards (ip_forward=1, and rp_filter off so that a packet
//     whose source is a remote Pod is accepted whichever interface the
//     host's route back to that Pod uses) and holds, per other Node, the
//     route "<its podCIDR> via <its InternalIP>"; the RouteController keeps
//     these routes in step with the Node objects;
//   - the OVS pipeline (nodeagent/pipeline.Gateway) sends everything that
//     is not for a local Pod to the gateway and treats packets from the
//     gateway as coming from outside: no spoof guard, no egress policy
//     (enforced where they left their Pod), but conntrack and the ingress
//     policy of the destination Pod.
//
// Why routing and not Geneve/VXLAN through OVS userspace tunnelling: no
// encapsulation overhead or MTU reduction, no tunnel port or remote flows
// per node, and packets keep their Pod source addresses end to end, so
// ingress rules at the destination node match the real peer. The price is
// that the underlay must carry Pod addresses, which holds for nodes on one
// L2 segment (the local cluster's underlay bridge) or with routes to every
// node's Pod CIDR. Both nodes' OVS see every packet: policy is enforced
// egress at the source node and ingress at the destination node.
//
// # NodePorts
//
// With HostConfig.NodePorts, policy routing sends connections to the Node's
// InternalIPs on the NodePort range, and the replies to the gateway IP, into
// the gateway, where the OVS pipeline load-balances them (nodeport.go has
// the rules; docs/services.md the source addresses endpoints see).
//
// # The userspace datapath
//
// With datapath_type=netdev the host end of every Pod veth stays a kernel
// interface of the host namespace, and the kernel sees every frame of the
// Pod next to OVS. EnableForwarding therefore makes ARP strict
// (arp_ignore=1: the kernel never answers a Pod's ARP for the gateway IP
// from the Pod's veth) and, with IsolateNewLinks, turns IPv4 forwarding off
// for interfaces created later (the Pod veths), so that a Pod cannot have
// its packets routed by the kernel around OVS and its policies.
//
// # Acting on another namespace
//
// strata-agent may run outside the node's network namespace (the local
// cluster runs every node's agent in the root namespace so that it reaches
// the API servers on 127.0.0.1). Everything here therefore takes the host
// namespace by path (NetNS): links, addresses and routes go through a
// netlink handle opened in it, sysctls are written from a thread that joined
// it, and OVS is reached through its unix sockets. An empty NetNS is the
// caller's own namespace, as on a real node.
//
// # Ownership
//
// The gateway port and its addresses belong to the agent: Setup creates or
// corrects them and removes other global addresses from the gateway. Routes
// are owned by their protocol number (RouteProtocol, "strata" in
// /etc/iproute2/rt_protos terms): the RouteController adds, replaces and
// deletes only routes with that protocol, so it cleans up after a previous
// run and never touches the routes of anyone else. Everything is idempotent
// across agent restarts.
package nodenet
