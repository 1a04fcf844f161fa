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

package cnpstatus

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	k8stesting "k8s.io/client-go/testing"
	npav1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"
	"sigs.k8s.io/network-policy-api/pkg/client/clientset/versioned/fake"

	"github.com/strata-net/strata/apis/controlplane"
	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
)

var (
	earlier = metav1.NewTime(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	ref     = controlplane.NetworkPolicyReference{Type: controlplane.K8sClusterNetworkPolicyType, Name: "cnp1", UID: "u1"}
)

func cnp(conds ...metav1.Condition) *npav1beta1.ClusterNetworkPolicy {
	return &npav1beta1.ClusterNetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "cnp1", UID: "u1", Generation: 3},
		Status: npav1beta1.ClusterNetworkPolicyStatus{Conditions: conds}}
}

// at is c with its transition time.
func at(c metav1.Condition, t metav1.Time) metav1.Condition {
	c.LastTransitionTime = t
	return c
}

var (
	realizedTrue   = cond(ConditionRealized, metav1.ConditionTrue, ReasonRealized, "Realized on 2 of 2 Nodes")
	realizedFalse  = cond(ConditionRealized, metav1.ConditionFalse, ReasonPending, "Realized on 1 of 2 Nodes; the others have not reported generation 3 yet")
	otherWriter    = metav1.Condition{Type: "example.com/Programmed", Status: metav1.ConditionTrue, Reason: "Done", LastTransitionTime: earlier}
	statusRealized = antreaStatus(crdv1beta1.NetworkPolicyRealized, 2, 2, realizable(metav1.ConditionTrue, "", ""))
	statusPending  = antreaStatus(crdv1beta1.NetworkPolicyRealizing, 1, 2, realizable(metav1.ConditionTrue, "", ""))
)

func TestClientUpdateStatus(t *testing.T) {
	for _, tc := range []struct {
		name     string
		existing *npav1beta1.ClusterNetworkPolicy // nil: none
		uid      types.UID                        // the UID the aggregator knows
		status   crdv1beta1.NetworkPolicyStatus
		writes   int
		want     []metav1.Condition // the object's conditions; a zero transition time stands for "now"
		wantErr  func(error) bool
	}{{
		name: "first write", existing: cnp(), uid: "u1", status: statusRealized, writes: 1,
		want: []metav1.Condition{acceptedTrue, realizedTrue},
	}, {
		name: "unchanged: no write", existing: cnp(at(acceptedTrue, earlier), at(realizedTrue, earlier)), uid: "u1", status: statusRealized,
		want: []metav1.Condition{at(acceptedTrue, earlier), at(realizedTrue, earlier)},
	}, {
		name:     "Realized turns True: its transition time moves, Accepted's stays",
		existing: cnp(at(acceptedTrue, earlier), at(realizedFalse, earlier)), uid: "u1", status: statusRealized, writes: 1,
		want: []metav1.Condition{at(acceptedTrue, earlier), realizedTrue},
	}, {
		name:     "only the message changes: written, transition time kept",
		existing: cnp(at(acceptedTrue, earlier), at(cond(ConditionRealized, metav1.ConditionFalse, ReasonPending, "Realized on 0 of 2 Nodes; ..."), earlier)),
		uid:      "u1", status: statusPending, writes: 1,
		want: []metav1.Condition{at(acceptedTrue, earlier), at(realizedFalse, earlier)},
	}, {
		name: "another writer's condition is kept", existing: cnp(otherWriter), uid: "u1", status: statusRealized, writes: 1,
		want: []metav1.Condition{otherWriter, acceptedTrue, realizedTrue},
	}, {
		name: "a policy recreated under the same name (another UID): not written", existing: cnp(), uid: "u0", status: statusRealized,
		want: nil,
	}, {
		name: "deleted: NotFound", uid: "u1", status: statusRealized, wantErr: apierrors.IsNotFound,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			var objs []runtime.Object
			if tc.existing != nil {
				objs = append(objs, tc.existing)
			}
			clientset := fake.NewSimpleClientset(objs...)
			r := ref
			r.UID = tc.uid
			err := NewClient(clientset.PolicyV1beta1()).UpdateStatus(context.Background(), r, update(tc.uid, tc.status))
			if tc.wantErr != nil {
				require.True(t, tc.wantErr(err), "error %v", err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.writes, statusWrites(clientset))
			got, err := clientset.PolicyV1beta1().ClusterNetworkPolicies().Get(context.Background(), "cnp1", metav1.GetOptions{})
			require.NoError(t, err)
			assertConditions(t, tc.want, got.Status.Conditions)
		})
	}
}

func TestClientConflict(t *testing.T) {
	clientset := fake.NewSimpleClientset(cnp())
	clientset.PrependReactor("update", "clusternetworkpolicies", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewConflict(schema.GroupResource{Group: "policy.networking.k8s.io", Resource: "clusternetworkpolicies"},
			"cnp1", nil)
	})
	err := NewClient(clientset.PolicyV1beta1()).UpdateStatus(context.Background(), ref, update("u1", statusRealized))
	assert.True(t, apierrors.IsConflict(err), "error %v", err)
}

// update is the aggregator's update function: it fills in want for the policy uid.
func update(uid types.UID, want crdv1beta1.NetworkPolicyStatus) func(types.UID, *crdv1beta1.NetworkPolicyStatus) bool {
	return func(got types.UID, st *crdv1beta1.NetworkPolicyStatus) bool {
		if got != uid {
			return false
		}
		*st = want
		return true
	}
}

func statusWrites(clientset *fake.Clientset) int {
	n := 0
	for _, a := range clientset.Actions() {
		if a.GetVerb() == "update" && a.GetSubresource() == "status" {
			n++
		}
	}
	return n
}

// assertConditions compares conditions; a zero transition time in want stands for
// one set by the write, after earlier.
func assertConditions(t *testing.T, want, got []metav1.Condition) {
	t.Helper()
	require.Len(t, got, len(want), "conditions %+v", got)
	for i := range want {
		w, g := want[i], got[i]
		if w.LastTransitionTime.IsZero() {
			assert.True(t, g.LastTransitionTime.After(earlier.Time), "%s: transition time %v not set by the write", g.Type, g.LastTransitionTime)
			w.LastTransitionTime = g.LastTransitionTime
		}
		assert.Equal(t, w, g)
	}
}
