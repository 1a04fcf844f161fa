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

package addressgroup

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/strata-net/strata/apis/controlplane"
)

func TestConvertToTable(t *testing.T) {
	r, _ := newTestREST(t)
	list, err := r.List(context.Background(), nil)
	require.NoError(t, err)
	tests := []struct {
		name      string
		obj       runtime.Object
		wantCells [][]any
	}{
		{name: "list", obj: list, wantCells: [][]any{{"ag1", int64(2), int64(1)}, {"ag2", int64(1), int64(1)}}},
		{name: "one group", obj: object("ag2", "uid2", pod3), wantCells: [][]any{{"ag2", int64(1), int64(1)}}},
		{
			name:      "a patch is rendered as the group it leads to",
			obj:       &controlplane.AddressGroupPatch{ObjectMeta: metav1.ObjectMeta{Name: "ag1"}},
			wantCells: [][]any{{"ag1", int64(2), int64(1)}},
		},
		{name: "a deleted group has no span", obj: object("gone", "uid"), wantCells: [][]any{{"gone", int64(0), nil}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			table, err := r.ConvertToTable(context.Background(), tc.obj, nil)
			require.NoError(t, err)
			var names []string
			for _, c := range table.ColumnDefinitions {
				names = append(names, c.Name)
			}
			assert.Equal(t, []string{"Name", "Members", "Nodes"}, names)
			var cells [][]any
			for _, row := range table.Rows {
				cells = append(cells, row.Cells)
			}
			assert.Equal(t, tc.wantCells, cells)
		})
	}
}
