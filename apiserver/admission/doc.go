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

// Package admission holds strata-apiserver's admission plugins for the policy
// resources. They read the caches (listers and indexers) of the server's own
// informers (fed through the loopback client), never live GETs:
//
//   - StrataPolicyDefaults (mutating): spec.tier defaults to "application"; unnamed
//     rules get "<ingress|egress>-<action>-<first 7 hex of sha1 of the rule>".
//   - StrataTiers (validating): at most 20 Tiers, unique priorities; system Tiers and
//     Tiers still referenced by policies (ClusterNetworkPolicies and Antrea
//     NetworkPolicies) cannot be deleted.
//   - StrataPolicyTier (validating): a policy's Tier must exist.
//   - StrataClusterGroups (validating): one level of childGroups nesting; deleting a
//     referenced ClusterGroup is allowed with a warning naming its referrers.
//   - StrataGroups (validating): the same for the namespaced Groups, within their
//     Namespace: childGroups are Groups of the same Namespace, and the referrers are
//     the Antrea NetworkPolicies and Groups of that Namespace. Both plugins are one
//     implementation (groupNesting) configured per scope (groupplugins.go).
//
// Refusals are 403 Forbidden whose causes carry the field path. The plugins apply
// to the crd.antrea.io resources and to the same objects served through the legacy
// security.antrea.tanzu.vmware.com group. Behind kube-apiserver the generic
// NamespaceLifecycle plugin runs first and refuses Antrea NetworkPolicies and
// Groups in a Namespace that does not exist or is terminating.
package admission
