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

// Package appliedtogroup is the read-only REST storage of
// controlplane.antrea.io/appliedtogroups, a thin adapter over the in-memory store of
// registry/controlplane/store.
//
// Contract:
//   - cluster-scoped; get, list and watch only;
//   - get by name ignores the span and returns NotFound for an unknown name;
//   - list and watch honour the label selector and the field selectors nodeName
//     (the groups with members on a Node) and metadata.name; any other field
//     selector is a BadRequest. With nodeName, a group holds only that Node's
//     members; without, all its members;
//   - watch follows the store's protocol: the current state as ADDED, a BOOKMARK,
//     then ADDED / MODIFIED (an AppliedToGroupPatch of the Node's members) /
//     DELETED per Node;
//   - kubectl shows NAME MEMBERS NODES (the Nodes with members).
package appliedtogroup
