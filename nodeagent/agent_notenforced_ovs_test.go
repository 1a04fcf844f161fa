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

package nodeagent

import (
	"fmt"
	"strings"
	"testing"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
)

// TestAgentL7AllowNotInstalled: an Allow of tcp/80 restricted to "GET /api"
// (l7Protocols, which Strata does not enforce; a policy stored by an older
// version can carry it) above a Drop of tcp/80 is not installed as a plain
// tcp/80 Allow: TCP to port 80 stays dropped, the policy's other rules are
// enforced, and its status reports the failure naming the rule and
// l7Protocols.
func TestAgentL7AllowNotInstalled(t *testing.T) {
	n := newNode(t)
	allowGET := fromClient(action(v1beta2.RuleActionAllow), "AllowGETAPI", 0, false, tcpService(80))
	allowGET.L7Protocols = []v1beta2.L7Protocol{{HTTP: &v1beta2.HTTPProtocol{Method: "GET", Path: "/api"}}}
	n.setPolicies(acnpObject("web", tierSecurityOps, 5,
		allowGET,
		fromClient(action(v1beta2.RuleActionDrop), "DropWeb", 1, false, tcpService(80)),
		fromClient(action(v1beta2.RuleActionAllow), "AllowAdmin", 2, false, tcpService(8080)),
	))
	n.serve(t, 80, 8080)
	n.run(t)
	n.waitConnects(t, 8080)
	n.expectDropped(t, 80)
	var failure v1beta2.NetworkPolicyNodeStatus
	eventually(t, "the policy's realization failure", func() error {
		for _, st := range n.cp.statusReports() {
			if st.Name == "uid-web" && len(st.Nodes) == 1 && st.Nodes[0].RealizationFailure {
				failure = st.Nodes[0]
				return nil
			}
		}
		return fmt.Errorf("reports %v", n.cp.statusReports())
	})
	for _, want := range []string{`In rule 0 "AllowGETAPI"`, "l7Protocols is not enforced", "the Allow rule is not installed"} {
		if !strings.Contains(failure.Message, want) {
			t.Errorf("status message %q lacks %q", failure.Message, want)
		}
	}
	if strings.Contains(failure.Message, "DropWeb") || strings.Contains(failure.Message, "AllowAdmin") {
		t.Errorf("status message %q names an installed rule", failure.Message)
	}
	for _, f := range n.flows(t) {
		if strings.Contains(f, "tp_dst=80 ") && strings.Count(f, "conjunction(") != 1 {
			t.Errorf("tcp/80 is a clause of more than the Drop: %s", f)
		}
	}
}

// TestAgentK8sL7AllowIsolates: a K8s NetworkPolicy whose only rule allows
// tcp/80 restricted by l7Protocols (no K8s NetworkPolicy has them; a foreign
// or corrupted controlplane object could) still isolates the server, and its
// rule allows nothing: tcp/80 is dropped, and so is tcp/8080, which a
// baseline Allow lets through only to Pods no K8s NetworkPolicy isolates. A
// securityops Allow (evaluated before K8s NetworkPolicies) is the control.
func TestAgentK8sL7AllowIsolates(t *testing.T) {
	n := newNode(t)
	allowGET := fromClient(nil, "", 0, false, tcpService(80))
	allowGET.L7Protocols = []v1beta2.L7Protocol{{HTTP: &v1beta2.HTTPProtocol{Method: "GET", Path: "/api"}}}
	n.setPolicies(k8sNPObject("get-api", allowGET),
		acnpObject("control", tierSecurityOps, 5, fromClient(action(v1beta2.RuleActionAllow), "AllowControl", 0, false, tcpService(6060))),
		acnpObject("baseline", tierBaseline, 5, fromClient(action(v1beta2.RuleActionAllow), "AllowIfNotIsolated", 0, false, tcpService(8080))))
	n.serve(t, 80, 8080, 6060)
	n.run(t)
	n.waitConnects(t, 6060)
	n.expectDropped(t, 8080)
	n.expectDropped(t, 80)
}
