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

package apiserver

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/wait"
	npav1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"
	npafake "sigs.k8s.io/network-policy-api/pkg/client/clientset/versioned/fake"

	"github.com/strata-net/strata/apis/controlplane"
	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
	"github.com/strata-net/strata/apiserver/cnpstatus"
	"github.com/strata-net/strata/apiserver/policy"
)

// recordingStatusClient records the references it is asked to write.
type recordingStatusClient struct {
	refs []controlplane.NetworkPolicyReference
}

func (r *recordingStatusClient) UpdateStatus(_ context.Context, ref controlplane.NetworkPolicyReference,
	_ func(types.UID, *crdv1beta1.NetworkPolicyStatus) bool) error {
	r.refs = append(r.refs, ref)
	return nil
}

func TestStatusClientsDispatch(t *testing.T) {
	for _, tc := range []struct {
		name        string
		typ         controlplane.NetworkPolicyType
		noUpstream  bool
		antrea, cnp int
		wantErr     string
	}{
		{name: "Antrea ClusterNetworkPolicy", typ: controlplane.AntreaClusterNetworkPolicy, antrea: 1},
		{name: "Antrea NetworkPolicy", typ: controlplane.AntreaNetworkPolicy, antrea: 1},
		{name: "upstream ClusterNetworkPolicy", typ: controlplane.K8sClusterNetworkPolicyType, cnp: 1},
		{name: "upstream ClusterNetworkPolicy without kube-apiserver", typ: controlplane.K8sClusterNetworkPolicyType, noUpstream: true,
			wantErr: "no kube-apiserver client"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			antrea, upstream := &recordingStatusClient{}, &recordingStatusClient{}
			c := statusClients{antrea: antrea, upstream: upstream}
			if tc.noUpstream {
				c.upstream = nil
			}
			err := c.UpdateStatus(context.Background(), controlplane.NetworkPolicyReference{Type: tc.typ, Name: "p"}, nil)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Len(t, antrea.refs, tc.antrea)
			assert.Len(t, upstream.refs, tc.cnp)
		})
	}
}

// TestUpstreamConditionsThroughTheAggregator runs the status aggregator over the
// upstream client: a published ClusterNetworkPolicy is Pending, Realized once
// both Nodes of its span reported its generation, and not Accepted with an issue.
func TestUpstreamConditionsThroughTheAggregator(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clientset := npafake.NewSimpleClientset(&npav1beta1.ClusterNetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "cnp1", UID: "u1", Generation: 2}})
	aggregator := policy.NewStatusAggregator(statusClients{antrea: &recordingStatusClient{},
		upstream: cnpstatus.NewClient(clientset.PolicyV1beta1())})
	go aggregator.Run(ctx)
	ref := controlplane.NetworkPolicyReference{Type: controlplane.K8sClusterNetworkPolicyType, Name: "cnp1", UID: "u1"}
	aggregator.Observe(&controlplane.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "u1", Generation: 2}, SourceRef: &ref},
		sets.New("n1", "n2"))
	waitForCondition(ctx, t, clientset, cnpstatus.ConditionRealized, metav1.ConditionFalse, cnpstatus.ReasonPending)
	waitForCondition(ctx, t, clientset, cnpstatus.ConditionAccepted, metav1.ConditionTrue, cnpstatus.ReasonAccepted)
	require.NoError(t, aggregator.ReportStatus(ctx, &controlplane.NetworkPolicyStatus{ObjectMeta: metav1.ObjectMeta{Name: "u1"},
		Nodes: []controlplane.NetworkPolicyNodeStatus{{NodeName: "n1", Generation: 2}, {NodeName: "n2", Generation: 2}}}))
	got := waitForCondition(ctx, t, clientset, cnpstatus.ConditionRealized, metav1.ConditionTrue, cnpstatus.ReasonRealized)
	assert.Equal(t, "Realized on 2 of 2 Nodes", got.Message)
	assert.Equal(t, int64(2), got.ObservedGeneration)
	aggregator.PolicyIssues("u1", ref, 2, []policy.Issue{{Reason: "UnsupportedField", Message: "spec.egress[0]: refused"}}, false)
	got = waitForCondition(ctx, t, clientset, cnpstatus.ConditionAccepted, metav1.ConditionFalse, "UnsupportedField")
	assert.Equal(t, "spec.egress[0]: refused", got.Message)
}

// waitForCondition polls the fake ClusterNetworkPolicy cnp1 until its condition of
// type t has status and reason, and returns it.
func waitForCondition(ctx context.Context, t *testing.T, clientset *npafake.Clientset, typ string,
	status metav1.ConditionStatus, reason string) metav1.Condition {
	t.Helper()
	var last []metav1.Condition
	var found metav1.Condition
	err := wait.PollUntilContextTimeout(ctx, 10*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		p, err := clientset.PolicyV1beta1().ClusterNetworkPolicies().Get(ctx, "cnp1", metav1.GetOptions{})
		if err != nil {
			return false, fmt.Errorf("reading cnp1: %w", err)
		}
		last = p.Status.Conditions
		c := meta.FindStatusCondition(p.Status.Conditions, typ)
		if c == nil || c.Status != status || c.Reason != reason {
			return false, nil
		}
		found = *c
		return true, nil
	})
	require.NoError(t, err, "waiting 10s for condition %s=%s (%s) on cnp1; last conditions %+v", typ, status, reason, last)
	return found
}
