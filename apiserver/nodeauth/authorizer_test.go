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

package nodeauth

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
)

// spans: node-a needs np-a, ag-a, atg-a; node-b needs the -b ones.
type fakeSpans map[string]string

func (f fakeSpans) InSpan(_, name, node string) bool { return name != "" && f[name] == node }

var testSpans = fakeSpans{"np-a": "node-a", "ag-a": "node-a", "atg-a": "node-a", "np-b": "node-b", "ag-b": "node-b", "atg-b": "node-b"}

var (
	certA     = &user.DefaultInfo{Name: "system:strata-agent:node-a", Groups: []string{AgentGroup, "system:authenticated"}}
	tokenA    = &user.DefaultInfo{Name: "system:serviceaccount:kube-system:strata-agent", Extra: map[string][]string{NodeNameExtra: {"node-a"}}}
	unbound   = &user.DefaultInfo{Name: "system:serviceaccount:kube-system:strata-agent"}
	halfGroup = &user.DefaultInfo{Name: "mallory", Groups: []string{AgentGroup}}
	halfName  = &user.DefaultInfo{Name: "system:strata-agent:node-a"}
	badNode   = &user.DefaultInfo{Name: "system:strata-agent:Node_A", Groups: []string{AgentGroup}}
	operator  = &user.DefaultInfo{Name: "alice", Groups: []string{"system:authenticated"}}
	otherSA   = &user.DefaultInfo{Name: "system:serviceaccount:default:app", Extra: map[string][]string{NodeNameExtra: {"node-a"}}}
)

func newTestAuthorizer(t *testing.T) *Authorizer {
	t.Helper()
	a, err := New(Config{Spans: testSpans})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return a
}

func attrs(u user.Info, verb, resource, name, selector string) authorizer.AttributesRecord {
	res, sub, _ := strings.Cut(resource, "/")
	r := authorizer.AttributesRecord{User: u, Verb: verb, APIGroup: "controlplane.antrea.io", APIVersion: "v1beta2",
		Resource: res, Subresource: sub, Name: name, ResourceRequest: true}
	if selector != "" {
		sel, err := fields.ParseSelector(selector)
		r.FieldSelectorRequirements, r.FieldSelectorParsingErr = sel.Requirements(), err
	}
	return r
}

func TestAuthorizerCases(t *testing.T) {
	a := newTestAuthorizer(t)
	cases := []struct {
		name     string
		attrs    authorizer.AttributesRecord
		want     authorizer.Decision
		wantRule string
	}{
		{"cert agent watches its slice", attrs(certA, "watch", "networkpolicies", "", "nodeName=node-a"), authorizer.DecisionNoOpinion, ""},
		{"token agent lists its slice", attrs(tokenA, "list", "addressgroups", "", "nodeName=node-a"), authorizer.DecisionNoOpinion, ""},
		{"== is an equality too", attrs(certA, "list", "appliedtogroups", "", "nodeName==node-a"), authorizer.DecisionNoOpinion, ""},
		{"own slice and a name", attrs(certA, "watch", "networkpolicies", "", "metadata.name=np-a,nodeName=node-a"), authorizer.DecisionNoOpinion, ""},
		{"another Node's slice", attrs(certA, "list", "networkpolicies", "", "nodeName=node-b"), authorizer.DecisionDeny, RuleOwnNodeSelector},
		{"watch without selector", attrs(certA, "watch", "networkpolicies", "", ""), authorizer.DecisionDeny, RuleOwnNodeSelector},
		{"list by name only", attrs(tokenA, "list", "addressgroups", "", "metadata.name=ag-a"), authorizer.DecisionDeny, RuleOwnNodeSelector},
		{"not-equal selector", attrs(certA, "watch", "appliedtogroups", "", "nodeName!=node-b"), authorizer.DecisionDeny, RuleOwnNodeSelector},
		{"own and another Node", attrs(certA, "watch", "appliedtogroups", "", "nodeName=node-a,nodeName=node-b"), authorizer.DecisionDeny, RuleOwnNodeSelector},
		{"invalid selector", authorizer.AttributesRecord{User: certA, Verb: "list", APIGroup: "controlplane.antrea.io", Resource: "networkpolicies",
			ResourceRequest: true, FieldSelectorParsingErr: fmt.Errorf("bad")}, authorizer.DecisionDeny, RuleOwnNodeSelector},
		{"get in span", attrs(certA, "get", "networkpolicies", "np-a", ""), authorizer.DecisionNoOpinion, ""},
		{"get out of span", attrs(certA, "get", "networkpolicies", "np-b", ""), authorizer.DecisionDeny, RuleInSpan},
		{"get unknown", attrs(tokenA, "get", "addressgroups", "nope", ""), authorizer.DecisionDeny, RuleInSpan},
		{"status create", attrs(certA, "create", "networkpolicies/status", "np-b", ""), authorizer.DecisionNoOpinion, ""},
		{"sync report, no name in URL", attrs(certA, "create", "nodesyncreports", "", ""), authorizer.DecisionNoOpinion, ""},
		{"stats summary for itself", attrs(certA, "create", "nodestatssummaries", "node-a", ""), authorizer.DecisionNoOpinion, ""},
		{"stats summary for another Node", attrs(certA, "create", "nodestatssummaries", "node-b", ""), authorizer.DecisionDeny, RuleOwnNodeReport},
		{"no explain for agents", attrs(certA, "create", "networkpolicyevaluations", "", ""), authorizer.DecisionDeny, RuleNothingElse},
		{"no delete", attrs(certA, "delete", "networkpolicies", "np-a", ""), authorizer.DecisionDeny, RuleNothingElse},
		{"unbound token", attrs(unbound, "watch", "networkpolicies", "", "nodeName=node-a"), authorizer.DecisionDeny, RuleNodeIdentity},
		{"group without agent name", attrs(halfGroup, "watch", "networkpolicies", "", "nodeName=node-a"), authorizer.DecisionDeny, RuleNodeIdentity},
		{"agent name without group", attrs(halfName, "watch", "networkpolicies", "", "nodeName=node-a"), authorizer.DecisionDeny, RuleNodeIdentity},
		{"invalid Node name", attrs(badNode, "watch", "networkpolicies", "", "nodeName=Node_A"), authorizer.DecisionDeny, RuleNodeIdentity},
		{"operator: RBAC decides", attrs(operator, "list", "networkpolicies", "", ""), authorizer.DecisionNoOpinion, ""},
		{"other ServiceAccount with a Node: RBAC decides", attrs(otherSA, "list", "networkpolicies", "", ""), authorizer.DecisionNoOpinion, ""},
		{"agent outside controlplane: RBAC decides", authorizer.AttributesRecord{User: certA, Verb: "list", APIGroup: "crd.antrea.io",
			Resource: "tiers", ResourceRequest: true}, authorizer.DecisionNoOpinion, ""},
		{"agent non-resource: RBAC decides", authorizer.AttributesRecord{User: certA, Verb: "get", Path: "/healthz"}, authorizer.DecisionNoOpinion, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, reason, err := a.Authorize(context.Background(), tc.attrs)
			if err != nil || got != tc.want {
				t.Fatalf("Authorize = %v, %q, %v; want %v", got, reason, err, tc.want)
			}
			if tc.wantRule != "" && !strings.Contains(reason, "rule "+tc.wantRule+":") {
				t.Fatalf("reason %q does not name rule %s", reason, tc.wantRule)
			}
		})
	}
}

// TestAuthorizerMatrix runs every verb × resource × identity × selector; the
// requests an agent of node-a may make are listed, everything else of an agent is
// denied naming a rule, and every other user gets no opinion.
func TestAuthorizerMatrix(t *testing.T) {
	a := newTestAuthorizer(t)
	verbs := []string{"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"}
	resources := []string{"networkpolicies", "addressgroups", "appliedtogroups", "networkpolicies/status",
		"podstartups", "nodesyncreports", "nodestatssummaries", "networkpolicyevaluations"}
	names := map[string]string{"networkpolicies": "np-a", "addressgroups": "ag-a", "appliedtogroups": "atg-a",
		"networkpolicies/status": "np-a", "nodestatssummaries": "node-a"}
	selectors := []string{"", "nodeName=node-a", "nodeName=node-b", "metadata.name=x"}
	identities := map[string]user.Info{"certA": certA, "tokenA": tokenA, "unbound": unbound, "halfGroup": halfGroup,
		"operator": operator, "otherSA": otherSA}
	agentsOfA := map[string]bool{"certA": true, "tokenA": true}
	agents := map[string]bool{"certA": true, "tokenA": true, "unbound": true, "halfGroup": true}
	allowed := map[string]bool{}
	for _, r := range []string{"networkpolicies", "addressgroups", "appliedtogroups"} {
		allowed["list "+r+" nodeName=node-a"] = true
		allowed["watch "+r+" nodeName=node-a"] = true
		for _, s := range selectors {
			allowed["get "+r+" "+s] = true
		}
	}
	for _, r := range []string{"networkpolicies/status", "podstartups", "nodesyncreports", "nodestatssummaries"} {
		for _, s := range selectors {
			allowed["create "+r+" "+s] = true
		}
	}
	for idName, u := range identities {
		for _, verb := range verbs {
			for _, res := range resources {
				for _, sel := range selectors {
					key := verb + " " + res + " " + sel
					want := authorizer.DecisionNoOpinion
					switch {
					case agentsOfA[idName] && allowed[key]:
						// Within bounds: RBAC decides.
						want = authorizer.DecisionNoOpinion
					case agents[idName]:
						want = authorizer.DecisionDeny
					}
					got, reason, err := a.Authorize(context.Background(), attrs(u, verb, res, names[res], sel))
					if err != nil || got != want {
						t.Errorf("%s: %s = %v (%q, %v), want %v", idName, key, got, reason, err, want)
					}
					if got == authorizer.DecisionDeny && !strings.Contains(reason, "rule ") {
						t.Errorf("%s: %s: reason %q names no rule", idName, key, reason)
					}
				}
			}
		}
	}
}

func TestConfigValidate(t *testing.T) {
	cases := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{"defaults", Config{Spans: testSpans}, ""},
		{"no spans", Config{}, "Spans is required"},
		{"bad ServiceAccount", Config{Spans: testSpans, Identities: Identities{ServiceAccounts: []string{"strata-agent"}}}, `"strata-agent": want namespace/name`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			if (err == nil) != (tc.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("New = %v, want error containing %q", err, tc.wantErr)
			}
		})
	}
}
