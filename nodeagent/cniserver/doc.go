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

// Package cniserver is strata-agent's CNI server: it does the work the thin
// strata-cni plugin forwards over the unix socket (package cni).
//
// ADD (add.go), for a container not attached yet:
//  1. waits (bounded, Config.ReadyTimeout) for the agent's first policy sync,
//     else answers TRY_AGAIN_LATER, so no Pod starts without its policies;
//  2. serialises on the container id;
//  3. allocates one address per Node subnet with host-local's allocator over a
//     store in host-local's on-disk format (ipam.go, ipamstore.go), gateway
//     (first address of the podCIDR) excluded;
//  4. creates the veth from inside the Pod's netns with the host end moved into
//     the host netns, named HostVethName(pod, container id), transmit checksum
//     offload off on both ends (veth.go, ethtool.go); addresses and a default
//     route via the gateway inside the Pod;
//  5. adds the OVS port with podsync's external_ids in one transaction, waits for
//     its ofport (ovsport.go), and has the PortSyncer install the Pod flows
//     before answering;
//  6. answers the result in the config's CNI version (result.go).
//
// Any failure undoes the steps done (rollback.go). A retried ADD of an intact
// attachment answers the same result; a partial one is rebuilt, keeping its
// address.
//
// DEL (del.go) deletes the port and has its flows removed, then the veth, then
// releases the addresses; unknown containers and vanished netns succeed.
// Adding a port waits while ports are being deleted and their flows removed, so
// a freed OpenFlow port number is never matched by a dead Pod's flows.
//
// CHECK (check.go) compares prevResult with the container interface (MAC,
// addresses, routes), the host veth, the OVS port's external_ids and the IPAM
// store. STATUS answers whether ADD would be served now.
//
// Reconcile (reconcile.go) runs at agent start: stale Pod ports go, leaked
// addresses are released. Install (install.go) puts the plugin and its network
// config into the node's CNI directories.
package cniserver
