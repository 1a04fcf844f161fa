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

// Package cnpstatus writes the status.conditions of upstream ClusterNetworkPolicies
// (policy.networking.k8s.io, sigs.k8s.io/network-policy-api) through
// kube-apiserver. The policy status aggregator computes one Antrea-style status per
// policy (phase, Nodes realized, Realizable and RealizationFailure conditions);
// this package turns it into the two conditions of the upstream object, Accepted
// and Realized (docs/clusternetworkpolicy-status.md), and writes them only when
// they changed.
package cnpstatus
