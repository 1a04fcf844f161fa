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

// Package networkpolicy is the REST storage of controlplane.antrea.io/networkpolicies,
// a thin read-only adapter over the in-memory store of registry/controlplane/store,
// and of networkpolicies/status, where node agents report how they realized a
// policy.
//
// Contract:
//   - cluster-scoped; get, list and watch; the name is the UID of the source policy;
//   - get by name ignores the span and returns NotFound for an unknown name;
//   - list and watch honour the label selector and the field selectors nodeName
//     (the policies a Node needs) and metadata.name; any other field selector is a
//     BadRequest;
//   - watch follows the store's protocol: the current state as ADDED, a BOOKMARK,
//     then ADDED / MODIFIED (the full policy) / DELETED (name, uid, generation,
//     sourceRef) per Node;
//   - POST networkpolicies/NAME/status takes a NetworkPolicyStatus whose name is
//     NAME and whose nodes each name a Node; it is validated and handed to a
//     StatusReporter (the policy computation), and answered with a Success Status;
//   - kubectl shows NAME SOURCE TIER-PRIORITY PRIORITY RULES NODES AGE.
package networkpolicy
