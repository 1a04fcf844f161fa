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
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
)

// epochReporter records reports as "epoch:np/ag/atg" and refuses (409) the epochs
// in refuse.
type epochReporter struct {
	mu     sync.Mutex
	got    []string
	refuse map[string]bool
}

func (r *epochReporter) ReportSync(_ context.Context, rep *v1beta2.NodeSyncReport) error {
	epoch := rep.Annotations[v1beta2.ServerEpochAnnotation]
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, fmt.Sprintf("%s:%d/%d/%d", epoch, rep.NetworkPolicies, rep.AddressGroups, rep.AppliedToGroups))
	if r.refuse[epoch] {
		return apierrors.NewConflict(schema.GroupResource{Resource: "nodesyncreports"}, rep.Name, fmt.Errorf("epoch %s", epoch))
	}
	return nil
}

func (r *epochReporter) reports() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

// TestAcksReportPerEpoch checks that a Node whose watches are served by different
// strata-apiservers (kube-apiserver's aggregation picks a replica per request)
// reports each kind in its own server's numbering, one report per epoch, with 0
// for the kinds of other epochs; and that a refused epoch is not retried.
func TestAcksReportPerEpoch(t *testing.T) {
	type bookmark struct {
		k     kind
		rv    int64
		epoch string
	}
	tests := []struct {
		name      string
		bookmarks []bookmark
		refuse    map[string]bool
		want      []string
	}{
		{name: "one server: one report of every kind",
			bookmarks: []bookmark{{kindPolicies, 5, "A"}, {kindAddressGroups, 7, "A"}, {kindAppliedToGroups, 9, "A"}},
			want:      []string{"A:5/7/9"}},
		{name: "two servers: a report each, other kinds 0",
			bookmarks: []bookmark{{kindPolicies, 5, "A"}, {kindAddressGroups, 7, "B"}, {kindAppliedToGroups, 9, "A"}},
			want:      []string{"A:5/0/9", "B:0/7/0"}},
		{name: "three servers",
			bookmarks: []bookmark{{kindPolicies, 5, "A"}, {kindAddressGroups, 7, "B"}, {kindAppliedToGroups, 9, "C"}},
			want:      []string{"A:5/0/0", "B:0/7/0", "C:0/0/9"}},
		{name: "a refused epoch does not stop the others",
			bookmarks: []bookmark{{kindPolicies, 5, "A"}, {kindAddressGroups, 7, "B"}, {kindAppliedToGroups, 9, "B"}},
			refuse:    map[string]bool{"A": true},
			want:      []string{"A:5/0/0", "B:0/7/9"}},
		{name: "a kind moving to another server starts over there",
			bookmarks: []bookmark{{kindPolicies, 50, "A"}, {kindAddressGroups, 7, "A"}, {kindAppliedToGroups, 9, "A"}, {kindPolicies, 3, "B"}},
			want:      []string{"A:0/7/9", "B:3/0/0"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep := &epochReporter{refuse: tc.refuse}
			a := newAcks("n1", rep, nil, Backoff{Initial: time.Millisecond, Max: time.Millisecond})
			for _, b := range tc.bookmarks {
				a.mu.Lock()
				if b.epoch != a.epochs[b.k] {
					a.epochs[b.k], a.acked[b.k], a.sent[b.k] = b.epoch, 0, 0
				}
				a.acked[b.k] = max(a.acked[b.k], b.rv)
				a.mu.Unlock()
			}
			if err := a.reportChanged(context.Background()); err != nil {
				t.Fatalf("reportChanged: %v", err)
			}
			got := rep.reports()
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("reports = %v, want %v", got, tc.want)
			}
			if err := a.reportChanged(context.Background()); err != nil {
				t.Fatalf("second reportChanged: %v", err)
			}
			if got := rep.reports(); len(got) != len(tc.want) {
				t.Fatalf("nothing changed, yet reported again: %v", got[len(tc.want):])
			}
		})
	}
}
