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

import (
	"context"
	"errors"
	"net"
	"testing"

	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/nodeagent/ovs/openflow"
	"github.com/strata-net/strata/nodeagent/types"
)

// fakeInterfaces is a PodInterfaces backed by a map.
type fakeInterfaces map[types.PodRef]Interface

func (f fakeInterfaces) Lookup(ref types.PodRef) (Interface, bool) {
	i, ok := f[ref]
	return i, ok
}

// noSwitch fails every connection: for tests that only compute flows.
type noSwitch struct{}

func (noSwitch) Conn(context.Context) (*openflow.Conn, error) {
	return nil, errors.New("no switch in this test")
}

func podRef(name string) types.PodRef { return types.PodRef{Namespace: "default", Name: name} }

func member(name string, ports ...v1beta2.NamedPort) types.Member {
	return types.Member{Pod: podRef(name), Ports: ports}
}

func mac(s string) net.HardwareAddr {
	m, err := net.ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return m
}

func ips(s ...string) []net.IP {
	out := make([]net.IP, len(s))
	for i, v := range s {
		out[i] = net.ParseIP(v)
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func action(a v1beta2.RuleAction) *v1beta2.RuleAction { return &a }

func tcp(port int32) v1beta2.Service {
	p := intstr.FromInt32(port)
	return v1beta2.Service{Protocol: ptr(v1beta2.ProtocolTCP), Port: &p}
}

func named(proto v1beta2.Protocol, name string) v1beta2.Service {
	p := intstr.FromString(name)
	return v1beta2.Service{Protocol: ptr(proto), Port: &p}
}

func addrs(cidrs ...string) []types.Address {
	out := make([]types.Address, len(cidrs))
	for i, c := range cidrs {
		out[i] = types.Address{CIDR: c}
	}
	return out
}

// acnp is an Antrea ClusterNetworkPolicy rule in a tier at a priority.
func acnp(id string, tier int32, prio float64, index int32, dir v1beta2.Direction, act v1beta2.RuleAction) *types.CompletedRule {
	return &types.CompletedRule{
		ID:             types.RuleID(id),
		Policy:         types.PolicyRef{Type: v1beta2.AntreaClusterNetworkPolicy, Name: "acnp-" + id},
		Direction:      dir,
		Action:         action(act),
		TierPriority:   ptr(tier),
		PolicyPriority: ptr(prio),
		RuleIndex:      index,
		Name:           "rule-" + id,
	}
}

// k8snp is a K8s NetworkPolicy rule.
func k8snp(id string, dir v1beta2.Direction) *types.CompletedRule {
	return &types.CompletedRule{
		ID:        types.RuleID(id),
		Policy:    types.PolicyRef{Type: v1beta2.K8sNetworkPolicy, Namespace: "default", Name: "np-" + id},
		Direction: dir,
		Name:      "",
	}
}

// computeFlows returns the policy flows the rules compile to, without a
// switch.
func computeFlows(t *testing.T, ifaces PodInterfaces, rules ...*types.CompletedRule) []openflow.Flow {
	t.Helper()
	p, err := New(Config{Switch: noSwitch{}, Interfaces: ifaces})
	if err != nil {
		t.Fatal(err)
	}
	c := newCompiler(ifaces, nil)
	var compiled []*compiledRule
	for _, r := range rules {
		cr, err := c.compile(r)
		if err != nil {
			t.Fatal(err)
		}
		compiled = append(compiled, cr)
	}
	if err := p.policies.replace(compiled); err != nil {
		t.Fatal(err)
	}
	return flowsOfCategory(p.flows.all(), categoryPolicy)
}

func flowsOfCategory(flows []openflow.Flow, category uint8) []openflow.Flow {
	var out []openflow.Flow
	for _, f := range flows {
		if uint8((f.Cookie&categoryMask)>>categoryShift) == category {
			out = append(out, f)
		}
	}
	return out
}
