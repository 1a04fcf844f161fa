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
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"

	"github.com/strata-net/strata/apis/controlplane"
	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
)

func ruleToServices(action crdv1beta1.RuleAction, name string, svcs ...crdv1beta1.PeerService) crdv1beta1.Rule {
	return crdv1beta1.Rule{Action: &action, Name: name, ToServices: svcs}
}

// TestCompileToServices: an egress rule's toServices become the controlplane rule's
// To.ToServices (and nothing else: no AddressGroups, no ipBlocks, so not every
// address), an ANNP's entries without a namespace naming its own Namespace's
// Services; an ingress rule's toServices (refused) compile to nothing, and a
// ClusterSet entry is left out of a Drop. A Service that does not exist is an
// issue (ServiceNotFound) until it is created.
func TestCompileToServices(t *testing.T) {
	c, src, sink := newIssueCompiler()
	seedCluster(c)
	for _, key := range []string{"test/db", "test/web"} {
		src.services[key] = &corev1.Service{}
	}
	p := acnp("p", "securityops", 1, []crdv1beta1.AppliedTo{{PodSelector: sel("app", "guestbook")}})
	p.Spec.Egress = []crdv1beta1.Rule{
		ruleToServices(crdv1beta1.RuleActionDrop, "drop-db", crdv1beta1.PeerService{Namespace: "test", Name: "db"},
			crdv1beta1.PeerService{Namespace: "test", Name: "mc", Scope: crdv1beta1.ScopeClusterSet}),
	}
	p.Spec.Ingress = []crdv1beta1.Rule{ruleToServices(crdv1beta1.RuleActionDrop, "in", crdv1beta1.PeerService{Namespace: "test", Name: "db"})}
	src.acnps["p"] = p
	q := annp("test", "q", "application", 3, []crdv1beta1.AppliedTo{{PodSelector: sel("app", "guestbook")}})
	q.Spec.Egress = []crdv1beta1.Rule{ruleToServices(crdv1beta1.RuleActionAllow, "allow-svcs",
		crdv1beta1.PeerService{Name: "web"}, crdv1beta1.PeerService{Namespace: "default", Name: "dns"})}
	src.annps["test/q"] = q
	c.ClusterNetworkPolicyChanged("p")
	c.AntreaNetworkPolicyChanged("test", "q")
	c.Process()

	cases := []struct {
		policy string
		want   []controlplane.ServiceReference
	}{
		{"uid-p", []controlplane.ServiceReference{{Namespace: "test", Name: "db"}}},
		{"uid-test-q", []controlplane.ServiceReference{{Namespace: "test", Name: "web"}, {Namespace: "default", Name: "dns"}}},
	}
	for _, tc := range cases {
		t.Run(tc.policy, func(t *testing.T) {
			np := sink.policies[tc.policy]
			if np == nil {
				t.Fatalf("%s was not published", tc.policy)
			}
			if len(np.Rules) != 1 {
				t.Fatalf("rules %+v, want the egress rule only", np.Rules)
			}
			r := np.Rules[0]
			want := controlplane.NetworkPolicyPeer{ToServices: tc.want}
			if r.Direction != controlplane.DirectionOut || !cmp.Equal(r.To, want) {
				t.Fatalf("rule %s: direction %s, to %+v, want Out to %+v", r.Name, r.Direction, r.To, want)
			}
		})
	}
	if is := sink.issues["uid-p"]; len(is) != 2 || is[0].Reason != reasonUnsupportedField || is[1].Reason != reasonUnsupportedField {
		t.Fatalf("issues of p: %+v, want the ingress toServices and the ClusterSet scope", is)
	}
	want := []Issue{{Reason: reasonServiceNotFound,
		Message: `Service "default/dns" does not exist: the toServices of rule "allow-svcs" match nothing of it until it does`}}
	if is := sink.issues["uid-test-q"]; !cmp.Equal(is, want) {
		t.Fatalf("issues of q: %+v, want %+v", is, want)
	}
	src.services["default/dns"] = &corev1.Service{}
	c.ServiceChanged("default", "dns")
	c.Process()
	if is := sink.issues["uid-test-q"]; len(is) != 0 {
		t.Fatalf("issues of q once the Service exists: %+v", is)
	}
	delete(src.services, "test/web")
	c.ServiceChanged("test", "web")
	c.Process()
	if is := sink.issues["uid-test-q"]; len(is) != 1 || is[0].Reason != reasonServiceNotFound {
		t.Fatalf("issues of q once test/web is deleted: %+v", is)
	}
}
