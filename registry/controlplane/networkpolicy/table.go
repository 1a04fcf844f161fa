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

package networkpolicy

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/registry/storageutil"
)

var _ rest.TableConvertor = &REST{}

var columns = []metav1.TableColumnDefinition{
	storageutil.NameColumn,
	{Name: "Source", Type: "string", Description: "The policy this one was computed from: type:namespace/name."},
	{Name: "Tier-Priority", Type: "integer", Description: "Priority of the policy's Tier; none for K8s NetworkPolicies."},
	{Name: "Priority", Type: "number", Description: "Priority of the policy within its Tier; none for K8s NetworkPolicies."},
	{Name: "Rules", Type: "integer", Description: "Number of rules."},
	{Name: "Nodes", Type: "integer", Description: "Number of Nodes that need the policy (its span)."},
	storageutil.AgeColumn,
}

// ConvertToTable renders policies as NAME SOURCE TIER-PRIORITY PRIORITY RULES NODES
// AGE.
func (r *REST) ConvertToTable(ctx context.Context, obj, tableOptions runtime.Object) (*metav1.Table, error) {
	table := storageutil.TableConvertor[*controlplane.NetworkPolicy]{Columns: columns, Cells: r.cells}
	return table.ConvertToTable(ctx, obj, tableOptions)
}

func (r *REST) cells(p *controlplane.NetworkPolicy) []any {
	var tierPriority, priority, nodes any // none: rendered <none>
	if p.TierPriority != nil {
		tierPriority = int64(*p.TierPriority)
	}
	if p.Priority != nil {
		priority = *p.Priority
	}
	if stored, ok := r.reader.Get(p.Name); ok && stored.Span != nil {
		nodes = int64(stored.Span.Len())
	}
	return []any{p.Name, source(p.SourceRef), tierPriority, priority, int64(len(p.Rules)), nodes, storageutil.Age(p.CreationTimestamp)}
}

// source renders a source reference as type:namespace/name, or type:name for a
// cluster-scoped policy.
func source(ref *controlplane.NetworkPolicyReference) any {
	switch {
	case ref == nil:
		return nil
	case ref.Namespace == "":
		return string(ref.Type) + ":" + ref.Name
	default:
		return string(ref.Type) + ":" + ref.Namespace + "/" + ref.Name
	}
}
