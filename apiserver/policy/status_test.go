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
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/strata-net/strata/apis/controlplane"
	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
)

func TestAggregate(t *testing.T) {
	obs := observed{generation: 2, span: sets.New("n1", "n2", "n3")}
	report := func(node string, gen int64, failure bool) controlplane.NetworkPolicyNodeStatus {
		return controlplane.NetworkPolicyNodeStatus{NodeName: node, Generation: gen, RealizationFailure: failure, Message: "ovs said no"}
	}
	cases := []struct {
		name             string
		obs              observed
		reports          []controlplane.NetworkPolicyNodeStatus
		phase            crdv1beta1.NetworkPolicyPhase
		current, desired int32
		failureCondition bool
		realizable       string // Realizable's reason when False; "" when True
	}{
		{name: "no reports yet", obs: obs, phase: crdv1beta1.NetworkPolicyRealizing, desired: 3},
		{name: "all nodes realized", obs: obs, reports: []controlplane.NetworkPolicyNodeStatus{report("n1", 2, false), report("n2", 2, false), report("n3", 2, false)},
			phase: crdv1beta1.NetworkPolicyRealized, current: 3, desired: 3},
		{name: "an old generation does not count", obs: obs, reports: []controlplane.NetworkPolicyNodeStatus{report("n1", 2, false), report("n2", 1, false), report("n3", 2, false)},
			phase: crdv1beta1.NetworkPolicyRealizing, current: 2, desired: 3},
		{name: "a node outside the span does not count", obs: obs, reports: []controlplane.NetworkPolicyNodeStatus{report("n9", 2, false)},
			phase: crdv1beta1.NetworkPolicyRealizing, current: 0, desired: 3},
		{name: "failures on the rest", obs: obs, reports: []controlplane.NetworkPolicyNodeStatus{report("n1", 2, false), report("n2", 2, true), report("n3", 2, true)},
			phase: crdv1beta1.NetworkPolicyFailed, current: 1, desired: 3, failureCondition: true, realizable: reasonRealizationFailed},
		{name: "empty span is realized", obs: observed{generation: 1, span: sets.New[string]()},
			phase: crdv1beta1.NetworkPolicyRealized},
		{name: "an issue: failed and not realizable even when every Node realized it",
			obs:     observed{generation: 2, span: sets.New("n1"), issues: []Issue{{Reason: reasonUnsupportedField, Message: "spec.ingress[0].l7Protocols: Forbidden"}}},
			reports: []controlplane.NetworkPolicyNodeStatus{report("n1", 2, false)},
			phase:   crdv1beta1.NetworkPolicyFailed, current: 1, desired: 1, realizable: reasonUnsupportedField},
		{name: "held for its Tier: pending, not realizable",
			obs:   observed{generation: 1, span: sets.New[string](), waitingForTier: true, issues: []Issue{{Reason: reasonTierNotFound, Message: "Tier"}}},
			phase: crdv1beta1.NetworkPolicyPending, realizable: reasonTierNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := aggregate(tc.obs, tc.reports)
			if st.Phase != tc.phase || st.CurrentNodesRealized != tc.current || st.DesiredNodesRealized != tc.desired || st.ObservedGeneration != tc.obs.generation {
				t.Fatalf("status %+v", st)
			}
			hasFailure := len(st.Conditions) == 2 && st.Conditions[1].Reason == reasonRealizationFailed &&
				strings.HasPrefix(st.Conditions[1].Message, "Failed Nodes count 2: ")
			r := st.Conditions[0]
			if r.Type != crdv1beta1.NetworkPolicyConditionRealizable || (tc.realizable == "") != (r.Status == metav1.ConditionTrue) ||
				r.Reason != tc.realizable {
				t.Fatalf("Realizable condition %+v, want reason %q", r, tc.realizable)
			}
			if hasFailure != tc.failureCondition {
				t.Fatalf("conditions %+v", st.Conditions)
			}
		})
	}
}

type fakeStatusClient struct {
	policy  *crdv1beta1.ClusterNetworkPolicy
	updates int
}

func (f *fakeStatusClient) UpdateStatus(_ context.Context, _ controlplane.NetworkPolicyReference,
	update func(types.UID, *crdv1beta1.NetworkPolicyStatus) bool) error {
	p := f.policy.DeepCopy()
	if update(p.UID, &p.Status) {
		f.policy = p
		f.updates++
	}
	return nil
}

func TestStatusWrittenOnlyOnChange(t *testing.T) {
	client := &fakeStatusClient{policy: &crdv1beta1.ClusterNetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "acnp1", UID: "u1"}}}
	a := NewStatusAggregator(client)
	np := &controlplane.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "u1", Generation: 1},
		SourceRef: &controlplane.NetworkPolicyReference{Type: controlplane.AntreaClusterNetworkPolicy, Name: "acnp1", UID: "u1"}}
	a.Observe(np, sets.New("n1"))
	ctx := context.Background()
	if err := a.sync(ctx, "u1"); err != nil || client.updates != 1 || client.policy.Status.Phase != crdv1beta1.NetworkPolicyRealizing {
		t.Fatalf("first sync: %v, %d updates, %+v", err, client.updates, client.policy.Status)
	}
	if err := a.sync(ctx, "u1"); err != nil || client.updates != 1 {
		t.Fatalf("an unchanged status was written again (%d updates, %v)", client.updates, err)
	}
	if err := a.ReportStatus(ctx, &controlplane.NetworkPolicyStatus{ObjectMeta: metav1.ObjectMeta{Name: "u1"},
		Nodes: []controlplane.NetworkPolicyNodeStatus{{NodeName: "n1", Generation: 1}}}); err != nil {
		t.Fatal(err)
	}
	if err := a.sync(ctx, "u1"); err != nil || client.policy.Status.CurrentNodesRealized != 1 || client.policy.Status.Phase != crdv1beta1.NetworkPolicyRealized {
		t.Fatalf("after the report: %v %+v", err, client.policy.Status)
	}
	if err := a.ReportStatus(ctx, &controlplane.NetworkPolicyStatus{ObjectMeta: metav1.ObjectMeta{Name: "unknown"}}); err == nil {
		t.Fatal("a report for an unknown policy was accepted")
	}
}
