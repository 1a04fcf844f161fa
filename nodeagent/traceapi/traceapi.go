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

// Package traceapi is the wire format of strata-agent's /trace (served on
// the agent's HTTPS server, nodeagent/agentserver) that stratactl trace
// reads:
//
//	GET /trace?src=IP&dst=IP&protocol=TCP&port=P
//	  → 200 Response (JSON): the first packet of that connection traced
//	    through the Node's Open vSwitch pipeline (ofproto/trace), the flows
//	    hit mapped back to rules (nodeagent/pipeline.Pipeline.Trace)
//	  → 400 naming the bad parameter; 422 when neither end is a local Pod
package traceapi

// Path is where the agent serves traces.
const Path = "/trace"

// Query parameters.
const (
	ParamSrc      = "src"
	ParamDst      = "dst"
	ParamProtocol = "protocol"
	ParamPort     = "port"
)

// Response is a traced connection on one Node.
type Response struct {
	// Node is the Node that traced.
	Node string `json:"node"`
	// Egress is the source's side, when the source is a local Pod.
	Egress *Side `json:"egress,omitempty"`
	// Ingress is the destination's side, when the destination is a local
	// Pod and the packet got there.
	Ingress *Side `json:"ingress,omitempty"`
	// DatapathActions are ofproto/trace's final datapath actions.
	DatapathActions string `json:"datapathActions"`
}

// Side is what the datapath did in one direction.
type Side struct {
	// Verdict is Allow, Drop or Reject.
	Verdict string `json:"verdict"`
	// Rule is the ID of the rule of the last conjunction hit; Policy and
	// RuleName name it ("Type:namespace/name" as in np.log).
	Rule     string `json:"rule,omitempty"`
	Policy   string `json:"policy,omitempty"`
	RuleName string `json:"ruleName,omitempty"`
	// Isolation: a K8s NetworkPolicy isolation drop decided.
	Isolation bool `json:"isolation,omitempty"`
	// AuditPolicy and AuditRuleName name the audit rule the packet hit (a
	// policy in audit mode: it logged and counted, and decided nothing).
	AuditPolicy   string `json:"auditPolicy,omitempty"`
	AuditRuleName string `json:"auditRuleName,omitempty"`
}
