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

package registrytest

import (
	"context"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/strata-net/strata/apis/crd"
	"github.com/strata-net/strata/apis/crd/validation"
)

// FlowStrategy is what FlowEstimateAdmission needs of a policy kind's strategy.
type FlowStrategy interface {
	WarningsOnCreate(ctx context.Context, obj runtime.Object) []string
	Validate(ctx context.Context, obj runtime.Object) field.ErrorList
	WarningsOnUpdate(ctx context.Context, obj, old runtime.Object) []string
	ValidateUpdate(ctx context.Context, obj, old runtime.Object) field.ErrorList
}

// FlowPeer is the peer FlowEstimateAdmission's policies add to their first
// ingress rule: 24 flows per Node for 10.0.0.0/8 minus a /16 and a /24.
func FlowPeer() crd.NetworkPolicyPeer {
	return crd.NetworkPolicyPeer{IPBlock: &crd.IPBlock{CIDR: "10.0.0.0/8", Except: []string{"10.1.0.0/16", "10.2.3.0/24"}}}
}

// FlowEstimateAdmission checks a kind's admission of the flow estimate on create
// and update: policy (its old version old) is estimated at 28 flows per Node (4
// for a selector rule and FlowPeer's 24); newStrategy gives the kind's strategy
// under the limits.
func FlowEstimateAdmission(t *testing.T, newStrategy func(validation.FlowLimits) FlowStrategy, policy, old runtime.Object) {
	t.Helper()
	cases := []struct {
		name        string
		limits      validation.FlowLimits
		wantWarning string
		wantErr     string
	}{
		{"defaults: accepted silently", validation.FlowLimits{}, "", ""},
		{"above the warning: accepted with a warning", validation.FlowLimits{Warning: 27, Limit: 100}, "estimated 28 flows", ""},
		{"at the warning: accepted silently", validation.FlowLimits{Warning: 28, Limit: 100}, "", ""},
		{"above the limit: refused", validation.FlowLimits{Warning: 5, Limit: 27}, "", "spec: Forbidden: the policy needs an estimated 28 flows"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newStrategy(tc.limits)
			ctx := context.Background()
			for op, got := range map[string]struct {
				warnings []string
				errs     error
			}{
				"create": {s.WarningsOnCreate(ctx, policy), s.Validate(ctx, policy).ToAggregate()},
				"update": {s.WarningsOnUpdate(ctx, policy, old), s.ValidateUpdate(ctx, policy, old).ToAggregate()},
			} {
				w := strings.Join(got.warnings, "\n")
				if (w == "") != (tc.wantWarning == "") || !strings.Contains(w, tc.wantWarning) {
					t.Errorf("%s: warnings %q, want %q", op, w, tc.wantWarning)
				}
				if (got.errs == nil) != (tc.wantErr == "") || (got.errs != nil && !strings.Contains(got.errs.Error(), tc.wantErr)) {
					t.Errorf("%s: errors %v, want %q", op, got.errs, tc.wantErr)
				}
			}
		})
	}
}
