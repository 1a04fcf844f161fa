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

package localcluster

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"

	"github.com/strata-net/strata/apiserver/leader"
)

// TestStatusLease: strata-apiserver, with its ServiceAccount's own rights
// (artifacts/base/rbac.yaml), holds the status Lease in kube-apiserver and renews
// it; policy status is written by that holder (TestCNPStatus and the other status
// tests run behind the same election).
func TestStatusLease(t *testing.T) {
	ctx := ctxT(t)
	var first coordinationv1.Lease
	eventually(ctx, t, 30*time.Second, "the status Lease held", func(ctx context.Context) error {
		getJSON(ctx, t, &first, "-n", leader.DefaultNamespace, "get", "lease", leader.DefaultName)
		if first.Spec.HolderIdentity == nil || !strings.Contains(*first.Spec.HolderIdentity, "_") {
			return fmt.Errorf("holderIdentity %v, want <host>_<uid>", first.Spec.HolderIdentity)
		}
		if first.Spec.RenewTime == nil {
			return fmt.Errorf("no renewTime")
		}
		return nil
	})
	eventually(ctx, t, 30*time.Second, "the status Lease renewed by its holder", func(ctx context.Context) error {
		var l coordinationv1.Lease
		getJSON(ctx, t, &l, "-n", leader.DefaultNamespace, "get", "lease", leader.DefaultName)
		if l.Spec.HolderIdentity == nil || *l.Spec.HolderIdentity != *first.Spec.HolderIdentity {
			return fmt.Errorf("holder changed from %s to %v with one replica", *first.Spec.HolderIdentity, l.Spec.HolderIdentity)
		}
		if l.Spec.RenewTime == nil || !l.Spec.RenewTime.After(first.Spec.RenewTime.Time) {
			return fmt.Errorf("renewTime %v not after %v", l.Spec.RenewTime, first.Spec.RenewTime)
		}
		return nil
	})
}
