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

package group

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
	a, b := validGroup("grp-a"), validGroup("grp-b")
	a.CreationTimestamp, a.ResourceVersion, b.CreationTimestamp = created, "42", created
	list := &crd.GroupList{ListMeta: metav1.ListMeta{ResourceVersion: "43"}, Items: []crd.Group{*a, *b}}
	tests := []struct {
		name        string
		obj         runtime.Object
		opts        runtime.Object
		wantColumns []string
		wantCells   [][]any
		wantMeta    metav1.ListMeta
	}{
		{name: "one group", obj: a, wantColumns: []string{"Name", "Age"}, wantCells: [][]any{{"grp-a", "30d"}}, wantMeta: metav1.ListMeta{ResourceVersion: "42"}},
		{name: "list", obj: list, wantColumns: []string{"Name", "Age"}, wantCells: [][]any{{"grp-a", "30d"}, {"grp-b", "30d"}}, wantMeta: metav1.ListMeta{ResourceVersion: "43"}},
		{name: "no headers", obj: a, opts: &metav1.TableOptions{NoHeaders: true}, wantCells: [][]any{{"grp-a", "30d"}}, wantMeta: metav1.ListMeta{ResourceVersion: "42"}},
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
				assert.IsType(t, &crd.Group{}, row.Object.Object)
			}
			assert.Equal(t, tc.wantCells, cells)
			assert.Equal(t, tc.wantMeta, table.ListMeta)
		})
	}
}
