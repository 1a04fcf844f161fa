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

// +k8s:openapi-gen=true
// +k8s:deepcopy-gen=package
// +groupName=stats.antrea.io
// +k8s:openapi-model-package=io.antrea.stats.v1alpha1

// Package v1alpha1 is the v1alpha1 version of the stats.antrea.io API group, as
// Antrea serves it: per policy and per rule, the sessions, packets and bytes the
// rules' Open vSwitch flows counted on every Node, summed by strata-apiserver from
// the agents' reports (controlplane.antrea.io nodestatssummaries). Read-only,
// in memory: the counts start when strata-apiserver starts (creationTimestamp).
// Strata adds lastHit to each rule's stats (dead rules: stratactl get stats).
package v1alpha1
