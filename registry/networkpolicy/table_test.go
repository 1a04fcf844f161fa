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
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/strata-net/strata/apis/crd"
)

func TestConvertToTable(t *testing.T) {
	created := metav1.NewTime(time.Now().Add(-30 * 24 * time.Hour))
	a := validPolicy("annp-a")
	a.CreationTimestamp, a.ResourceVersion, a.Status = created, "42", realized(2)
	b := validPolicy("annp-b")
	b.CreationTimestamp, b.Spec.Tier, b.Spec.Priority = created, "application", 2.5
	list := &crd.NetworkPolicyList{
		ListMeta: metav1.ListMeta{ResourceVersion: "43", Continue: "next"},
		Items:    []crd.NetworkPolicy{*a, *b},
	}
	columns := []string{"Name", "Tier", "Priority", "Desired Nodes", "Current Nodes", "Age"}
	rowA := []any{"annp-a", "securityops", float64(5), int32(2), int32(2), "30d"}
	rowB := []any{"annp-b", "application", 2.5, int32(0), int32(0), "30d"}

	tests := []struct {
		name        string
		obj         runtime.Object
		opts        runtime.Object
		wantColumns []string
		wantCells   [][]any
		wantMeta    metav1.ListMeta
	}{
		{name: "one policy realized on 2 of 2 Nodes", obj: a, wantColumns: columns, wantCells: [][]any{rowA}, wantMeta: metav1.ListMeta{ResourceVersion: "42"}},
		{name: "list", obj: list, wantColumns: columns, wantCells: [][]any{rowA, rowB}, wantMeta: metav1.ListMeta{ResourceVersion: "43", Continue: "next"}},
		{name: "no headers", obj: list, opts: &metav1.TableOptions{NoHeaders: true}, wantCells: [][]any{rowA, rowB}, wantMeta: metav1.ListMeta{ResourceVersion: "43", Continue: "next"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			table, err := tableConvertor.ConvertToTable(context.Background(), tc.obj, tc.opts)
			require.NoError(t, err)
			var names []string
			for _, c := range table.ColumnDefinitions {
				names = append(names, c.Name)
				assert.NotEmpty(t, c.Description, c.Name)
			}
			assert.Equal(t, tc.wantColumns, names)
			var cells [][]any
			for _, row := range table.Rows {
				cells = append(cells, row.Cells)
				assert.IsType(t, &crd.NetworkPolicy{}, row.Object.Object)
			}
			assert.Equal(t, tc.wantCells, cells)
			assert.Equal(t, tc.wantMeta, table.ListMeta)
		})
	}
}

func TestColumnTypes(t *testing.T) {
	want := map[string]string{"Name": "string", "Tier": "string", "Priority": "number", "Desired Nodes": "integer", "Current Nodes": "integer", "Age": "date"}
	for _, c := range tableConvertor.Columns {
		assert.Equal(t, want[c.Name], c.Type, c.Name)
	}
}
