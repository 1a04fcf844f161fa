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
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/strata-net/strata/apis/controlplane"
	statsv1alpha1 "github.com/strata-net/strata/apis/stats/v1alpha1"
)

type fakePolicies []*controlplane.NetworkPolicy

func (f *fakePolicies) ComputedPolicies() []*controlplane.NetworkPolicy { return *f }

func computed(typ controlplane.NetworkPolicyType, ns, name string, rules ...controlplane.NetworkPolicyRule) *controlplane.NetworkPolicy {
	return &controlplane.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "uid-" + name},
		SourceRef: &controlplane.NetworkPolicyReference{Type: typ, Namespace: ns, Name: name, UID: types.UID("uid-" + name)},
		Rules:     rules}
}

func rule(name string, dir controlplane.Direction, index int32) controlplane.NetworkPolicyRule {
	return controlplane.NetworkPolicyRule{Name: name, Direction: dir, Priority: index}
}

func inc(typ controlplane.NetworkPolicyType, ns, name string, total statsv1alpha1.TrafficStats, rules ...statsv1alpha1.RuleTrafficStats) controlplane.NetworkPolicyStats {
	return controlplane.NetworkPolicyStats{NetworkPolicy: controlplane.NetworkPolicyReference{Type: typ, Namespace: ns, Name: name,
		UID: types.UID("uid-" + name)}, TrafficStats: total, RuleTrafficStats: rules}
}

func ts(sessions, packets, bytes int64) statsv1alpha1.TrafficStats {
	return statsv1alpha1.TrafficStats{Sessions: sessions, Packets: packets, Bytes: bytes}
}

func TestAggregator(t *testing.T) {
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	policies := &fakePolicies{
		computed(controlplane.AntreaClusterNetworkPolicy, "", "acnp1",
			rule("allow-web", controlplane.DirectionIn, 0), rule("", controlplane.DirectionIn, 1), rule("", controlplane.DirectionOut, 0),
			rule("allow-web", controlplane.DirectionIn, 0)), // a per-Namespace split of the same rule
		computed(controlplane.AntreaNetworkPolicy, "ns1", "annp1", rule("drop", controlplane.DirectionIn, 0)),
		computed(controlplane.AntreaNetworkPolicy, "ns2", "annp2", rule("drop", controlplane.DirectionIn, 0)),
		computed(controlplane.K8sNetworkPolicy, "ns1", "np1", rule("", controlplane.DirectionIn, 0)),
	}
	a := newAggregator(policies, func() time.Time { return now })
	a.Collect(&controlplane.NodeStatsSummary{ObjectMeta: metav1.ObjectMeta{Name: "n1"},
		AntreaClusterNetworkPolicies: []controlplane.NetworkPolicyStats{inc(controlplane.AntreaClusterNetworkPolicy, "", "acnp1", ts(2, 20, 2000),
			statsv1alpha1.RuleTrafficStats{Name: "allow-web", TrafficStats: ts(2, 20, 2000)})},
		NetworkPolicies: []controlplane.NetworkPolicyStats{inc(controlplane.K8sNetworkPolicy, "ns1", "np1", ts(1, 5, 300))},
	})
	now = now.Add(time.Minute)
	a.Collect(&controlplane.NodeStatsSummary{ObjectMeta: metav1.ObjectMeta{Name: "n2"},
		AntreaClusterNetworkPolicies: []controlplane.NetworkPolicyStats{inc(controlplane.AntreaClusterNetworkPolicy, "", "acnp1", ts(4, 4, 240),
			statsv1alpha1.RuleTrafficStats{Name: "allow-web", TrafficStats: ts(1, 3, 180)},
			statsv1alpha1.RuleTrafficStats{Name: "egress-0", TrafficStats: ts(3, 1, 60)})},
	})

	acnps := a.ClusterNetworkPolicyStats()
	if len(acnps) != 1 {
		t.Fatalf("%d ACNP stats, want 1", len(acnps))
	}
	got := acnps[0]
	if got.Name != "acnp1" || got.TrafficStats != ts(6, 24, 2240) {
		t.Fatalf("ACNP stats %s %+v, want acnp1 {6 24 2240}", got.Name, got.TrafficStats)
	}
	wantRules := []struct {
		name    string
		stats   statsv1alpha1.TrafficStats
		lastHit *time.Time
	}{
		{"allow-web", ts(3, 23, 2180), &now},
		{"ingress-1", ts(0, 0, 0), nil},
		{"egress-0", ts(3, 1, 60), &now},
	}
	if len(got.RuleTrafficStats) != len(wantRules) {
		t.Fatalf("rules %+v, want %d (each once, zeros included)", got.RuleTrafficStats, len(wantRules))
	}
	for i, w := range wantRules {
		r := got.RuleTrafficStats[i]
		if r.Name != w.name || r.TrafficStats != w.stats || (r.LastHit == nil) != (w.lastHit == nil) ||
			(w.lastHit != nil && !r.LastHit.Time.Equal(*w.lastHit)) {
			t.Errorf("rule %d: %s %+v lastHit %v, want %s %+v %v", i, r.Name, r.TrafficStats, r.LastHit, w.name, w.stats, w.lastHit)
		}
	}
	if nps := a.NetworkPolicyStats("ns1"); len(nps) != 1 || nps[0].TrafficStats != ts(1, 5, 300) || nps[0].Namespace != "ns1" {
		t.Fatalf("K8s NetworkPolicy stats of ns1: %+v", nps)
	}
	if annps := a.AntreaNetworkPolicyStats("ns2"); len(annps) != 1 || annps[0].Name != "annp2" {
		t.Fatalf("ANNP stats of ns2: %+v, want annp2 only", annps)
	}
	if annps := a.AntreaNetworkPolicyStats(""); len(annps) != 2 {
		t.Fatalf("ANNP stats of every Namespace: %d, want 2", len(annps))
	}

	// The policy goes, then comes back with the same UID: its counts went with it.
	saved := *policies
	*policies = saved[1:]
	if got := a.ClusterNetworkPolicyStats(); len(got) != 0 {
		t.Fatalf("stats of a deleted policy: %+v", got)
	}
	*policies = saved
	if got := a.ClusterNetworkPolicyStats(); got[0].TrafficStats != ts(0, 0, 0) {
		t.Fatalf("counts kept across the policy's deletion: %+v", got[0].TrafficStats)
	}
}
