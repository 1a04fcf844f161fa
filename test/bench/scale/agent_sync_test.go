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

package scale

import (
	"context"
	"errors"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
)

// answering answers every sync report with err.
type answering struct{ err error }

func (a *answering) ReportSync(context.Context, *v1beta2.NodeSyncReport) error { return a.err }

// sent is one sync report and the answer it gets.
type sent struct {
	epoch    string
	versions [numKinds]int64
	answer   error
}

func TestSyncRecorder(t *testing.T) {
	conflict := apierrors.NewConflict(schema.GroupResource{Group: "controlplane.antrea.io", Resource: "nodesyncreports"}, "n", errors.New("epoch gone"))
	internal := apierrors.NewInternalError(errors.New("forwarding failed"))
	tests := []struct {
		name      string
		reports   []sent
		dead      map[string]bool
		synced    bool
		conflicts map[string]int
		failures  int
	}{
		{name: "nothing reported"},
		{name: "one epoch accepted",
			reports: []sent{{"A", [numKinds]int64{1, 2, 3}, nil}}, synced: true},
		{name: "one epoch accepted, that process killed",
			reports: []sent{{"A", [numKinds]int64{1, 2, 3}, nil}}, dead: map[string]bool{"A": true}},
		{name: "kinds on two replicas, both reports accepted",
			reports: []sent{{"A", [numKinds]int64{1, 0, 3}, nil}, {"B", [numKinds]int64{0, 2, 0}, nil}}, synced: true},
		{name: "kinds on two replicas, one report refused",
			reports:   []sent{{"A", [numKinds]int64{1, 0, 3}, nil}, {"B", [numKinds]int64{0, 2, 0}, conflict}},
			conflicts: map[string]int{"B": 1}},
		{name: "refused, then accepted",
			reports:   []sent{{"A", [numKinds]int64{1, 2, 3}, conflict}, {"A", [numKinds]int64{1, 2, 4}, nil}},
			synced:    true,
			conflicts: map[string]int{"A": 1}},
		{name: "two kinds moved off the killed process, the third not yet",
			reports: []sent{{"A", [numKinds]int64{1, 2, 3}, nil}, {"B", [numKinds]int64{4, 5, 0}, nil}},
			dead:    map[string]bool{"A": true}},
		{name: "every kind moved off the killed process",
			reports: []sent{{"A", [numKinds]int64{1, 2, 3}, nil}, {"B", [numKinds]int64{4, 5, 0}, nil}, {"B", [numKinds]int64{4, 5, 6}, nil}},
			dead:    map[string]bool{"A": true}, synced: true},
		{name: "a later report of the same kind failed",
			reports:  []sent{{"A", [numKinds]int64{1, 2, 3}, nil}, {"A", [numKinds]int64{1, 2, 4}, internal}},
			failures: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inner := &answering{}
			s := &syncRecorder{inner: inner}
			for _, r := range tt.reports {
				inner.err = r.answer
				report := &v1beta2.NodeSyncReport{
					ObjectMeta:      metav1.ObjectMeta{Name: "n", Annotations: map[string]string{v1beta2.ServerEpochAnnotation: r.epoch}},
					NetworkPolicies: r.versions[kindPolicies], AddressGroups: r.versions[kindAddressGroups], AppliedToGroups: r.versions[kindAppliedToGroups]}
				if err := s.ReportSync(context.Background(), report); !errors.Is(err, r.answer) {
					t.Fatalf("ReportSync answered %v, want %v", err, r.answer)
				}
			}
			if got := s.syncedAway(tt.dead); got != tt.synced {
				t.Errorf("syncedAway(%v) = %v, want %v (latest per kind: %+v)", tt.dead, got, tt.synced, s.latest())
			}
			conflicts := map[string]int{}
			failures := s.refusals(conflicts)
			if len(conflicts) != len(tt.conflicts) || failures != tt.failures {
				t.Fatalf("refusals: 409s %v and %d other failures, want %v and %d", conflicts, failures, tt.conflicts, tt.failures)
			}
			for epoch, n := range tt.conflicts {
				if conflicts[epoch] != n {
					t.Errorf("409s of epoch %s: %d, want %d", epoch, conflicts[epoch], n)
				}
			}
		})
	}
}
