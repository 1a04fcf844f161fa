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

// Package clusternetworkpolicy is the REST storage of ClusterNetworkPolicies
// (crd.antrea.io/clusternetworkpolicies, and the legacy
// security.antrea.tanzu.vmware.com/clusternetworkpolicies over the same etcd keys),
// with their status subresource.
//
// Contract:
//   - policies are cluster-scoped; create sets metadata.generation to 1 and clears
//     the status; an update keeps the stored status and bumps the generation only
//     when the spec changes; an update of the status subresource keeps the stored
//     spec (and so the generation);
//   - create and update are validated by apis/crd/validation
//     (ValidateClusterNetworkPolicy, ValidateClusterNetworkPolicyUpdate), the status
//     by ValidatePolicyStatus; the rules that read other objects (the Tier exists)
//     and the defaulting of spec.tier are admission plugins;
//   - an update must carry the resourceVersion it read;
//   - kubectl shows NAME TIER PRIORITY DESIRED NODES CURRENT NODES AGE; the short name
//     is acnp (lacnp for the legacy group);
//   - the field selectors metadata.name and spec.tier are supported, once the server
//     has called AddFieldLabelConversions on its scheme.
package clusternetworkpolicy
