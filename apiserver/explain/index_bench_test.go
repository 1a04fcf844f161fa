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

package explain

import (
	"context"
	"fmt"
	"net/netip"
	"sort"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/apiserver/computed"
	"github.com/strata-net/strata/registry/controlplane/store"
)

// Scale of BenchmarkEvaluateAfterChange: benchNamespaces namespaces of
// benchPodsPerNS Pods on benchNodes Nodes; per namespace one AppliedToGroup
// and one AddressGroup (its Pods) and benchPoliciesPerNS policies.
const (
	benchNamespaces    = 5000
	benchPodsPerNS     = 4
	benchPoliciesPerNS = 3
	benchNodes         = 100
)

type benchFixture struct {
	x    *Explainer
	pods []Pod
	nps  *store.Store[*store.NetworkPolicy]
	atgs *store.Store[*computed.AppliedToGroup]
}

func newBenchFixture(b *testing.B) *benchFixture {
	b.Helper()
	nps, err := store.NewNetworkPolicyStore(store.Options{})
	mustB(b, err)
	atgs, err := store.NewAppliedToGroupStore(store.Options{})
	mustB(b, err)
	ags, err := store.NewAddressGroupStore(store.Options{})
	mustB(b, err)
	b.Cleanup(func() { nps.Stop(); atgs.Stop(); ags.Stop() })
	f := &benchFixture{nps: nps, atgs: atgs}
	byName := fakePods{}
	for ns := 0; ns < benchNamespaces; ns++ {
		for i := 0; i < benchPodsPerNS; i++ {
			n := ns*benchPodsPerNS + i
			p := Pod{Namespace: fmt.Sprintf("ns-%d", ns), Name: fmt.Sprintf("p-%d", i), NodeName: fmt.Sprintf("node-%d", n%benchNodes),
				IPs: []netip.Addr{netip.AddrFrom4([4]byte{10, byte(n >> 16), byte(n >> 8), byte(n)})}}
			f.pods = append(f.pods, p)
			byName[p.Namespace+"/"+p.Name] = p
		}
		mustB(b, atgs.Upsert(f.nsATG(ns, benchPodsPerNS)))
		members, span := computed.MemberSet(), sets.New[string]()
		for _, p := range f.pods[ns*benchPodsPerNS:] {
			members[computed.MemberKey(member(p))] = member(p)
			span.Insert(p.NodeName)
		}
		mustB(b, ags.Upsert(&computed.AddressGroup{Name: fmt.Sprintf("ag-%d", ns), Members: members, Span: span}))
		for i := 0; i < benchPoliciesPerNS; i++ {
			mustB(b, nps.Upsert(benchPolicy(ns, i, span)))
		}
	}
	f.x, err = New(Config{Pods: byName, NetworkPolicies: nps, AppliedToGroups: atgs, AddressGroups: ags})
	mustB(b, err)
	return f
}

// nsATG is namespace ns's AppliedToGroup holding its first n Pods.
func (f *benchFixture) nsATG(ns, n int) *computed.AppliedToGroup {
	g := &computed.AppliedToGroup{Name: fmt.Sprintf("atg-%d", ns), MembersByNode: map[string]map[string]*controlplane.GroupMember{}}
	for _, p := range f.pods[ns*benchPodsPerNS : ns*benchPodsPerNS+n] {
		if g.MembersByNode[p.NodeName] == nil {
			g.MembersByNode[p.NodeName] = computed.MemberSet()
		}
		g.MembersByNode[p.NodeName][computed.MemberKey(member(p))] = member(p)
	}
	return g
}

// benchPolicy is the i-th K8s NetworkPolicy of namespace ns: its Pods accept
// the namespace's Pods on TCP 80+i.
func benchPolicy(ns, i int, span sets.Set[string]) *store.NetworkPolicy {
	tcp := controlplane.ProtocolTCP
	np := cpPolicy(fmt.Sprintf("np-%d-%d", ns, i), controlplane.K8sNetworkPolicy, nil, fmt.Sprintf("atg-%d", ns), controlplane.NetworkPolicyRule{
		Direction: controlplane.DirectionIn, From: controlplane.NetworkPolicyPeer{AddressGroups: []string{fmt.Sprintf("ag-%d", ns)}},
		Services: []controlplane.Service{{Protocol: &tcp}}})
	return &store.NetworkPolicy{Policy: np, Span: span}
}

func mustB(b *testing.B, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkEvaluateAfterChange measures an evaluation right after one change
// of the stores (a namespace's AppliedToGroup loses or regains a Pod, or one
// of its policies is replaced, alternately), p50 and p99 over b.N
// evaluations, at the scale of the constants above (20k Pods, 15k policies,
// 5k AppliedToGroups). "incremental" is explain's index as maintained;
// "rebuild" drops the index before each evaluation, which is what every
// change cost when the index was rebuilt from the stores. first-ms is the
// first evaluation (the index built from scratch).
// Run:
//
//	go test ./apiserver/explain -run '^$' -bench EvaluateAfterChange -benchtime 200x
func BenchmarkEvaluateAfterChange(b *testing.B) {
	for _, mode := range []string{"incremental", "rebuild"} {
		b.Run(mode, func(b *testing.B) {
			f := newBenchFixture(b)
			ctx := context.Background()
			eval := func(i int) time.Duration {
				src, dst := f.pods[(i*7919)%len(f.pods)], f.pods[(i*7919+1)%len(f.pods)]
				start := time.Now()
				_, err := f.x.Evaluate(ctx, &controlplane.NetworkPolicyEvaluation{Request: &controlplane.NetworkPolicyEvaluationRequest{
					Source: pod(src.Namespace, src.Name), Destination: pod(dst.Namespace, dst.Name), Port: 80}})
				mustB(b, err)
				return time.Since(start)
			}
			first := eval(0)
			latencies := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				f.change(b, i)
				if mode == "rebuild" {
					f.x.index.built = false
				}
				b.StartTimer()
				latencies = append(latencies, eval(i))
			}
			b.StopTimer()
			sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
			b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(first.Microseconds())/1000, "first-ms")
		})
	}
}

// change makes the i-th change: even i, an AppliedToGroup loses (or regains)
// a Pod; odd i, a policy is replaced by a new version.
func (f *benchFixture) change(b *testing.B, i int) {
	ns := (i * 104729) % benchNamespaces
	if i%2 == 0 {
		n := benchPodsPerNS - 1
		if g, ok := f.atgs.Get(fmt.Sprintf("atg-%d", ns)); ok && memberCount(g) < benchPodsPerNS {
			n = benchPodsPerNS
		}
		mustB(b, f.atgs.Upsert(f.nsATG(ns, n)))
		return
	}
	old, ok := f.nps.Get(fmt.Sprintf("internal-np-%d-0", ns))
	if !ok {
		b.Fatalf("policy internal-np-%d-0 is not stored", ns)
	}
	np := *old.Policy
	np.Generation++
	mustB(b, f.nps.Upsert(&store.NetworkPolicy{Policy: &np, Span: old.Span}))
}

func memberCount(g *computed.AppliedToGroup) int {
	n := 0
	for _, ms := range g.MembersByNode {
		n += len(ms)
	}
	return n
}
