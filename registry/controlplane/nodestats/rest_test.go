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

package nodestats

import (
	"context"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/strata-net/strata/apis/controlplane"
	statsv1alpha1 "github.com/strata-net/strata/apis/stats/v1alpha1"
)

type recorder struct {
	got []*controlplane.NodeStatsSummary
}

func (r *recorder) Collect(s *controlplane.NodeStatsSummary) { r.got = append(r.got, s) }

func policyStats(uid string, packets int64, rules ...statsv1alpha1.RuleTrafficStats) controlplane.NetworkPolicyStats {
	return controlplane.NetworkPolicyStats{NetworkPolicy: controlplane.NetworkPolicyReference{Name: "p", UID: types.UID("u" + uid)},
		TrafficStats: statsv1alpha1.TrafficStats{Packets: packets}, RuleTrafficStats: rules}
}

func TestCreate(t *testing.T) {
	meta := metav1.ObjectMeta{Name: "n1"}
	for _, tc := range []struct {
		name  string
		in    *controlplane.NodeStatsSummary
		field string // of a 422; "" is a success
	}{
		{"a summary", &controlplane.NodeStatsSummary{ObjectMeta: meta,
			AntreaClusterNetworkPolicies: []controlplane.NetworkPolicyStats{policyStats("1", 3)}}, ""},
		{"no Node", &controlplane.NodeStatsSummary{}, "metadata.name"},
		{"a policy without UID", &controlplane.NodeStatsSummary{ObjectMeta: meta,
			NetworkPolicies: []controlplane.NetworkPolicyStats{{}}}, "networkPolicies[0].networkPolicy.uid"},
		{"negative packets", &controlplane.NodeStatsSummary{ObjectMeta: meta,
			AntreaNetworkPolicies: []controlplane.NetworkPolicyStats{policyStats("1", -1)}}, "antreaNetworkPolicies[0].trafficStats.packets"},
		{"a rule's negative bytes", &controlplane.NodeStatsSummary{ObjectMeta: meta,
			AntreaClusterNetworkPolicies: []controlplane.NetworkPolicyStats{policyStats("1", 1,
				statsv1alpha1.RuleTrafficStats{Name: "r", TrafficStats: statsv1alpha1.TrafficStats{Bytes: -5}})}},
			"antreaClusterNetworkPolicies[0].ruleTrafficStats[0].trafficStats.bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &recorder{}
			_, err := NewREST(r).Create(context.Background(), tc.in, nil, &metav1.CreateOptions{})
			if tc.field == "" {
				if err != nil || len(r.got) != 1 {
					t.Fatalf("Create: %v, collected %d", err, len(r.got))
				}
				return
			}
			status, ok := err.(apierrors.APIStatus)
			if !apierrors.IsInvalid(err) || !ok || status.Status().Details.Causes[0].Field != tc.field {
				t.Fatalf("Create: %v, want a 422 on %s", err, tc.field)
			}
			if len(r.got) != 0 {
				t.Fatalf("an invalid summary was collected")
			}
		})
	}
}
