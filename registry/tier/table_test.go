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

package tier

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

func columnNames(table *metav1.Table) []string {
	var names []string
	for _, c := range table.ColumnDefinitions {
		names = append(names, c.Name)
		if c.Description == "" {
			panic("column " + c.Name + " has no description")
		}
	}
	return names
}

func TestConvertToTable(t *testing.T) {
	created := metav1.NewTime(time.Now().Add(-30 * 24 * time.Hour))
	emergency := newTier("emergency", 50)
	emergency.CreationTimestamp = created
	emergency.ResourceVersion = "42"
	platform := newTier("platform", 200)
	platform.CreationTimestamp = created
	list := &crd.TierList{
		ListMeta: metav1.ListMeta{ResourceVersion: "43", Continue: "next", RemainingItemCount: new(int64(3))},
		Items:    []crd.Tier{*emergency, *platform},
	}

	tests := []struct {
		name        string
		obj         runtime.Object
		opts        runtime.Object
		wantColumns []string
		wantCells   [][]any
		wantMeta    metav1.ListMeta
	}{
		{
			name:        "one tier",
			obj:         emergency,
			wantColumns: []string{"Name", "Priority", "Age"},
			wantCells:   [][]any{{"emergency", int32(50), "30d"}},
			wantMeta:    metav1.ListMeta{ResourceVersion: "42"},
		},
		{
			name:        "list",
			obj:         list,
			wantColumns: []string{"Name", "Priority", "Age"},
			wantCells:   [][]any{{"emergency", int32(50), "30d"}, {"platform", int32(200), "30d"}},
			wantMeta:    metav1.ListMeta{ResourceVersion: "43", Continue: "next", RemainingItemCount: new(int64(3))},
		},
		{
			name:      "no headers",
			obj:       emergency,
			opts:      &metav1.TableOptions{NoHeaders: true},
			wantCells: [][]any{{"emergency", int32(50), "30d"}},
			wantMeta:  metav1.ListMeta{ResourceVersion: "42"},
		},
		{
			name:        "empty list",
			obj:         &crd.TierList{ListMeta: metav1.ListMeta{ResourceVersion: "7"}},
			wantColumns: []string{"Name", "Priority", "Age"},
			wantMeta:    metav1.ListMeta{ResourceVersion: "7"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			table, err := tableConvertor.ConvertToTable(context.Background(), tc.obj, tc.opts)
			require.NoError(t, err)
			assert.Equal(t, tc.wantColumns, columnNames(table))
			var cells [][]any
			for _, row := range table.Rows {
				cells = append(cells, row.Cells)
				assert.IsType(t, &crd.Tier{}, row.Object.Object)
			}
			assert.Equal(t, tc.wantCells, cells)
			assert.Equal(t, tc.wantMeta, table.ListMeta)
		})
	}
}

func TestConvertToTableRejectsOtherKinds(t *testing.T) {
	_, err := tableConvertor.ConvertToTable(context.Background(), &crd.ClusterGroup{}, nil)
	assert.Error(t, err)
	_, err = tableConvertor.ConvertToTable(context.Background(), &crd.ClusterGroupList{Items: []crd.ClusterGroup{{}}}, nil)
	assert.Error(t, err)
}
