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

package pipeline

import "github.com/strata-net/strata/nodeagent/types"

// Baseline-tier rules (tier priority 253 and above) are enforced after K8s
// NetworkPolicies: they live in the *DefaultRule tables at priorities
// [10, 180], below the K8s isolation drops (200), so they only apply to
// Pods no K8s NetworkPolicy isolates in that direction. Pass is invalid
// there (ruleShape rejects it).

// assigners hold one priority assigner per direction and rule kind that
// has assigned priorities (K8s rules have fixed ones).
type assigners [2][numKinds]*priorityAssigner

func newAssigners() assigners {
	var a assigners
	for dir := range a {
		a[dir][kindPolicy] = newPolicyAssigner()
		a[dir][kindBaseline] = newBaselineAssigner()
		a[dir][kindAudit] = newAuditAssigner()
	}
	return a
}

// of returns the assigner of a rule, nil for K8s rules.
func (a assigners) of(r *compiledRule) *priorityAssigner {
	if r.kind == kindK8s {
		return nil
	}
	return a[r.dir][r.kind]
}

// prioKey indexes the rules sharing a priority in one assigner.
type prioKey struct {
	dir  direction
	kind ruleKind
	p    types.Priority
}

func keyOf(r *compiledRule) prioKey {
	return prioKey{dir: r.dir, kind: r.kind, p: r.src.Priority()}
}
