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

package stats

import (
	"sort"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/strata-net/strata/apis/controlplane"
	statsv1alpha1 "github.com/strata-net/strata/apis/stats/v1alpha1"
)

// Policies lists the computed policies: which policies and rules exist.
type Policies interface {
	ComputedPolicies() []*controlplane.NetworkPolicy
}

// Aggregator holds the totals of every policy and rule since it started.
type Aggregator struct {
	policies Policies
	now      func() time.Time
	started  metav1.Time

	mu     sync.Mutex
	totals map[types.UID]*policyTotals
}

type policyTotals struct {
	total statsv1alpha1.TrafficStats
	rules map[string]*ruleTotals
}

type ruleTotals struct {
	stats   statsv1alpha1.TrafficStats
	lastHit *metav1.Time
}

// NewAggregator returns an aggregator over the computed policies; the counting
// starts now.
func NewAggregator(policies Policies) *Aggregator {
	return newAggregator(policies, time.Now)
}

func newAggregator(policies Policies, now func() time.Time) *Aggregator {
	return &Aggregator{policies: policies, now: now, started: metav1.NewTime(now().Truncate(time.Second)),
		totals: map[types.UID]*policyTotals{}}
}

// Collect adds a Node's increments to the totals.
func (a *Aggregator) Collect(s *controlplane.NodeStatsSummary) {
	now := metav1.NewTime(a.now())
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, list := range [][]controlplane.NetworkPolicyStats{s.NetworkPolicies, s.AntreaClusterNetworkPolicies, s.AntreaNetworkPolicies} {
		for i := range list {
			a.add(&list[i], now)
		}
	}
}

func (a *Aggregator) add(ps *controlplane.NetworkPolicyStats, now metav1.Time) {
	uid := ps.NetworkPolicy.UID
	p := a.totals[uid]
	if p == nil {
		p = &policyTotals{rules: map[string]*ruleTotals{}}
		a.totals[uid] = p
	}
	addTo(&p.total, ps.TrafficStats)
	for _, r := range ps.RuleTrafficStats {
		rt := p.rules[r.Name]
		if rt == nil {
			rt = &ruleTotals{}
			p.rules[r.Name] = rt
		}
		addTo(&rt.stats, r.TrafficStats)
		if r.TrafficStats.Packets > 0 {
			t := now
			rt.lastHit = &t
		}
	}
}

func addTo(dst *statsv1alpha1.TrafficStats, inc statsv1alpha1.TrafficStats) {
	dst.Packets += inc.Packets
	dst.Bytes += inc.Bytes
	dst.Sessions += inc.Sessions
}

// policy is one computed source policy with its totals.
type policy struct {
	ref   controlplane.NetworkPolicyReference
	total statsv1alpha1.TrafficStats
	rules []statsv1alpha1.RuleTrafficStats
}

// collect returns the computed policies of type typ (in namespace ns when not
// empty) with their totals, sorted by namespace and name, and forgets the
// totals of policies that no longer exist.
func (a *Aggregator) collect(typ controlplane.NetworkPolicyType, ns string) []policy {
	computed := a.policies.ComputedPolicies()
	a.mu.Lock()
	defer a.mu.Unlock()
	exists := make(map[types.UID]bool, len(computed))
	var out []policy
	for _, np := range computed {
		if np.SourceRef == nil {
			continue
		}
		exists[np.SourceRef.UID] = true
		if np.SourceRef.Type != typ || (ns != "" && np.SourceRef.Namespace != ns) {
			continue
		}
		out = append(out, a.policyOf(np))
	}
	for uid := range a.totals {
		if !exists[uid] {
			delete(a.totals, uid)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].ref.Namespace != out[j].ref.Namespace {
			return out[i].ref.Namespace < out[j].ref.Namespace
		}
		return out[i].ref.Name < out[j].ref.Name
	})
	return out
}

// policyOf is a policy with its totals and every rule, in the policy's order
// (ingress rules, then egress), zeros included.
func (a *Aggregator) policyOf(np *controlplane.NetworkPolicy) policy {
	p := policy{ref: *np.SourceRef}
	t := a.totals[np.SourceRef.UID]
	if t != nil {
		p.total = t.total
	}
	seen := map[string]bool{}
	for _, r := range sortedRules(np.Rules) {
		name := statsv1alpha1.RuleName(r.Name, r.Direction == controlplane.DirectionOut, r.Priority)
		if seen[name] {
			continue
		}
		seen[name] = true
		rs := statsv1alpha1.RuleTrafficStats{Name: name}
		if t != nil && t.rules[name] != nil {
			rs.TrafficStats = t.rules[name].stats
			rs.LastHit = t.rules[name].lastHit.DeepCopy()
		}
		p.rules = append(p.rules, rs)
	}
	return p
}

func sortedRules(rules []controlplane.NetworkPolicyRule) []controlplane.NetworkPolicyRule {
	out := append([]controlplane.NetworkPolicyRule(nil), rules...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Direction != out[j].Direction {
			return out[i].Direction == controlplane.DirectionIn
		}
		return out[i].Priority < out[j].Priority
	})
	return out
}
