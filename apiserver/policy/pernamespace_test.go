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
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
)

// TestPerNamespaceAppliedTo: a rule with a peer of the applied-to Pod's own
// Namespace (namespaces match Self) in a policy applied to a ServiceAccount applies
// to the ServiceAccount's Pods with the peers of their Namespace only (not once per
// Namespace to the same Pods); in a policy applied to a ClusterGroup, to the
// group's Pods of each Namespace with the peers of that Namespace (not to none);
// the rules follow the ClusterGroup's changes. TestFieldsOnTraffic/
// acnp-namespaces-appliedto is the end-to-end test.
func TestPerNamespaceAppliedTo(t *testing.T) {
	c, src, sink := newIssueCompiler()
	c.UpsertNamespace("a", labels.Set{})
	c.UpsertNamespace("b", labels.Set{})
	for _, p := range []struct{ ns, name, ip, sa string }{
		{"a", "web", "10.0.0.1", "default"}, {"a", "web-sa", "10.0.0.2", "sa"}, {"b", "web", "10.0.0.3", "default"},
		{"b", "web-sa", "10.0.0.4", "sa"}, // another Namespace's ServiceAccount of the same name
	} {
		c.UpsertPod(gpod(p.ns, p.name, "n1", p.ip, "app", "web", serviceAccountLabel, p.sa))
	}
	self := crdv1beta1.NetworkPolicyPeer{Namespaces: &crdv1beta1.PeerNamespaces{Match: crdv1beta1.NamespaceMatchSelf}}
	src.groups["cg"] = &crdv1beta1.ClusterGroup{ObjectMeta: metav1.ObjectMeta{Name: "cg", UID: "uid-cg"},
		Spec: crdv1beta1.GroupSpec{PodSelector: sel("app", "web"), NamespaceSelector: &metav1.LabelSelector{}}}
	c.ClusterGroupChanged("cg")
	src.acnps["sa"] = acnp("sa", "securityops", 1,
		[]crdv1beta1.AppliedTo{{ServiceAccount: &crdv1beta1.NamespacedName{Name: "sa", Namespace: "a"}}},
		ruleFrom(crdv1beta1.RuleActionDrop, "same-ns", self))
	src.acnps["cg"] = acnp("cg", "securityops", 2, []crdv1beta1.AppliedTo{{Group: "cg"}},
		ruleFrom(crdv1beta1.RuleActionDrop, "same-ns", self))
	c.ClusterNetworkPolicyChanged("sa")
	c.ClusterNetworkPolicyChanged("cg")
	c.Process()
	peersOf := func(policy string) map[string][]string {
		t.Helper()
		np := sink.policies["uid-"+policy]
		if np == nil {
			t.Fatalf("policy %s was not computed", policy)
		}
		got := map[string][]string{}
		for _, r := range np.Rules {
			for _, atg := range r.AppliedToGroups {
				for _, a := range sink.appliedMembers(atg) {
					a = strings.TrimPrefix(a, "n1:")
					for _, ag := range r.From.AddressGroups {
						got[a] = append(got[a], memberKeys(sink.fakeSink, ag)...)
					}
					sort.Strings(got[a])
				}
			}
		}
		return got
	}
	nsA := []string{"Pod:a/web-sa@10.0.0.2", "Pod:a/web@10.0.0.1"}
	nsB := []string{"Pod:b/web-sa@10.0.0.4", "Pod:b/web@10.0.0.3"}
	if diff := cmp.Diff(map[string][]string{"a/web-sa": nsA}, peersOf("sa")); diff != "" {
		t.Errorf("applied to the ServiceAccount a/sa: peers by applied-to Pod (-want +got):\n%s", diff)
	}
	want := map[string][]string{"a/web": nsA, "a/web-sa": nsA, "b/web": nsB, "b/web-sa": nsB}
	if diff := cmp.Diff(want, peersOf("cg")); diff != "" {
		t.Errorf("applied to the ClusterGroup: peers by applied-to Pod (-want +got):\n%s", diff)
	}
	if issues := sink.issues["uid-cg"]; len(issues) != 0 {
		t.Errorf("issues of the policy applied to the ClusterGroup: %v", issues)
	}
	// The ClusterGroup now selects the Pods of its ServiceAccount only.
	src.groups["cg"].Spec.PodSelector = sel(serviceAccountLabel, "sa")
	c.ClusterGroupChanged("cg")
	c.Process()
	want = map[string][]string{"a/web-sa": nsA, "b/web-sa": nsB}
	if diff := cmp.Diff(want, peersOf("cg")); diff != "" {
		t.Errorf("after the ClusterGroup changed: peers by applied-to Pod (-want +got):\n%s", diff)
	}
}
