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
// +k8s:conversion-gen=github.com/strata-net/strata/apis/controlplane
// +groupName=controlplane.antrea.io
// +k8s:openapi-model-package=io.antrea.controlplane.v1beta2

// Package v1beta2 is the v1beta2 version of the controlplane.antrea.io API group: the
// NetworkPolicies, AddressGroups and AppliedToGroups that strata-apiserver computes
// from the policy resources and serves, read-only and filtered per Node, to the node
// agents, plus the NetworkPolicyStatus that agents report back. It is wire-compatible
// (JSON field names and meaning) with Antrea's controlplane.antrea.io/v1beta2.
package v1beta2
