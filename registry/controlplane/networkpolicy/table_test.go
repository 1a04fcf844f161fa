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

	"github.com/strata-net/strata/apis/controlplane"
)

func TestConvertToTable(t *testing.T) {
	r, _ := newTestREST(t)
	aged := np1.DeepCopy()
	aged.CreationTimestamp = metav1.NewTime(time.Now().Add(-3 * 24 * time.Hour))
	k8sNP := &controlplane.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "uid-k8s"},
		SourceRef:  &controlplane.NetworkPolicyReference{Type: controlplane.K8sNetworkPolicy, Namespace: "ns1", Name: "deny"},
	}
	tests := []struct {
		name      string
		obj       runtime.Object
		wantCells [][]any
	}{
		{
			name:      "Antrea-native policy in the store",
			obj:       aged,
			wantCells: [][]any{{"uid-np1", "AntreaClusterNetworkPolicy:np1", int64(250), 5.0, int64(1), int64(1), "3d"}},
		},
		{
			name:      "K8s NetworkPolicy not in the store",
			obj:       k8sNP,
			wantCells: [][]any{{"uid-k8s", "K8sNetworkPolicy:ns1/deny", nil, nil, int64(0), nil, "<unknown>"}},
		},
		{
			name:      "list",
			obj:       &controlplane.NetworkPolicyList{Items: []controlplane.NetworkPolicy{*np2}},
			wantCells: [][]any{{"uid-np2", "AntreaClusterNetworkPolicy:np2", int64(250), 5.0, int64(1), int64(1), "<unknown>"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			table, err := r.ConvertToTable(context.Background(), tc.obj, nil)
			require.NoError(t, err)
			var names []string
			for _, c := range table.ColumnDefinitions {
				names = append(names, c.Name)
				assert.NotEmpty(t, c.Description, c.Name)
			}
			assert.Equal(t, []string{"Name", "Source", "Tier-Priority", "Priority", "Rules", "Nodes", "Age"}, names)
			var cells [][]any
			for _, row := range table.Rows {
				cells = append(cells, row.Cells)
			}
			assert.Equal(t, tc.wantCells, cells)
		})
	}
}
