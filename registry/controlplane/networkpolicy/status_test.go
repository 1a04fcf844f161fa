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
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/strata-net/strata/apis/controlplane"
)

// reporterFunc adapts a function to StatusReporter.
type reporterFunc func(ctx context.Context, status *controlplane.NetworkPolicyStatus) error

func (f reporterFunc) ReportStatus(ctx context.Context, status *controlplane.NetworkPolicyStatus) error {
	return f(ctx, status)
}

func report(name string, nodes ...controlplane.NetworkPolicyNodeStatus) *controlplane.NetworkPolicyStatus {
	return &controlplane.NetworkPolicyStatus{ObjectMeta: metav1.ObjectMeta{Name: name}, Nodes: nodes}
}

var node1 = controlplane.NetworkPolicyNodeStatus{NodeName: "node1", Generation: 2}

func TestStatusCreate(t *testing.T) {
	notFound := apierrors.NewNotFound(controlplane.Resource("networkpolicies"), "uid-np1")
	tests := []struct {
		name         string
		obj          runtime.Object
		validation   rest.ValidateObjectFunc
		dryRun       bool
		reporterErr  error
		wantReported bool
		wantErr      func(error) bool
		wantFields   []string // of an Invalid error
	}{
		{name: "valid report", obj: report("uid-np1", node1), wantReported: true},
		{name: "dry run is validated, not reported", obj: report("uid-np1", node1), dryRun: true},
		{name: "not a status", obj: &controlplane.NetworkPolicy{}, wantErr: apierrors.IsBadRequest},
		{name: "name differs from the URL", obj: report("other", node1), wantErr: apierrors.IsInvalid, wantFields: []string{"metadata.name"}},
		{name: "no Nodes", obj: report("uid-np1"), wantErr: apierrors.IsInvalid, wantFields: []string{"nodes"}},
		{
			name:       "Node without name, twice the same Node, negative generation",
			obj:        report("uid-np1", controlplane.NetworkPolicyNodeStatus{}, node1, node1, controlplane.NetworkPolicyNodeStatus{NodeName: "node2", Generation: -1}),
			wantErr:    apierrors.IsInvalid,
			wantFields: []string{"nodes[0].nodeName", "nodes[2].nodeName", "nodes[3].generation"},
		},
		{
			name: "admission refuses",
			obj:  report("uid-np1", node1),
			validation: func(context.Context, runtime.Object) error {
				return apierrors.NewForbidden(controlplane.Resource("networkpolicies"), "uid-np1", errors.New("no"))
			},
			wantErr: apierrors.IsForbidden,
		},
		{name: "reporter fails", obj: report("uid-np1", node1), reporterErr: errors.New("boom"), wantReported: true, wantErr: apierrors.IsInternalError},
		{
			name: "reporter returns a wrapped API status", obj: report("uid-np1", node1),
			reporterErr: fmt.Errorf("unknown policy: %w", notFound), wantReported: true, wantErr: apierrors.IsNotFound,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var reported *controlplane.NetworkPolicyStatus
			r := NewStatusREST(reporterFunc(func(_ context.Context, s *controlplane.NetworkPolicyStatus) error {
				reported = s
				return tc.reporterErr
			}))
			opts := &metav1.CreateOptions{}
			if tc.dryRun {
				opts.DryRun = []string{metav1.DryRunAll}
			}
			got, err := r.Create(context.Background(), "uid-np1", tc.obj, tc.validation, opts)
			assert.Equal(t, tc.wantReported, reported != nil, "reported")
			if tc.wantErr != nil {
				require.Error(t, err)
				assert.True(t, tc.wantErr(err), "error %v", err)
				assert.Equal(t, tc.wantFields, invalidFields(err))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, &metav1.Status{Status: metav1.StatusSuccess}, got)
		})
	}
}

func invalidFields(err error) []string {
	var statusErr *apierrors.StatusError
	if !errors.As(err, &statusErr) || !apierrors.IsInvalid(err) {
		return nil
	}
	var out []string
	for _, c := range statusErr.ErrStatus.Details.Causes {
		out = append(out, c.Field)
	}
	return out
}

func TestStatusRESTKinds(t *testing.T) {
	r := NewStatusREST(nil)
	assert.IsType(t, &controlplane.NetworkPolicyStatus{}, r.New())
	r.Destroy()
}
