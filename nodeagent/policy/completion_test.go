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
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/nodeagent/types"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// completionCase is a policy with its groups and the index of the rule to complete.
type completionCase struct {
	name string
	np   *v1beta2.NetworkPolicy
	rule int
	atgs []*v1beta2.AppliedToGroup
	ags  []*v1beta2.AddressGroup
}

func completionCases() []completionCase {
	http := v1beta2.NamedPort{Name: "http", Port: 8080, Protocol: v1beta2.ProtocolTCP}
	dns := v1beta2.NamedPort{Name: "dns", Port: 53, Protocol: v1beta2.ProtocolUDP}
	k8sIsolation := k8sNP("k8s-isolation", []string{"atg-web"},
		v1beta2.NetworkPolicyRule{Direction: v1beta2.DirectionIn})
	egressAny := acnp("acnp-egress-any", 3, nil, v1beta2.NetworkPolicyRule{
		Direction: v1beta2.DirectionOut, Priority: 2, Name: "deny-all-out", Action: ptr(v1beta2.RuleActionDrop),
		EnableLogging: true, LogLabel: "audit", AppliedToGroups: []string{"atg-web"},
		To: v1beta2.NetworkPolicyPeer{IPBlocks: []v1beta2.IPBlock{{CIDR: ipNet("0.0.0.0/0")}, {CIDR: ipNet("::/0")}}},
	})
	return []completionCase{
		{
			name: "acnp ingress: two AppliedToGroups (one unknown), members, ipBlock with except, services",
			np: acnp("acnp-web", 2, []string{"atg-web", "atg-unknown", "atg-db"}, v1beta2.NetworkPolicyRule{
				Direction: v1beta2.DirectionIn, Priority: 0, Name: "allow-clients", Action: ptr(v1beta2.RuleActionAllow),
				From: v1beta2.NetworkPolicyPeer{AddressGroups: []string{"ag-clients"},
					IPBlocks: []v1beta2.IPBlock{{CIDR: ipNet("10.0.0.0/8"), Except: []v1beta2.IPNet{ipNet("10.1.0.0/16")}}}},
				Services: []v1beta2.Service{
					{Protocol: ptr(v1beta2.ProtocolTCP), Port: ptr(intstr.FromString("http"))},
					{Protocol: ptr(v1beta2.ProtocolUDP), Port: ptr(intstr.FromInt32(5000)), EndPort: ptr(int32(5010))},
				},
			}),
			atgs: []*v1beta2.AppliedToGroup{
				atg("atg-web", withPorts(pod("ns1", "web-2"), http), withPorts(pod("ns1", "web-1"), http),
					v1beta2.GroupMember{Service: &v1beta2.ServiceReference{Namespace: "ns1", Name: "svc"}}),
				atg("atg-db", pod("ns0", "db-0"), withPorts(pod("ns1", "web-1"), http)),
			},
			ags: []*v1beta2.AddressGroup{ag("ag-clients",
				withPorts(pod("ns2", "client-1", "10.2.0.5", "fd00::5"), dns),
				pod("ns2", "client-2", "10.2.0.10"),
				// the same IP in two members: one address with both members' ports
				withPorts(v1beta2.GroupMember{ExternalEntity: &v1beta2.ExternalEntityReference{Namespace: "ns2", Name: "vm"},
					IPs: []v1beta2.IPAddress{ipAddr("10.2.0.10")}}, http),
			)},
		},
		{
			name: "k8s isolation rule: no peer matches nothing",
			np:   k8sIsolation,
			atgs: []*v1beta2.AppliedToGroup{atg("atg-web", pod("ns1", "web-1"))},
		},
		{
			name: "acnp egress to any: 0.0.0.0/0 and ::/0 kept as CIDRs, rule-level appliedTo",
			np:   egressAny,
			atgs: []*v1beta2.AppliedToGroup{atg("atg-web", pod("ns1", "web-1"))},
		},
		{
			name: "empty AddressGroup: no address",
			np:   acnp("acnp-empty-peer", 1, []string{"atg-web"}, ingress(3, 443, "ag-empty")),
			atgs: []*v1beta2.AppliedToGroup{atg("atg-web")},
			ags:  []*v1beta2.AddressGroup{ag("ag-empty")},
		},
	}
}

type goldenRule struct {
	Case string               `json:"case"`
	Rule *types.CompletedRule `json:"rule"`
}

func TestCompletedRuleGolden(t *testing.T) {
	var got []goldenRule
	for _, tc := range completionCases() {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newTestCache()
			c.replacePolicies([]*v1beta2.NetworkPolicy{tc.np})
			for _, g := range tc.atgs {
				c.upsertGroup(appliedToGroups, groupA(g))
			}
			for _, g := range tc.ags {
				c.upsertGroup(addressGroups, group1(g))
			}
			id := ruleIDsOf(tc.np)[tc.rule]
			rule, state, err := c.completedRule(id)
			require.NoError(t, err)
			require.Equal(t, ruleComplete, state)
			require.NotNil(t, rule.Peers, "Peers is never nil")
			got = append(got, goldenRule{Case: tc.name, Rule: rule})
		})
	}
	compareGolden(t, "completed_rules.golden.json", got)
}

func compareGolden(t *testing.T, name string, v any) {
	t.Helper()
	data, err := json.MarshalIndent(v, "", "  ")
	require.NoError(t, err)
	data = append(data, '\n')
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, data, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create %s", path)
	if diff := cmp.Diff(string(want), string(data)); diff != "" {
		t.Errorf("%s differs (-want +got); run go test -update if intended:\n%s", path, diff)
	}
}

func TestCompletedRuleErrors(t *testing.T) {
	np := acnp("p1", 1, []string{"atg1"}, v1beta2.NetworkPolicyRule{Direction: v1beta2.DirectionIn,
		From: v1beta2.NetworkPolicyPeer{IPBlocks: []v1beta2.IPBlock{{CIDR: v1beta2.IPNet{IP: []byte{1, 2}, PrefixLength: 8}}}}})
	c, _ := newTestCache()
	c.replacePolicies([]*v1beta2.NetworkPolicy{np})
	c.upsertGroup(appliedToGroups, groupA(atg("atg1")))
	_, state, err := c.completedRule(ruleIDsOf(np)[0])
	require.Equal(t, ruleComplete, state)
	require.ErrorContains(t, err, "ipBlock: invalid IP address of 2 bytes in CIDR")
}

// TestCompletedRuleNotEnforced: a rule that carries fields the agent does not
// enforce (l7Protocols; fqdns, labelIdentities in a peer, toServices in an
// ingress rule's from) is not
// completed when installing the rest would match more than written: Allow,
// Pass and K8s NetworkPolicy rules with any of them, Drop and Reject rules with
// l7Protocols or with nothing else in their peer (a K8s NetworkPolicy rule
// comes matching no peer, for the isolation of its Pods). A Drop or Reject rule
// with addressGroups, ipBlocks or toServices besides is completed with those
// only. An egress rule's toServices complete as the rule's ToServices.
func TestCompletedRuleNotEnforced(t *testing.T) {
	http := []v1beta2.L7Protocol{{HTTP: &v1beta2.HTTPProtocol{Method: "GET", Path: "/api"}}}
	svc := []v1beta2.ServiceReference{{Namespace: "ns1", Name: "db"}}
	block := []v1beta2.IPBlock{{CIDR: ipNet("192.168.0.0/16")}}
	egress := func(action *v1beta2.RuleAction, to v1beta2.NetworkPolicyPeer) v1beta2.NetworkPolicyRule {
		return v1beta2.NetworkPolicyRule{Direction: v1beta2.DirectionOut, Action: action, To: to}
	}
	withL7 := func(r v1beta2.NetworkPolicyRule) v1beta2.NetworkPolicyRule { r.L7Protocols = http; return r }
	allow, pass := ptr(v1beta2.RuleActionAllow), ptr(v1beta2.RuleActionPass)
	drop, reject := ptr(v1beta2.RuleActionDrop), ptr(v1beta2.RuleActionReject)
	tests := []struct {
		name string
		rule v1beta2.NetworkPolicyRule
		k8s  bool
		// wantFields are the fields the error names; nil: the rule completes
		// with wantPeers.
		wantFields []string
		wantAction string
		wantPeers  []string
		// wantServices are the completed rule's ToServices.
		wantServices []v1beta2.ServiceReference
		// wantFQDNs are the completed rule's FQDNs.
		wantFQDNs []string
	}{
		{name: "Allow with l7Protocols", rule: withL7(ingress(0, 80, "ag1")),
			wantFields: []string{"l7Protocols"}, wantAction: "Allow"},
		{name: "K8s NetworkPolicy allow with l7Protocols", rule: withL7(ingress(0, 80, "ag1")), k8s: true,
			wantFields: []string{"l7Protocols"}, wantAction: "K8s NetworkPolicy allow"},
		{name: "Pass with l7Protocols", rule: func() v1beta2.NetworkPolicyRule { r := withL7(ingress(0, 80, "ag1")); r.Action = pass; return r }(),
			wantFields: []string{"l7Protocols"}, wantAction: "Pass"},
		{name: "Allow to fqdns besides an AddressGroup: both", rule: egress(allow, v1beta2.NetworkPolicyPeer{AddressGroups: []string{"ag1"}, FQDNs: []string{"example.com"}}),
			wantPeers: []string{"10.0.1.1/32"}, wantFQDNs: []string{"example.com"}},
		{name: "Allow to fqdns only", rule: egress(allow, v1beta2.NetworkPolicyPeer{FQDNs: []string{"*.example.com"}}),
			wantPeers: []string{}, wantFQDNs: []string{"*.example.com"}},
		{name: "Allow from fqdns (ingress)", rule: v1beta2.NetworkPolicyRule{Direction: v1beta2.DirectionIn, Action: allow,
			From: v1beta2.NetworkPolicyPeer{AddressGroups: []string{"ag1"}, FQDNs: []string{"example.com"}}},
			wantFields: []string{"from.fqdns"}, wantAction: "Allow"},
		{name: "Allow to toServices: enforced", rule: egress(allow, v1beta2.NetworkPolicyPeer{ToServices: svc}),
			wantPeers: []string{}, wantServices: svc},
		{name: "Allow from toServices", rule: v1beta2.NetworkPolicyRule{Direction: v1beta2.DirectionIn, Action: allow,
			From: v1beta2.NetworkPolicyPeer{AddressGroups: []string{"ag1"}, ToServices: svc}},
			wantFields: []string{"from.toServices"}, wantAction: "Allow"},
		{name: "Pass to fqdns and toServices besides an ipBlock: all three", rule: egress(pass, v1beta2.NetworkPolicyPeer{IPBlocks: block, FQDNs: []string{"*.example.com"}, ToServices: svc}),
			wantPeers: []string{"192.168.0.0/16"}, wantFQDNs: []string{"*.example.com"}, wantServices: svc},
		{name: "Allow from labelIdentities", rule: v1beta2.NetworkPolicyRule{Direction: v1beta2.DirectionIn, Action: allow,
			From: v1beta2.NetworkPolicyPeer{AddressGroups: []string{"ag1"}, LabelIdentities: []uint32{7}}},
			wantFields: []string{"from.labelIdentities"}, wantAction: "Allow"},
		{name: "Drop with l7Protocols", rule: withL7(egress(drop, v1beta2.NetworkPolicyPeer{AddressGroups: []string{"ag1"}})),
			wantFields: []string{"l7Protocols"}, wantAction: "Drop"},
		{name: "Drop to fqdns only", rule: egress(drop, v1beta2.NetworkPolicyPeer{FQDNs: []string{"example.com"}}),
			wantPeers: []string{}, wantFQDNs: []string{"example.com"}},
		{name: "Reject to toServices and fqdns: both", rule: egress(reject, v1beta2.NetworkPolicyPeer{FQDNs: []string{"example.com"}, ToServices: svc}),
			wantPeers: []string{}, wantFQDNs: []string{"example.com"}, wantServices: svc},
		{name: "Drop to fqdns besides an ipBlock: both", rule: egress(drop, v1beta2.NetworkPolicyPeer{IPBlocks: block, FQDNs: []string{"example.com"}}),
			wantPeers: []string{"192.168.0.0/16"}, wantFQDNs: []string{"example.com"}},
		{name: "Reject to toServices besides an AddressGroup: both", rule: egress(reject, v1beta2.NetworkPolicyPeer{AddressGroups: []string{"ag1"}, ToServices: svc}),
			wantPeers: []string{"10.0.1.1/32"}, wantServices: svc},
		{name: "Drop from labelIdentities besides an AddressGroup: its members", rule: v1beta2.NetworkPolicyRule{Direction: v1beta2.DirectionIn, Action: drop,
			From: v1beta2.NetworkPolicyPeer{AddressGroups: []string{"ag1"}, LabelIdentities: []uint32{7}}},
			wantPeers: []string{"10.0.1.1/32"}},
		{name: "plain Allow", rule: ingress(0, 80, "ag1"), wantPeers: []string{"10.0.1.1/32"}},
		{name: "plain Drop to nothing", rule: egress(drop, v1beta2.NetworkPolicyPeer{}), wantPeers: []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			np := acnp("p1", 1, []string{"atg1"}, tc.rule)
			if tc.k8s {
				np = k8sNP("p1", []string{"atg1"}, tc.rule)
				np.Rules[0].Action = nil
			}
			c, _ := newTestCache()
			c.replacePolicies([]*v1beta2.NetworkPolicy{np})
			c.upsertGroup(appliedToGroups, groupA(atg("atg1", pod("ns1", "web-1"))))
			c.upsertGroup(addressGroups, group1(ag("ag1", pod("ns2", "client-1", "10.0.1.1"))))
			rule, state, err := c.completedRule(ruleIDsOf(np)[0])
			require.Equal(t, ruleComplete, state)
			if tc.wantFields == nil {
				require.NoError(t, err)
				peers := []string{}
				for _, a := range rule.Peers {
					peers = append(peers, a.CIDR)
				}
				require.Equal(t, tc.wantPeers, peers)
				require.Equal(t, tc.wantServices, rule.ToServices)
				require.Equal(t, tc.wantFQDNs, rule.FQDNs)
				return
			}
			if tc.k8s {
				// A K8s NetworkPolicy isolates its Pods whatever its rules:
				// the rule comes matching no peer, for the isolation.
				require.NotNil(t, rule)
				require.NotNil(t, rule.Peers)
				require.Empty(t, rule.Peers)
				require.Equal(t, []types.Member{{Pod: types.PodRef{Namespace: "ns1", Name: "web-1"}}}, rule.Targets)
				require.ErrorContains(t, err, "only the isolation of its Pods is installed")
			} else {
				require.Nil(t, rule)
			}
			t.Log(err)
			var ne *notEnforcedError
			require.ErrorAs(t, err, &ne)
			require.Equal(t, tc.wantFields, ne.Fields)
			require.Equal(t, tc.wantAction, ne.Action)
			for _, f := range tc.wantFields {
				require.ErrorContains(t, err, f)
			}
			require.ErrorContains(t, err, "not enforced by this Strata version: the "+tc.wantAction+" rule is not installed")
			require.ErrorContains(t, err, "NetworkPolicy p1", "the error names the policy")
		})
	}
}
