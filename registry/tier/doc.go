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

// Package tier is the REST storage of Tiers (crd.antrea.io/tiers, and the legacy
// security.antrea.tanzu.vmware.com/tiers over the same etcd keys).
//
// Contract:
//   - Tiers are cluster-scoped and have no status;
//   - create sets metadata.generation to 1; an update bumps it only when the spec
//     changes;
//   - create and update are validated by apis/crd/validation (ValidateTier,
//     ValidateTierUpdate: priority range and reserved values, immutable priority);
//     the rules that read other objects (unique priority, at most 20 Tiers, system
//     Tiers and Tiers in use are not deleted) are admission plugins;
//   - an update must carry the resourceVersion it read (no unconditional update);
//   - kubectl shows NAME PRIORITY AGE; the short name is tr (ltr for the legacy group);
//   - the field selector metadata.name is supported.
package tier
