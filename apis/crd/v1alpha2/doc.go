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
// +k8s:conversion-gen=github.com/strata-net/strata/apis/crd
// +k8s:defaulter-gen=TypeMeta
// +groupName=crd.antrea.io
// +k8s:openapi-model-package=io.antrea.crd.v1alpha2

// Package v1alpha2 is the v1alpha2 version of the crd.antrea.io API group: ClusterGroup
// with the deprecated singular ipBlock field, which is converted into ipBlocks.
package v1alpha2
