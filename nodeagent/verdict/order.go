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

package verdict

import (
	"cmp"
	"slices"

	"github.com/strata-net/strata/nodeagent/types"
)

// Stage is the group of tables a rule is installed in, in evaluation order.
type Stage uint8

const (
	// StageTiered holds the rules of Antrea-native tiers below the baseline
	// (and upstream ClusterNetworkPolicy Admin): the AntreaPolicy*Rule tables.
	StageTiered Stage = iota
	// StageK8s holds Kubernetes NetworkPolicy rules: the *Rule tables, and
	// the isolation drops of their Pods in the *DefaultRule tables.
	StageK8s
	// StageBaseline holds the rules of the baseline tiers (tier priority 253
	// and above, upstream ClusterNetworkPolicy Baseline): the *DefaultRule
	// tables below the isolation drops.
	StageBaseline
	// StageAudit holds the rules of policies in audit mode: the Audit*Rule
	// tables, ahead of all the others. They count and log the action they
	// would take and never decide; the first one that matches is hit.
	StageAudit
)

// String names the stage.
func (s Stage) String() string {
	switch s {
	case StageK8s:
		return "KubernetesNetworkPolicy"
	case StageBaseline:
		return "Baseline"
	case StageAudit:
		return "Audit"
	}
	return "Tiered"
}

// rank is the stage's place in the evaluation order: the audit tables come
// first.
func (s Stage) rank() int {
	if s == StageAudit {
		return -1
	}
	return int(s)
}

// StageOf is the stage a rule is installed in.
func StageOf(r *types.CompletedRule) Stage {
	switch {
	case r.IsK8s():
		return StageK8s
	case r.Audit:
		return StageAudit
	case r.IsBaseline():
		return StageBaseline
	}
	return StageTiered
}

// Less tells whether rule a is evaluated before rule b of the same
// direction: by stage, then by (tier, policy priority, rule index), the
// order of the OF priorities the pipeline gives them. Rules at equal
// priorities share an OF priority (their order in OVS is not defined); Less
// is false both ways for them.
func Less(a, b *types.CompletedRule) bool {
	sa, sb := StageOf(a), StageOf(b)
	if sa != sb {
		return sa.rank() < sb.rank()
	}
	if sa == StageK8s { // one fixed priority: all K8s rules are alike
		return false
	}
	return a.Priority().Less(b.Priority())
}

// Sort sorts rules into evaluation order, rules of equal priority by ID so
// that the order is stable.
func Sort(rules []*types.CompletedRule) {
	slices.SortStableFunc(rules, func(a, b *types.CompletedRule) int {
		switch {
		case Less(a, b):
			return -1
		case Less(b, a):
			return 1
		}
		return cmp.Compare(a.ID, b.ID)
	})
}
