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

package appliedtogroup

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
	{Name: "Members", Type: "integer", Description: "Number of members of the group (of one Node when listed with a nodeName selector)."},
	{Name: "Nodes", Type: "integer", Description: "Number of Nodes with members (the span of the group)."},
}

// ConvertToTable renders groups as NAME MEMBERS NODES. A patch (from a watch) is
// rendered as the group it leads to.
func (r *REST) ConvertToTable(ctx context.Context, obj, tableOptions runtime.Object) (*metav1.Table, error) {
	if p, ok := obj.(*controlplane.AppliedToGroupPatch); ok {
		obj = &controlplane.AppliedToGroup{ObjectMeta: p.ObjectMeta}
		if g, ok := r.reader.Get(p.Name); ok {
			obj = g.ToAPI("")
		}
	}
	table := storageutil.TableConvertor[*controlplane.AppliedToGroup]{Columns: columns, Cells: r.cells}
	return table.ConvertToTable(ctx, obj, tableOptions)
}

func (r *REST) cells(g *controlplane.AppliedToGroup) []any {
	var nodes any // unknown once the group is gone
	if stored, ok := r.reader.Get(g.Name); ok {
		nodes = int64(stored.Span().Len())
	}
	return []any{g.Name, int64(len(g.GroupMembers)), nodes}
}
