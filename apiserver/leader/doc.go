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

// Package leader elects the one strata-apiserver replica that writes policy
// status. Every replica computes and serves; only the holder of a
// coordination.k8s.io Lease (client-go leader election) writes the status of
// ClusterNetworkPolicies, Antrea NetworkPolicies and upstream
// ClusterNetworkPolicies.
//
//	Elector.Run(ctx) ──campaign──▶ Lease kube-system/strata-apiserver-status
//	     │ acquired                      ▲ renewed every RetryPeriod
//	     ▼                               │
//	 term ctx (Term() → ctx, true) ──▶ status writers use it for every write
//	     │ renewal fails for RenewDeadline, or ctx ends
//	     ▼
//	 term ctx cancelled, Term() → false: in-flight writes are cancelled and no
//	 new one starts; Run campaigns again.
//
// RenewDeadline < LeaseDuration: a replica stops writing before any other can
// acquire the Lease (the Lease is taken over only LeaseDuration after its last
// observed renewal), so two replicas never write at once while their clocks run
// at the same rate.
package leader
