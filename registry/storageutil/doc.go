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

// Package storageutil holds what the registry packages of strata-apiserver share:
//
//   - Config, the argument of every NewREST, and its completion rules;
//   - NewAliasRESTOptionsGetter and NewLegacyRESTOptionsGetter, which make the stores
//     of the legacy group security.antrea.tanzu.vmware.com read and write the same etcd
//     keys, with the same codec, as the stores of crd.antrea.io: one object, two groups;
//   - StatusREST, the status subresource of a store, with its own update strategy;
//   - TableConvertor, the kubectl table of internal objects of one kind;
//   - ResetFields, the per-version field sets a strategy resets for server-side apply.
//
// The packages tier, clusternetworkpolicy, clustergroup, networkpolicy and group
// build one genericregistry.Store each from these parts.
package storageutil
