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
	"net/netip"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/apiserver/computed"
	"github.com/strata-net/strata/registry/controlplane/store"
)

// fakePods are Pods by name.
type fakePods map[string]Pod

func (f fakePods) Pod(ns, name string) (Pod, bool) { p, ok := f[ns+"/"+name]; return p, ok }

func (f fakePods) PodByIP(ip netip.Addr) (Pod, bool) {
	for _, p := range f {
		for _, a := range p.IPs {
			if a == ip {
				return p, true
			}
		}
	}
	return Pod{}, false
}

var testPods = fakePods{
	"ns/client": {Namespace: "ns", Name: "client", NodeName: "n1", IPs: []netip.Addr{netip.MustParseAddr("10.0.1.2")}},
	"ns/server": {Namespace: "ns", Name: "server", NodeName: "n2", IPs: []netip.Addr{netip.MustParseAddr("10.0.2.2")}},
	"ns/other":  {Namespace: "ns", Name: "other", NodeName: "n1", IPs: []netip.Addr{netip.MustParseAddr("10.0.1.3")}},
}

func member(p Pod) *controlplane.GroupMember {
	return &controlplane.GroupMember{Pod: &controlplane.PodReference{Namespace: p.Namespace, Name: p.Name},
		IPs: []controlplane.IPAddress{controlplane.IPAddress(p.IPs[0].AsSlice())}}
}

// newTestExplainer stores, as the computation would:
//   - K8s NetworkPolicy np-server: server (n2) accepts ns/client on TCP 80;
//   - ACNP acnp-pass (tier 50): egress of client to server passes;
//   - ACNP acnp-drop-other (tier 100): ingress of server from other dropped;
//   - ACNP baseline-reject (tier 253): egress of other rejected to 0.0.0.0/0.
func newTestExplainer(t *testing.T) *Explainer {
	t.Helper()
	nps, err := store.NewNetworkPolicyStore(store.Options{})
	must(t, err)
	atgs, err := store.NewAppliedToGroupStore(store.Options{})
	must(t, err)
	ags, err := store.NewAddressGroupStore(store.Options{})
	must(t, err)
	t.Cleanup(func() { nps.Stop(); atgs.Stop(); ags.Stop() })
	client, server, other := testPods["ns/client"], testPods["ns/server"], testPods["ns/other"]
	must(t, atgs.Upsert(&computed.AppliedToGroup{Name: "atg-server", MembersByNode: map[string]map[string]*controlplane.GroupMember{
		"n2": computed.MemberSet(member(server))}}))
	must(t, atgs.Upsert(&computed.AppliedToGroup{Name: "atg-client", MembersByNode: map[string]map[string]*controlplane.GroupMember{
		"n1": computed.MemberSet(member(client))}}))
	must(t, atgs.Upsert(&computed.AppliedToGroup{Name: "atg-other", MembersByNode: map[string]map[string]*controlplane.GroupMember{
		"n1": computed.MemberSet(member(other))}}))
	must(t, ags.Upsert(&computed.AddressGroup{Name: "ag-client", Members: computed.MemberSet(member(client)), Span: sets.New("n2")}))
	must(t, ags.Upsert(&computed.AddressGroup{Name: "ag-server", Members: computed.MemberSet(member(server)), Span: sets.New("n1")}))
	must(t, ags.Upsert(&computed.AddressGroup{Name: "ag-other", Members: computed.MemberSet(member(other)), Span: sets.New("n2")}))
	tcp, port := controlplane.ProtocolTCP, intstr.FromInt32(80)
	pass, drop, reject := controlplane.RuleActionPass, controlplane.RuleActionDrop, controlplane.RuleActionReject
	t50, t100, t253 := int32(50), int32(100), int32(253)
	prio := 1.0
	for _, np := range []*store.NetworkPolicy{
		{Span: sets.New("n2"), Policy: cpPolicy("np-server", controlplane.K8sNetworkPolicy, nil, "atg-server", controlplane.NetworkPolicyRule{
			Direction: controlplane.DirectionIn, From: controlplane.NetworkPolicyPeer{AddressGroups: []string{"ag-client"}},
			Services: []controlplane.Service{{Protocol: &tcp, Port: &port}}})},
		{Span: sets.New("n1"), Policy: cpPolicy("acnp-pass", controlplane.AntreaClusterNetworkPolicy, &t50, "atg-client", controlplane.NetworkPolicyRule{
			Direction: controlplane.DirectionOut, To: controlplane.NetworkPolicyPeer{AddressGroups: []string{"ag-server"}}, Action: &pass, Name: "pass"})},
		{Span: sets.New("n2"), Policy: cpPolicy("acnp-drop-other", controlplane.AntreaClusterNetworkPolicy, &t100, "atg-server", controlplane.NetworkPolicyRule{
			Direction: controlplane.DirectionIn, From: controlplane.NetworkPolicyPeer{AddressGroups: []string{"ag-other"}}, Action: &drop, Name: "drop-other"})},
		{Span: sets.New("n1"), Policy: cpPolicy("baseline-reject", controlplane.AntreaClusterNetworkPolicy, &t253, "atg-other", controlplane.NetworkPolicyRule{
			Direction: controlplane.DirectionOut, Action: &reject, Name: "reject-all",
			To: controlplane.NetworkPolicyPeer{IPBlocks: []controlplane.IPBlock{{CIDR: controlplane.IPNet{
				IP: controlplane.IPAddress(netip.MustParseAddr("0.0.0.0").AsSlice())}}}}})},
	} {
		np.Policy.Priority = &prio
		must(t, nps.Upsert(np))
	}
	x, err := New(Config{Pods: testPods, NetworkPolicies: nps, AppliedToGroups: atgs, AddressGroups: ags})
	must(t, err)
	return x
}

func cpPolicy(name string, typ controlplane.NetworkPolicyType, tier *int32, atg string, r controlplane.NetworkPolicyRule) *controlplane.NetworkPolicy {
	np := &controlplane.NetworkPolicy{Rules: []controlplane.NetworkPolicyRule{r}, AppliedToGroups: []string{atg}, TierPriority: tier,
		SourceRef: &controlplane.NetworkPolicyReference{Type: typ, Namespace: "ns", Name: name, UID: types.UID("uid-" + name)}}
	np.Name = "internal-" + name
	if tier == nil {
		np.Priority = nil
	}
	return np
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func pod(ns, name string) controlplane.Entity {
	return controlplane.Entity{Pod: &controlplane.PodReference{Namespace: ns, Name: name}}
}

func TestEvaluate(t *testing.T) {
	x := newTestExplainer(t)
	tests := []struct {
		name                    string
		src, dst                controlplane.Entity
		port                    int32
		wantVerdict             string
		wantEgress, wantIngress string // "verdict/decidedBy"
		wantPolicy              string
	}{
		{name: "Pass, then the K8s NetworkPolicy allows port 80", src: pod("ns", "client"), dst: pod("ns", "server"), port: 80,
			wantVerdict: "Allow", wantEgress: "Allow/Default", wantIngress: "Allow/Rule", wantPolicy: "np-server"},
		{name: "K8s isolation drops another port", src: pod("ns", "client"), dst: pod("ns", "server"), port: 81,
			wantVerdict: "Drop", wantEgress: "Allow/Default", wantIngress: "Drop/K8sIsolation"},
		{name: "baseline reject at the source decides first", src: pod("ns", "other"), dst: pod("ns", "server"), port: 80,
			wantVerdict: "Reject", wantEgress: "Reject/Rule", wantIngress: "Drop/Rule", wantPolicy: "baseline-reject"},
		{name: "an outside address: only the destination's side", src: controlplane.Entity{IP: "192.0.2.1"}, dst: pod("ns", "client"),
			wantVerdict: "Allow", wantEgress: "Allow/Default", wantIngress: "Allow/Default"},
		{name: "an IP resolved to its Pod", src: pod("ns", "other"), dst: controlplane.Entity{IP: "10.0.1.2"}, port: 80,
			wantVerdict: "Reject", wantEgress: "Reject/Rule", wantIngress: "Allow/Default", wantPolicy: "baseline-reject"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := &controlplane.NetworkPolicyEvaluation{Request: &controlplane.NetworkPolicyEvaluationRequest{
				Source: tc.src, Destination: tc.dst, Port: tc.port}}
			if errs := Validate(ev); len(errs) > 0 {
				t.Fatalf("valid request refused: %v", errs)
			}
			resp, err := x.Evaluate(context.Background(), ev)
			must(t, err)
			got := []string{resp.Verdict, resp.Egress.Verdict + "/" + resp.Egress.DecidedBy,
				resp.Ingress.Verdict + "/" + resp.Ingress.DecidedBy, resp.NetworkPolicy.Name}
			want := []string{tc.wantVerdict, tc.wantEgress, tc.wantIngress, tc.wantPolicy}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("got %q, want %q\negress steps %+v\ningress steps %+v", got, want, resp.Egress.Steps, resp.Ingress.Steps)
				}
			}
		})
	}
}

func TestValidateAndResolve(t *testing.T) {
	x := newTestExplainer(t)
	tests := []struct {
		name string
		req  *controlplane.NetworkPolicyEvaluationRequest
		want string
	}{
		{name: "no request", want: "request: Required"},
		{name: "no source", req: &controlplane.NetworkPolicyEvaluationRequest{Destination: pod("ns", "a")}, want: "request.source: Required"},
		{name: "both pod and ip", req: &controlplane.NetworkPolicyEvaluationRequest{Source: controlplane.Entity{
			Pod: &controlplane.PodReference{Namespace: "ns", Name: "a"}, IP: "10.0.0.1"}, Destination: pod("ns", "a")}, want: "request.source"},
		{name: "pod without name", req: &controlplane.NetworkPolicyEvaluationRequest{Source: pod("ns", ""), Destination: pod("ns", "a")},
			want: "request.source.pod.name"},
		{name: "bad ip", req: &controlplane.NetworkPolicyEvaluationRequest{Source: pod("ns", "a"), Destination: controlplane.Entity{IP: "10.0"}},
			want: "request.destination.ip"},
		{name: "bad protocol", req: &controlplane.NetworkPolicyEvaluationRequest{Source: pod("ns", "a"), Destination: pod("ns", "b"), Protocol: "ICMP"},
			want: "request.protocol"},
		{name: "bad port", req: &controlplane.NetworkPolicyEvaluationRequest{Source: pod("ns", "a"), Destination: pod("ns", "b"), Port: 65536},
			want: "request.port"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			errs := Validate(&controlplane.NetworkPolicyEvaluation{Request: tc.req})
			if len(errs) == 0 || !strings.Contains(errs.ToAggregate().Error(), tc.want) {
				t.Fatalf("errors %v, want one naming %s", errs, tc.want)
			}
		})
	}
	_, err := x.Evaluate(context.Background(), &controlplane.NetworkPolicyEvaluation{Request: &controlplane.NetworkPolicyEvaluationRequest{
		Source: pod("ns", "missing"), Destination: pod("ns", "server")}})
	if err == nil || !strings.Contains(err.Error(), "request.source.pod") {
		t.Fatalf("a missing Pod gave %v, want a not-found naming request.source.pod", err)
	}
}

// TestIndexFollowsTheStores: a policy added after an evaluation counts in the
// next one (the lookup index is rebuilt when a store changes).
func TestIndexFollowsTheStores(t *testing.T) {
	x := newTestExplainer(t)
	ev := func() string {
		resp, err := x.Evaluate(context.Background(), &controlplane.NetworkPolicyEvaluation{Request: &controlplane.NetworkPolicyEvaluationRequest{
			Source: pod("ns", "server"), Destination: pod("ns", "client"), Port: 80}})
		must(t, err)
		return resp.Verdict + "/" + resp.Ingress.DecidedBy
	}
	if got := ev(); got != "Allow/Default" {
		t.Fatalf("before: %s, want Allow/Default", got)
	}
	drop, tier, prio := controlplane.RuleActionDrop, int32(50), 1.0
	np := cpPolicy("acnp-new", controlplane.AntreaClusterNetworkPolicy, &tier, "atg-client", controlplane.NetworkPolicyRule{
		Direction: controlplane.DirectionIn, From: controlplane.NetworkPolicyPeer{AddressGroups: []string{"ag-server"}}, Action: &drop})
	np.Priority = &prio
	must(t, x.cfg.AddressGroups.Upsert(&computed.AddressGroup{Name: "ag-server", Members: computed.MemberSet(member(testPods["ns/server"])),
		Span: sets.New("n1")}))
	must(t, x.cfg.NetworkPolicies.Upsert(&store.NetworkPolicy{Policy: np, Span: sets.New("n1")}))
	if got := ev(); got != "Drop/Rule" {
		t.Fatalf("after adding a Drop: %s, want Drop/Rule", got)
	}
}

// TestFQDNRuleMakesTheVerdictUncertain: an egress Drop rule with an FQDN peer
// before the deciding rule is listed as DependsOnDNS, and the verdict says it
// is not certain; on another port it does not match and the verdict is certain.
func TestFQDNRuleMakesTheVerdictUncertain(t *testing.T) {
	x := newTestExplainer(t)
	drop, tier, prio := controlplane.RuleActionDrop, int32(10), 1.0
	tcp, port := controlplane.ProtocolTCP, intstr.FromInt32(80)
	np := cpPolicy("acnp-fqdn", controlplane.AntreaClusterNetworkPolicy, &tier, "atg-client", controlplane.NetworkPolicyRule{
		Direction: controlplane.DirectionOut, To: controlplane.NetworkPolicyPeer{FQDNs: []string{"*.example.com"}},
		Services: []controlplane.Service{{Protocol: &tcp, Port: &port}}, Action: &drop, Name: "fqdn-drop"})
	np.Priority = &prio
	must(t, x.cfg.NetworkPolicies.Upsert(&store.NetworkPolicy{Policy: np, Span: sets.New("n1")}))
	for _, tc := range []struct {
		name        string
		port        int32
		wantDNS     bool
		wantOutcome string
	}{
		{name: "the FQDN rule's port: depends on DNS", port: 80, wantDNS: true, wantOutcome: "DependsOnDNS"},
		{name: "another port: no match", port: 81, wantDNS: false, wantOutcome: "NoMatch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := x.Evaluate(context.Background(), &controlplane.NetworkPolicyEvaluation{Request: &controlplane.NetworkPolicyEvaluationRequest{
				Source: pod("ns", "client"), Destination: pod("ns", "server"), Port: tc.port}})
			must(t, err)
			if resp.DependsOnDNS != tc.wantDNS || resp.Egress.DependsOnDNS != tc.wantDNS {
				t.Fatalf("dependsOnDNS %v (egress %v), want %v", resp.DependsOnDNS, resp.Egress.DependsOnDNS, tc.wantDNS)
			}
			if len(resp.Egress.Steps) == 0 || resp.Egress.Steps[0].RuleName != "fqdn-drop" || resp.Egress.Steps[0].Outcome != tc.wantOutcome {
				t.Fatalf("egress steps %+v, want fqdn-drop first with outcome %s", resp.Egress.Steps, tc.wantOutcome)
			}
			if resp.Ingress.DependsOnDNS {
				t.Fatal("the ingress side depends on DNS: FQDN peers are egress only")
			}
		})
	}
}
