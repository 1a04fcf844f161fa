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

package storageutil

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/strata-net/strata/apis/crd"
)

// PolicyColumns are the columns of ClusterNetworkPolicies and Antrea
// NetworkPolicies: NAME TIER PRIORITY DESIRED NODES CURRENT NODES AGE.
var PolicyColumns = []metav1.TableColumnDefinition{
	NameColumn,
	{Name: "Tier", Type: "string", Description: "The Tier the policy belongs to."},
	{Name: "Priority", Type: "number", Description: "The priority of the policy within its Tier: lower values are enforced first."},
	{Name: "Desired Nodes", Type: "integer", Description: "The number of Nodes that should realize the policy."},
	{Name: "Current Nodes", Type: "integer", Description: "The number of Nodes that realized the current generation of the policy."},
	AgeColumn,
}

// PolicyCells returns the cells of PolicyColumns. The priority stays a float64: JSON
// renders 5 as 5, and 2.5 as 2.5.
func PolicyCells(m *metav1.ObjectMeta, tier string, priority float64, status *crd.NetworkPolicyStatus) []any {
	return []any{m.Name, tier, priority, status.DesiredNodesRealized, status.CurrentNodesRealized, Age(m.CreationTimestamp)}
}
