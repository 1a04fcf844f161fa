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
	"context"
	"errors"
	"fmt"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	k8stypes "k8s.io/apimachinery/pkg/types"
	k8stesting "k8s.io/client-go/testing"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	statsv1alpha1 "github.com/strata-net/strata/apis/stats/v1alpha1"
	"github.com/strata-net/strata/generated/clientset/versioned/fake"
	"github.com/strata-net/strata/nodeagent/pipeline"
	"github.com/strata-net/strata/nodeagent/types"
)

type fakeCounters struct {
	m map[types.RuleID]pipeline.RuleCounter
}

func (f *fakeCounters) RuleCounters(context.Context) (map[types.RuleID]pipeline.RuleCounter, error) {
	return f.m, nil
}

var (
	acnp1 = types.PolicyRef{Type: v1beta2.AntreaClusterNetworkPolicy, Name: "acnp1", UID: "u1", Generation: 3, InternalName: "u1"}
	np1   = types.PolicyRef{Type: v1beta2.K8sNetworkPolicy, Namespace: "ns", Name: "np1", UID: "u2"}
)

func counter(ref types.PolicyRef, name string, dir v1beta2.Direction, index int32, s, p, b uint64) pipeline.RuleCounter {
	return pipeline.RuleCounter{Policy: ref, Direction: dir, RuleIndex: index, Name: name,
		RuleMetric: pipeline.RuleMetric{Sessions: s, Packets: p, Bytes: b}}
}

// TestCollectorReports walks a collector through reports: increments only,
// counters reset by reinstalled flows, nothing posted without increments, a
// failed POST sent again with the next report.
func TestCollectorReports(t *testing.T) {
	client := fake.NewClientset()
	var posted []*v1beta2.NodeStatsSummary
	fail := false
	client.PrependReactor("create", "nodestatssummaries", func(a k8stesting.Action) (bool, runtime.Object, error) {
		if fail {
			return true, nil, errors.New("strata-apiserver is unreachable")
		}
		s := a.(k8stesting.CreateAction).GetObject().(*v1beta2.NodeStatsSummary)
		posted = append(posted, s)
		return true, s, nil
	})
	src := &fakeCounters{}
	c, err := New(Config{NodeName: "n1", Counters: src, Client: client})
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		acnpTotal statsv1alpha1.TrafficStats
		rules     map[string]statsv1alpha1.TrafficStats
		npTotal   statsv1alpha1.TrafficStats
	}
	steps := []struct {
		name     string
		counters map[types.RuleID]pipeline.RuleCounter
		fail     bool
		want     *want // nil: nothing posted
	}{
		{"first report: the whole counters", map[types.RuleID]pipeline.RuleCounter{
			"r1": counter(acnp1, "allow-web", v1beta2.DirectionIn, 0, 2, 10, 1000),
			"r2": counter(acnp1, "", v1beta2.DirectionOut, 1, 0, 0, 0),
			"r3": counter(np1, "", v1beta2.DirectionIn, 0, 1, 4, 400),
		}, false, &want{ts(2, 10, 1000), map[string]statsv1alpha1.TrafficStats{"allow-web": ts(2, 10, 1000)}, ts(1, 4, 400)}},
		{"no change: nothing posted", map[types.RuleID]pipeline.RuleCounter{
			"r1": counter(acnp1, "allow-web", v1beta2.DirectionIn, 0, 2, 10, 1000),
			"r3": counter(np1, "", v1beta2.DirectionIn, 0, 1, 4, 400),
		}, false, nil},
		{"increments only", map[types.RuleID]pipeline.RuleCounter{
			"r1": counter(acnp1, "allow-web", v1beta2.DirectionIn, 0, 5, 25, 2500),
			"r2": counter(acnp1, "", v1beta2.DirectionOut, 1, 1, 1, 60),
		}, false, &want{ts(4, 16, 1560), map[string]statsv1alpha1.TrafficStats{"allow-web": ts(3, 15, 1500), "egress-1": ts(1, 1, 60)}, ts(0, 0, 0)}},
		{"a failed POST", map[types.RuleID]pipeline.RuleCounter{
			"r1": counter(acnp1, "allow-web", v1beta2.DirectionIn, 0, 6, 30, 3000),
		}, true, nil},
		{"reinstalled flows: the counter restarted, and the failed increment comes along", map[types.RuleID]pipeline.RuleCounter{
			"r1": counter(acnp1, "allow-web", v1beta2.DirectionIn, 0, 1, 3, 300),
		}, false, &want{ts(1, 3, 300), map[string]statsv1alpha1.TrafficStats{"allow-web": ts(1, 3, 300)}, ts(0, 0, 0)}},
	}
	for _, st := range steps {
		src.m, fail, posted = st.counters, st.fail, nil
		err := c.Report(context.Background())
		if st.fail != (err != nil) {
			t.Fatalf("%s: Report: %v", st.name, err)
		}
		if st.want == nil {
			if len(posted) != 0 {
				t.Fatalf("%s: posted %+v, want nothing", st.name, posted)
			}
			continue
		}
		if len(posted) != 1 || posted[0].Name != "n1" {
			t.Fatalf("%s: posted %+v, want one summary of n1", st.name, posted)
		}
		s := posted[0]
		var acnpTotal, npTotal statsv1alpha1.TrafficStats
		rules := map[string]statsv1alpha1.TrafficStats{}
		for _, p := range s.AntreaClusterNetworkPolicies {
			if p.NetworkPolicy.UID != "u1" || p.NetworkPolicy.Name != "acnp1" {
				t.Fatalf("%s: policy %+v", st.name, p.NetworkPolicy)
			}
			acnpTotal = p.TrafficStats
			for _, r := range p.RuleTrafficStats {
				rules[r.Name] = r.TrafficStats
			}
		}
		for _, p := range s.NetworkPolicies {
			npTotal = p.TrafficStats
			if len(p.RuleTrafficStats) != 0 {
				t.Fatalf("%s: rule stats of a Kubernetes NetworkPolicy: %+v", st.name, p.RuleTrafficStats)
			}
		}
		if acnpTotal != st.want.acnpTotal || npTotal != st.want.npTotal || len(rules) != len(st.want.rules) {
			t.Fatalf("%s: ACNP %+v, NP %+v, rules %+v; want %+v", st.name, acnpTotal, npTotal, rules, *st.want)
		}
		for name, w := range st.want.rules {
			if rules[name] != w {
				t.Fatalf("%s: rule %s %+v, want %+v", st.name, name, rules[name], w)
			}
		}
	}
}

func ts(s, p, b int64) statsv1alpha1.TrafficStats {
	return statsv1alpha1.TrafficStats{Sessions: s, Packets: p, Bytes: b}
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"no node", Config{Counters: &fakeCounters{}, Client: fake.NewClientset()}},
		{"no counters", Config{NodeName: "n1", Client: fake.NewClientset()}},
		{"negative interval", Config{NodeName: "n1", Counters: &fakeCounters{}, Client: fake.NewClientset(), Interval: -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(tc.cfg); err == nil {
				t.Fatal("New accepted an invalid configuration")
			}
		})
	}
}

// BenchmarkSummarize10kRules builds the summary of 10k rules (1k policies of 10
// rules), all with new counts: the agent's CPU cost per report, besides reading
// the counters from OVS (pipeline's BenchmarkRuleCounters10kRules).
func BenchmarkSummarize10kRules(b *testing.B) {
	counters := map[types.RuleID]pipeline.RuleCounter{}
	for i := range 10_000 {
		ref := types.PolicyRef{Type: v1beta2.AntreaClusterNetworkPolicy, Name: fmt.Sprintf("p%d", i/10), UID: k8stypes.UID(fmt.Sprintf("u%d", i/10))}
		counters[types.RuleID(fmt.Sprintf("r%d", i))] = counter(ref, "", v1beta2.DirectionIn, int32(i%10), 1, 10, 1000)
	}
	b.ReportAllocs()
	for b.Loop() {
		if s := summarize("n1", counters, nil); s.empty() {
			b.Fatal("empty summary")
		}
	}
}
