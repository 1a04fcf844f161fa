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
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/strata-net/strata/apis/controlplane"
	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
	"github.com/strata-net/strata/apis/crd/validation"
)

// TestAuditAnnotation: the enforcement annotation of an ACNP or ANNP is
// carried into the computed policy (Audit only for "audit"), and switching
// it republishes the policy with the mode changed and its rules unchanged.
func TestAuditAnnotation(t *testing.T) {
	appliedTo := []crdv1beta1.AppliedTo{{PodSelector: sel("app", "guestbook")}}
	drop := ruleFrom(crdv1beta1.RuleActionDrop, "drop", crdv1beta1.NetworkPolicyPeer{PodSelector: sel("app", "guestbook")})
	cases := []struct {
		name  string
		value *string
		want  bool
	}{
		{"no annotation: enforced", nil, false},
		{"enforce", ptrTo(validation.EnforcementEnforce), false},
		{"audit", ptrTo(validation.EnforcementAudit), true},
	}
	annotate := func(m *metav1.ObjectMeta, v *string) {
		m.Annotations = nil
		if v != nil {
			m.Annotations = map[string]string{validation.EnforcementAnnotation: *v}
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, src, sink := newIssueCompiler()
			seedCluster(c)
			cnp := acnp("p", "application", 1, appliedTo, drop)
			annotate(&cnp.ObjectMeta, tc.value)
			src.acnps["p"] = cnp
			c.ClusterNetworkPolicyChanged("p")
			ns := annp("test", "q", "application", 1, appliedTo, drop)
			annotate(&ns.ObjectMeta, tc.value)
			src.annps["test/q"] = ns
			c.AntreaNetworkPolicyChanged("test", "q")
			c.Process()
			for _, name := range []string{string(cnp.UID), string(ns.UID)} {
				np := sink.policies[name]
				if np == nil {
					t.Fatalf("%s was not published", name)
				}
				if np.Audit != tc.want {
					t.Errorf("%s: Audit %v, want %v", np.SourceRef.Name, np.Audit, tc.want)
				}
			}
		})
	}

	c, src, sink := newIssueCompiler()
	seedCluster(c)
	cnp := acnp("p", "application", 1, appliedTo, drop)
	annotate(&cnp.ObjectMeta, ptrTo(validation.EnforcementAudit))
	src.acnps["p"] = cnp
	c.ClusterNetworkPolicyChanged("p")
	c.Process()
	audited := sink.policies[string(cnp.UID)].DeepCopy()
	switched := cnp.DeepCopy()
	annotate(&switched.ObjectMeta, ptrTo(validation.EnforcementEnforce))
	src.acnps["p"] = switched
	c.ClusterNetworkPolicyChanged("p")
	c.Process()
	enforced := sink.policies[string(cnp.UID)]
	if !audited.Audit || enforced.Audit {
		t.Fatalf("switching to enforce: Audit %v then %v", audited.Audit, enforced.Audit)
	}
	if diff := cmp.Diff(audited.Rules, enforced.Rules); diff != "" {
		t.Errorf("the rules changed with the mode (-audited +enforced):\n%s", diff)
	}
}

// TestAuditedCondition: the status of an audited policy carries a True
// Audited condition saying it decides nothing; an enforced one has none.
func TestAuditedCondition(t *testing.T) {
	for _, audit := range []bool{false, true} {
		st := aggregate(observed{generation: 1, span: sets.New("n1"), audit: audit},
			[]controlplane.NetworkPolicyNodeStatus{{NodeName: "n1", Generation: 1}})
		if st.Phase != crdv1beta1.NetworkPolicyRealized {
			t.Fatalf("audit %v: phase %s", audit, st.Phase)
		}
		var found *crdv1beta1.NetworkPolicyCondition
		for i := range st.Conditions {
			if st.Conditions[i].Type == crdv1beta1.NetworkPolicyConditionAudited {
				found = &st.Conditions[i]
			}
		}
		switch {
		case audit && (found == nil || found.Status != metav1.ConditionTrue || found.Reason != reasonAuditMode || found.Message == ""):
			t.Errorf("audited policy: condition %+v", found)
		case !audit && found != nil:
			t.Errorf("enforced policy has an Audited condition: %+v", found)
		}
	}
}

func ptrTo[T any](v T) *T { return &v }
