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

// Package validation holds the pure validation functions of the crd.antrea.io internal
// types. Each returns a field.ErrorList whose errors carry the exact field path
// (spec.ingress[0].from[1].ipBlock.except[0]) and a message written for a cluster
// administrator. They read nothing but their arguments: the rules that need other
// objects (the Tier exists, the Tier is in use, Tier priorities are unique, the
// childGroups hierarchy) are admission plugins of strata-apiserver, which call the
// helpers at the end of tier.go and group.go with what they read from listers.
//
// Where Antrea's documentation and code disagree, these rules follow current Antrea's code:
// referenced ClusterGroups need not exist, and a peer sets exactly one kind of
// selection (ipBlock, group, fqdn, serviceAccount and nodeSelector stand alone).
package validation
