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

package validation

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/strata-net/strata/apis/crd"
)

// wantErr is one expected error: its type, its exact field path and a part of its
// message (the detail a cluster admin reads).
type wantErr struct {
	typ  field.ErrorType
	path string
	msg  string
}

// assertErrors requires got to be exactly the wanted errors, in order.
func assertErrors(t *testing.T, got field.ErrorList, want []wantErr) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%s", len(got), len(want), got.ToAggregate())
	}
	for i, w := range want {
		g := got[i]
		if g.Type != w.typ || g.Field != w.path || !strings.Contains(g.Error(), w.msg) {
			t.Errorf("error %d = %q (type %s, path %s); want type %s, path %s, message containing %q",
				i, g.Error(), g.Type, g.Field, w.typ, w.path, w.msg)
		}
	}
}

func sel(kv ...string) *metav1.LabelSelector {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return &metav1.LabelSelector{MatchLabels: m}
}

func action(a crd.RuleAction) *crd.RuleAction { return &a }

func proto(p crd.Protocol) *crd.Protocol { return &p }

func i32(v int32) *int32 { return &v }

func port(v int) *intstr.IntOrString {
	p := intstr.FromInt32(int32(v))
	return &p
}

func namedPort(name string) *intstr.IntOrString {
	p := intstr.FromString(name)
	return &p
}

// validACNP is a valid ClusterNetworkPolicy shaped like the seed's, with one
// ingress and one egress rule; test cases mutate it.
func validACNP(mutate func(*crd.ClusterNetworkPolicy)) *crd.ClusterNetworkPolicy {
	p := &crd.ClusterNetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "acnp-drop-access-to-redis"},
		Spec: crd.ClusterNetworkPolicySpec{
			Tier:      "securityops",
			Priority:  5,
			AppliedTo: []crd.AppliedTo{{PodSelector: sel("app", "redis")}},
			Ingress: []crd.Rule{{
				Action: action(crd.RuleActionAllow),
				From:   []crd.NetworkPolicyPeer{{PodSelector: sel("app", "other")}},
				Name:   "AllowFromOther",
			}},
			Egress: []crd.Rule{{
				Action: action(crd.RuleActionDrop),
				To:     []crd.NetworkPolicyPeer{{IPBlock: &crd.IPBlock{CIDR: "10.0.0.0/8"}}},
				Ports:  []crd.NetworkPolicyPort{{Protocol: proto(crd.ProtocolTCP), Port: port(80)}},
				Name:   "DropWeb",
			}},
		},
	}
	if mutate != nil {
		mutate(p)
	}
	return p
}

func in0(p *crd.ClusterNetworkPolicy) *crd.Rule                { return &p.Spec.Ingress[0] }
func eg0(p *crd.ClusterNetworkPolicy) *crd.Rule                { return &p.Spec.Egress[0] }
func from0(p *crd.ClusterNetworkPolicy) *crd.NetworkPolicyPeer { return &p.Spec.Ingress[0].From[0] }
func to0(p *crd.ClusterNetworkPolicy) *crd.NetworkPolicyPeer   { return &p.Spec.Egress[0].To[0] }
