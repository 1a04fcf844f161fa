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
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/nodeagent/proxy"
	"github.com/strata-net/strata/nodeagent/types"
)

// grepMods are the mods that contain every one of words.
func grepMods(mods []string, words ...string) []string {
	var out []string
	for _, m := range mods {
		all := true
		for _, w := range words {
			all = all && strings.Contains(m, w)
		}
		if all {
			out = append(out, m)
		}
	}
	return out
}

// TestToServicesFollowTheService: the flow mods of one Service change (one
// bundle) carry the matches of the toServices rules naming it: a new
// frontend's ServiceLB flow comes with the rule's reg7 match of its id, a
// removed one takes the match along; a rule naming no existing Service has no
// match flow, and other Services do not touch it.
func TestToServicesFollowTheService(t *testing.T) {
	o := newOffline(t)
	webRef := proxy.ServiceRef{Namespace: "default", Name: "web"}
	web := goldenServicePort("web", proxy.TCP, 80, "10.77.0.12:8080")
	mods := o.reconcile(toServices(rule(acnp("to-web", 250, 5, 0, out, drop), targets("pod1"), nil), "web"))
	require.Empty(t, grepMods(mods, "reg7="), "matches of a Service that does not exist")

	o.p.services.replace(proxy.ServiceRef{Namespace: "default", Name: "other"},
		[]proxy.ServicePort{goldenServicePort("other", proxy.TCP, 81, "10.77.0.13:8080")})
	require.Empty(t, grepMods(o.sync(), "reg7="), "another Service's change")

	o.p.services.replace(webRef, []proxy.ServicePort{web})
	mods = o.sync()
	id, ok := o.p.services.ids.ids[frontendKey{port: web.Key, ip: web.ClusterIPs[0]}]
	require.True(t, ok)
	match := fmt.Sprintf("reg7=%#x", id)
	require.Len(t, grepMods(mods, "ADD", "table=ServiceLB", "nw_dst=10.96.0.10,tp_dst=80"), 1, "the frontend: %v", mods)
	require.Len(t, grepMods(mods, "ADD", "table=AntreaPolicyEgressRule", match+" "), 1,
		"the rule's match of the frontend in the same bundle: %v", mods)

	o.p.services.replace(webRef, nil)
	mods = o.sync()
	require.Len(t, grepMods(mods, "DEL_STRICT", fmt.Sprintf("table=%d,", ServiceLB), "ipv4_dst=10.96.0.10"), 1,
		"the frontend removed: %v", mods)
	require.Len(t, grepMods(mods, "DEL_STRICT", fmt.Sprintf("table=%d,", AntreaPolicyEgressRule), match), 1,
		"the rule's match removed with it: %v", mods)
}

// TestToServicesOnlyTheServices: a toServices rule whose Peers are nil (any
// address elsewhere) matches its Services only, never any destination.
func TestToServicesOnlyTheServices(t *testing.T) {
	r := rule(acnp("to-web", 250, 5, 0, out, allow), targets("pod1"), nil)
	r.ToServices = []v1beta2.ServiceReference{{Namespace: "default", Name: "web"}}
	cr, err := newCompiler(goldenPods(), nil).compile(r)
	require.NoError(t, err)
	for _, part := range cr.parts {
		if part.svcClause == 0 {
			require.True(t, part.matchesNothing(), "a part besides the Services' matches %+v", part.clauses)
		}
	}
}

// TestToServicesCompileErrors: toServices are egress only and need a name and
// a namespace.
func TestToServicesCompileErrors(t *testing.T) {
	cases := []struct {
		name string
		rule *types.CompletedRule
		want string
	}{
		{"ingress", toServices(rule(acnp("in", 250, 5, 0, in, drop), targets("pod1"), nil), "web"),
			"toServices is only valid in egress rules"},
		{"no namespace", func() *types.CompletedRule {
			r := rule(acnp("nons", 250, 5, 0, out, drop), targets("pod1"), []types.Address{})
			r.ToServices = []v1beta2.ServiceReference{{Name: "web"}}
			return r
		}(), "needs a name and a namespace"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := newCompiler(goldenPods(), nil).compile(tc.rule)
			require.ErrorContains(t, err, tc.want)
		})
	}
}
