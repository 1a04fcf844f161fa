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

package seed

import (
	"context"
	"testing"
)

// systemTiers are the six system Tiers by priority, as the article lists them.
var systemTiers = [][]string{
	{"emergency", "50"}, {"securityops", "100"}, {"networkops", "150"},
	{"platform", "200"}, {"application", "250"}, {"baseline", "253"},
}

// tiers is the walkthrough's section 2 (steps 2.1-2.2): the system Tiers and a
// Tier of one's own, through the legacy API group of the article.
func (w *walk) tiers(ctx context.Context, t *testing.T) {
	w.run(t, "2.1", func(t *testing.T) {
		expectTiers(ctx, t, systemTiers)
	})
	w.run(t, "2.2", func(t *testing.T) {
		kubectlPrints(ctx, t, []string{"tier.security.antrea.tanzu.vmware.com/mytier created"},
			"apply", "-f", manifest("mytier.yaml"))
		expectTiers(ctx, t, append([][]string{{"mytier", "10"}}, systemTiers...))
	})
}
