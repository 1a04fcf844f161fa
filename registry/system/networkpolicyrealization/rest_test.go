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

package networkpolicyrealization

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"

	systemv1beta1 "github.com/strata-net/strata/apis/system/v1beta1"
)

type fakeReporter map[string]*systemv1beta1.NetworkPolicyRealization

func (f fakeReporter) Realization(name string) (*systemv1beta1.NetworkPolicyRealization, bool) {
	r, ok := f[name]
	return r, ok
}

func (f fakeReporter) Realizations() []*systemv1beta1.NetworkPolicyRealization {
	return []*systemv1beta1.NetworkPolicyRealization{f["u1"], f["u2"]}
}

func TestREST(t *testing.T) {
	ctx := context.Background()
	r := NewREST(fakeReporter{
		"u1": {ObjectMeta: metav1.ObjectMeta{Name: "u1"}, Generation: 3,
			SourceRef: systemv1beta1.PolicyReference{Type: "AntreaClusterNetworkPolicy", Name: "a", UID: "u1"},
			Nodes: []systemv1beta1.NodeRealization{{NodeName: "n1", State: "Realized"}, {NodeName: "n2", State: "Failed"},
				{NodeName: "n3", State: "Pending"}, {NodeName: "n4", State: "Realized"}}},
		"u2": {ObjectMeta: metav1.ObjectMeta{Name: "u2"}, Generation: 1,
			SourceRef: systemv1beta1.PolicyReference{Type: "AntreaNetworkPolicy", Namespace: "ns", Name: "b", UID: "u2"}},
	})
	for _, tc := range []struct {
		name     string
		fieldSel string
		want     [][]any
		wantErr  bool
	}{
		{name: "all", want: [][]any{{"u1", "AntreaClusterNetworkPolicy:a", int64(3), int64(4), int64(2), int64(1), int64(1)},
			{"u2", "AntreaNetworkPolicy:ns/b", int64(1), int64(0), int64(0), int64(0), int64(0)}}},
		{name: "by name", fieldSel: "metadata.name=u2",
			want: [][]any{{"u2", "AntreaNetworkPolicy:ns/b", int64(1), int64(0), int64(0), int64(0), int64(0)}}},
		{name: "unsupported field", fieldSel: "spec.x=y", wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := &metainternalversion.ListOptions{}
			if tc.fieldSel != "" {
				opts.FieldSelector = fields.ParseSelectorOrDie(tc.fieldSel)
			}
			list, err := r.List(ctx, opts)
			if tc.wantErr {
				assert.True(t, apierrors.IsBadRequest(err), "%v", err)
				return
			}
			require.NoError(t, err)
			table, err := r.ConvertToTable(ctx, list, nil)
			require.NoError(t, err)
			var got [][]any
			for _, row := range table.Rows {
				got = append(got, row.Cells)
			}
			assert.Equal(t, tc.want, got)
		})
	}
	_, err := r.Get(ctx, "nope", nil)
	assert.True(t, apierrors.IsNotFound(err), "%v", err)
	obj, err := r.Get(ctx, "u1", nil)
	require.NoError(t, err)
	assert.Equal(t, "u1", obj.(*systemv1beta1.NetworkPolicyRealization).Name)
}

// TestCellsOfUpstreamPolicy: an upstream ClusterNetworkPolicy shows as
// K8sClusterNetworkPolicy:NAME.
func TestCellsOfUpstreamPolicy(t *testing.T) {
	r := &systemv1beta1.NetworkPolicyRealization{ObjectMeta: metav1.ObjectMeta{Name: "c1"}, Generation: 2,
		SourceRef: systemv1beta1.PolicyReference{Type: "K8sClusterNetworkPolicy", Name: "admin-deny", UID: "c1"},
		Nodes:     []systemv1beta1.NodeRealization{{NodeName: "n1", State: "Realized"}, {NodeName: "n2", State: "Pending"}}}
	assert.Equal(t, []any{"c1", "K8sClusterNetworkPolicy:admin-deny", int64(2), int64(2), int64(1), int64(0), int64(1)}, cells(r))
}
