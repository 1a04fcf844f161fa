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

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	statsv1alpha1 "github.com/strata-net/strata/apis/stats/v1alpha1"
	"github.com/strata-net/strata/nodeagent/pipeline"
	"github.com/strata-net/strata/nodeagent/types"
)

// summary is a NodeStatsSummary of increments.
type summary struct {
	*v1beta2.NodeStatsSummary
	nonZero bool
}

func (s summary) empty() bool { return !s.nonZero }

// summarize is the summary of node with what the counters added since last:
// per policy and per rule (not per rule for Kubernetes NetworkPolicies, as
// Antrea), policies without increments left out.
func summarize(node string, counters map[types.RuleID]pipeline.RuleCounter, last map[types.RuleID]pipeline.RuleMetric) summary {
	byPolicy := map[types.PolicyRef]*v1beta2.NetworkPolicyStats{}
	var order []types.PolicyRef
	nonZero := false
	for id, rc := range counters {
		inc := increment(rc.RuleMetric, last[id])
		if inc.Packets == 0 && inc.Sessions == 0 {
			continue
		}
		nonZero = true
		ref := rc.Policy
		ref.Generation, ref.InternalName = 0, ""
		ps := byPolicy[ref]
		if ps == nil {
			ps = &v1beta2.NetworkPolicyStats{NetworkPolicy: v1beta2.NetworkPolicyReference{Type: ref.Type,
				Namespace: ref.Namespace, Name: ref.Name, UID: ref.UID}}
			byPolicy[ref] = ps
			order = append(order, ref)
		}
		addTo(&ps.TrafficStats, inc)
		if ref.Type != v1beta2.K8sNetworkPolicy {
			ps.RuleTrafficStats = addRule(ps.RuleTrafficStats,
				statsv1alpha1.RuleName(rc.Name, rc.Direction == v1beta2.DirectionOut, rc.RuleIndex), inc)
		}
	}
	sort.Slice(order, func(i, j int) bool { return order[i].UID < order[j].UID })
	out := &v1beta2.NodeStatsSummary{ObjectMeta: metav1.ObjectMeta{Name: node}}
	for _, ref := range order {
		ps := *byPolicy[ref]
		sort.Slice(ps.RuleTrafficStats, func(i, j int) bool { return ps.RuleTrafficStats[i].Name < ps.RuleTrafficStats[j].Name })
		switch ref.Type {
		case v1beta2.K8sNetworkPolicy:
			out.NetworkPolicies = append(out.NetworkPolicies, ps)
		case v1beta2.AntreaClusterNetworkPolicy:
			out.AntreaClusterNetworkPolicies = append(out.AntreaClusterNetworkPolicies, ps)
		case v1beta2.AntreaNetworkPolicy:
			out.AntreaNetworkPolicies = append(out.AntreaNetworkPolicies, ps)
		}
	}
	return summary{NodeStatsSummary: out, nonZero: nonZero}
}

// increment is what cur added to prev; a counter below prev was reset (the
// rule's flows were installed again): all of it is new.
func increment(cur, prev pipeline.RuleMetric) pipeline.RuleMetric {
	if cur.Packets < prev.Packets || cur.Bytes < prev.Bytes || cur.Sessions < prev.Sessions {
		return cur
	}
	return pipeline.RuleMetric{Sessions: cur.Sessions - prev.Sessions, Packets: cur.Packets - prev.Packets, Bytes: cur.Bytes - prev.Bytes}
}

func addTo(t *statsv1alpha1.TrafficStats, m pipeline.RuleMetric) {
	t.Sessions += int64(m.Sessions)
	t.Packets += int64(m.Packets)
	t.Bytes += int64(m.Bytes)
}

// addRule adds m to the rule named name (rules split per Namespace share one).
func addRule(rules []statsv1alpha1.RuleTrafficStats, name string, m pipeline.RuleMetric) []statsv1alpha1.RuleTrafficStats {
	for i := range rules {
		if rules[i].Name == name {
			addTo(&rules[i].TrafficStats, m)
			return rules
		}
	}
	r := statsv1alpha1.RuleTrafficStats{Name: name}
	addTo(&r.TrafficStats, m)
	return append(rules, r)
}
