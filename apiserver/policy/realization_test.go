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

package policy

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/strata-net/strata/apis/controlplane"
	systemv1beta1 "github.com/strata-net/strata/apis/system/v1beta1"
)

func TestRealization(t *testing.T) {
	src := systemv1beta1.PolicyReference{Type: "AntreaClusterNetworkPolicy", Name: "acnp1", UID: "u1"}
	for _, tc := range []struct {
		name    string
		span    []string
		reports []controlplane.NetworkPolicyNodeStatus
		want    []systemv1beta1.NodeRealization
	}{{
		name: "no report yet: every Node of the span pending",
		span: []string{"n2", "n1"},
		want: []systemv1beta1.NodeRealization{{NodeName: "n1", State: "Pending"}, {NodeName: "n2", State: "Pending"}},
	}, {
		name:    "current generation realized, an older one pending",
		span:    []string{"n1", "n2"},
		reports: []controlplane.NetworkPolicyNodeStatus{{NodeName: "n1", Generation: 2}, {NodeName: "n2", Generation: 1}},
		want: []systemv1beta1.NodeRealization{{NodeName: "n1", State: "Realized", ReportedGeneration: 2},
			{NodeName: "n2", State: "Pending", ReportedGeneration: 1}},
	}, {
		name:    "failure with its message",
		span:    []string{"n1"},
		reports: []controlplane.NetworkPolicyNodeStatus{{NodeName: "n1", Generation: 2, RealizationFailure: true, Message: "ovs down"}},
		want:    []systemv1beta1.NodeRealization{{NodeName: "n1", State: "Failed", ReportedGeneration: 2, Message: "ovs down"}},
	}, {
		name:    "a report from a Node outside the span is not shown",
		span:    []string{"n1"},
		reports: []controlplane.NetworkPolicyNodeStatus{{NodeName: "n1", Generation: 2}, {NodeName: "n9", Generation: 2}},
		want:    []systemv1beta1.NodeRealization{{NodeName: "n1", State: "Realized", ReportedGeneration: 2}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			a := NewStatusAggregator(&fakeStatusClient{})
			a.Observe(&controlplane.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "u1", Generation: 2},
				SourceRef: &controlplane.NetworkPolicyReference{Type: controlplane.AntreaClusterNetworkPolicy, Name: "acnp1", UID: "u1"}},
				sets.New(tc.span...))
			if tc.reports != nil {
				require.NoError(t, a.ReportStatus(context.Background(), &controlplane.NetworkPolicyStatus{
					ObjectMeta: metav1.ObjectMeta{Name: "u1"}, Nodes: tc.reports}))
			}
			got, ok := a.Realization("u1")
			require.True(t, ok)
			assert.Equal(t, &systemv1beta1.NetworkPolicyRealization{ObjectMeta: metav1.ObjectMeta{Name: "u1"},
				SourceRef: src, Generation: 2, Nodes: tc.want}, got)
			assert.Equal(t, []*systemv1beta1.NetworkPolicyRealization{got}, a.Realizations())
		})
	}
}

func TestRealizationUnknownAndForgotten(t *testing.T) {
	a := NewStatusAggregator(&fakeStatusClient{})
	_, ok := a.Realization("u1")
	assert.False(t, ok, "unknown policy")
	a.Observe(&controlplane.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "u1"},
		SourceRef: &controlplane.NetworkPolicyReference{Type: controlplane.AntreaClusterNetworkPolicy, Name: "acnp1", UID: "u1"}},
		sets.New("n1"))
	a.Forget("u1")
	_, ok = a.Realization("u1")
	assert.False(t, ok, "forgotten policy")
	assert.Empty(t, a.Realizations())
}

// TestRealizationOfUpstreamPolicy: an upstream ClusterNetworkPolicy
// (policy.networking.k8s.io) is realized like Antrea's, under its own source type.
func TestRealizationOfUpstreamPolicy(t *testing.T) {
	a := NewStatusAggregator(&fakeStatusClient{})
	a.Observe(&controlplane.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "c1", Generation: 4},
		SourceRef: &controlplane.NetworkPolicyReference{Type: controlplane.K8sClusterNetworkPolicyType, Name: "admin-deny", UID: "c1"}},
		sets.New("n1", "n2"))
	require.NoError(t, a.ReportStatus(context.Background(), &controlplane.NetworkPolicyStatus{
		ObjectMeta: metav1.ObjectMeta{Name: "c1"}, Nodes: []controlplane.NetworkPolicyNodeStatus{{NodeName: "n2", Generation: 4}}}))
	got, ok := a.Realization("c1")
	require.True(t, ok)
	assert.Equal(t, &systemv1beta1.NetworkPolicyRealization{ObjectMeta: metav1.ObjectMeta{Name: "c1"},
		SourceRef:  systemv1beta1.PolicyReference{Type: "K8sClusterNetworkPolicy", Name: "admin-deny", UID: "c1"},
		Generation: 4,
		Nodes: []systemv1beta1.NodeRealization{{NodeName: "n1", State: "Pending"},
			{NodeName: "n2", State: "Realized", ReportedGeneration: 4}}}, got)
}
