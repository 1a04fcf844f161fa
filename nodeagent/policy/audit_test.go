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
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
)

// TestAuditModeInCompletedRules: the rules of an audited policy are completed
// with Audit set, and switching the mode gives them other IDs (the agent
// replaces them, and only them), while an enforced policy keeps the IDs it
// had before audit mode existed (Audit false is not part of the hash).
func TestAuditModeInCompletedRules(t *testing.T) {
	enforced := acnp("acnp-web", 2, []string{"atg-web"}, ingress(0, 80), ingress(1, 443))
	audited := enforced.DeepCopy()
	audited.Audit = true
	cases := []struct {
		name      string
		np        *v1beta2.NetworkPolicy
		wantAudit bool
	}{
		{"enforced", enforced, false},
		{"audited", audited, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newTestCache()
			c.replacePolicies([]*v1beta2.NetworkPolicy{tc.np})
			c.upsertGroup(appliedToGroups, groupA(atg("atg-web", pod("ns1", "web-1"))))
			for _, id := range ruleIDsOf(tc.np) {
				rule, state, err := c.completedRule(id)
				require.NoError(t, err)
				require.Equal(t, ruleComplete, state)
				assert.Equal(t, tc.wantAudit, rule.Audit, "rule %s", id)
			}
		})
	}
	enforcedIDs, auditedIDs := ruleIDsOf(enforced), ruleIDsOf(audited)
	for i := range enforcedIDs {
		assert.NotEqual(t, enforcedIDs[i], auditedIDs[i], "rule %d: switching the mode must replace the rule", i)
	}
	again := enforced.DeepCopy()
	assert.Equal(t, enforcedIDs, ruleIDsOf(again), "IDs are stable")
}
