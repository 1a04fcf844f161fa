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

// Package group is the REST storage of Groups (crd.antrea.io/groups, namespaced),
// with their status subresource.
//
// Contract:
//   - Groups live in a Namespace; create sets metadata.generation to 1 and clears the
//     status; an update keeps the stored status and bumps the generation only when
//     the spec changes; an update of the status subresource keeps the stored spec;
//   - create and update are validated by apis/crd/validation (ValidateGroup,
//     ValidateGroupUpdate), the status by ValidateGroupStatus; the childGroups
//     hierarchy is an admission plugin;
//   - an update must carry the resourceVersion it read;
//   - kubectl shows NAME AGE; the short name is grp;
//   - the field selectors metadata.name and metadata.namespace are supported.
package group
