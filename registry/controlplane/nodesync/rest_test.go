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

package nodesync

import (
	"context"
	"errors"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/apis/controlplane/v1beta2"
)

type recorder struct{ got []string }

// ReportSync takes epoch e1, fails to forward e2 (etcd unreachable), and does
// not take any other.
func (r *recorder) ReportSync(_ context.Context, node, epoch string, np, ag, atg int64) (bool, error) {
	switch epoch {
	case "e1":
		r.got = append(r.got, node)
		return true, nil
	case "e2":
		return false, errors.New("etcd unreachable")
	}
	return false, nil
}

func epochMeta(name, epoch string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Annotations: map[string]string{v1beta2.ServerEpochAnnotation: epoch}}
}

func TestCreate(t *testing.T) {
	tests := []struct {
		name     string
		in       *controlplane.NodeSyncReport
		dryRun   bool
		conflict bool   // a 409: not this server's numbering
		internal bool   // a 500: the report could not be forwarded
		field    string // of a 422; "" is a success
	}{
		{name: "a report", in: &controlplane.NodeSyncReport{ObjectMeta: epochMeta("n1", "e1"), NetworkPolicies: 3, AddressGroups: 4}},
		{name: "dry run records nothing", in: &controlplane.NodeSyncReport{ObjectMeta: epochMeta("n1", "e1")}, dryRun: true},
		{name: "another server's epoch", in: &controlplane.NodeSyncReport{ObjectMeta: epochMeta("n1", "e0")}, conflict: true},
		{name: "another replica's epoch, not forwarded", in: &controlplane.NodeSyncReport{ObjectMeta: epochMeta("n1", "e2")}, internal: true},
		{name: "no Node", in: &controlplane.NodeSyncReport{}, field: "metadata.name"},
		{name: "a negative resourceVersion", in: &controlplane.NodeSyncReport{ObjectMeta: metav1.ObjectMeta{Name: "n1"}, AppliedToGroups: -1},
			field: "appliedToGroups"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{}
			opts := &metav1.CreateOptions{}
			if tt.dryRun {
				opts.DryRun = []string{metav1.DryRunAll}
			}
			_, err := NewREST(r).Create(context.Background(), tt.in, nil, opts)
			if tt.conflict {
				if !apierrors.IsConflict(err) || len(r.got) != 0 {
					t.Fatalf("Create: %v (recorded %v), want a 409 and nothing recorded", err, r.got)
				}
				return
			}
			if tt.internal {
				if !apierrors.IsInternalError(err) || len(r.got) != 0 {
					t.Fatalf("Create: %v (recorded %v), want a 500 and nothing recorded", err, r.got)
				}
				return
			}
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Create: %v", err)
				}
				if want := !tt.dryRun; (len(r.got) == 1) != want {
					t.Fatalf("recorded %v, want a record: %v", r.got, want)
				}
				return
			}
			status, ok := err.(apierrors.APIStatus)
			if !apierrors.IsInvalid(err) || !ok || status.Status().Details.Causes[0].Field != tt.field {
				t.Fatalf("Create: %v, want a 422 on %s", err, tt.field)
			}
			if len(r.got) != 0 {
				t.Fatalf("an invalid report was recorded: %v", r.got)
			}
		})
	}
}
