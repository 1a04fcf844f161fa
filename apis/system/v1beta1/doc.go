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
// +groupName=system.antrea.io
// +k8s:openapi-model-package=io.antrea.system.v1beta1

// Package v1beta1 is the v1beta1 version of the system.antrea.io API group: read-only
// objects strata-apiserver computes about itself (ControllerInfo: its version and what
// it serves) and about the realization of policies on Nodes
// (NetworkPolicyRealization). They live in memory, are never stored, and have no
// internal version: the served version is the only one.
package v1beta1
