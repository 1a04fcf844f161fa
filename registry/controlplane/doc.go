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

// Package controlplane wires the computed controlplane.antrea.io API: the stores the
// policy computation writes (Stores) and the REST storage strata-apiserver serves
// from them (Storage), resource by resource:
//
//	networkpolicies         networkpolicy.REST        get, list, watch
//	networkpolicies/status  networkpolicy.StatusREST  create (POST by node agents)
//	addressgroups           addressgroup.REST         get, list, watch
//	appliedtogroups         appliedtogroup.REST       get, list, watch
//
// The stores and the watch protocol live in the store package; the REST packages
// are thin adapters over it.
package controlplane
