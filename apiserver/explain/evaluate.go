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

package explain

import (
	"context"
	"net/netip"
	"strconv"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/nodeagent/types"
	"github.com/strata-net/strata/nodeagent/verdict"
)

// Evaluate answers a valid request (see Validate) with its Response.
func (x *Explainer) Evaluate(_ context.Context, e *controlplane.NetworkPolicyEvaluation) (*controlplane.NetworkPolicyEvaluationResponse, error) {
	req := e.Request
	src, err := x.resolve("request.source", &req.Source, netip.Addr{})
	if err != nil {
		return nil, err
	}
	dst, err := x.resolve("request.destination", &req.Destination, src.ip)
	if err != nil {
		return nil, err
	}
	proto := v1beta2.Protocol(req.Protocol)
	if proto == "" {
		proto = v1beta2.ProtocolTCP
	}
	pkt := verdict.Packet{Src: src.ip, Dst: dst.ip, SrcPod: src.pod, DstPod: dst.pod, Protocol: proto, Port: req.Port}
	resp := &controlplane.NetworkPolicyEvaluationResponse{}
	var results [2]*verdict.Result
	for i, side := range []struct {
		dir    v1beta2.Direction
		end    end
		out    *controlplane.EvaluationSide
		intDir controlplane.Direction
	}{
		{v1beta2.DirectionOut, src, &resp.Egress, controlplane.DirectionOut},
		{v1beta2.DirectionIn, dst, &resp.Ingress, controlplane.DirectionIn},
	} {
		res, notInstalled, err := x.side(side.dir, side.end, pkt)
		if err != nil {
			return nil, err
		}
		results[i] = &res
		*side.out = sideResponse(side.intDir, side.end, res, notInstalled)
	}
	overall(resp, results[0], results[1])
	resp.DependsOnDNS = resp.Egress.DependsOnDNS // FQDN peers are egress only
	return resp, nil
}

// side walks one direction's rules; an end that is not a Pod allows.
func (x *Explainer) side(dir v1beta2.Direction, e end, pkt verdict.Packet) (verdict.Result, []string, error) {
	if e.pod == nil {
		return verdict.Result{Verdict: verdict.Allow, Decider: verdict.DecidedByDefault}, nil, nil
	}
	rules, notInstalled, err := x.nodeRules(e.node, *e.pod)
	if err != nil {
		return verdict.Result{}, nil, err
	}
	return verdict.Evaluate(dir, rules, pkt), notInstalled, nil
}

// overall fills Antrea's fields and the verdict: a side that does not allow
// decides (egress first, as the packet meets it first); else the ingress
// rule, else the egress rule; else allowed by default.
func overall(resp *controlplane.NetworkPolicyEvaluationResponse, egress, ingress *verdict.Result) {
	deciding := ingress
	switch {
	case egress.Verdict != verdict.Allow:
		deciding = egress
	case ingress.Verdict != verdict.Allow:
	case ingress.Rule == nil && egress.Rule != nil:
		deciding = egress
	}
	resp.Verdict = string(deciding.Verdict)
	resp.AllowedByDefault = egress.Decider == verdict.DecidedByDefault && ingress.Decider == verdict.DecidedByDefault
	r := deciding.Rule
	if r == nil {
		return
	}
	resp.NetworkPolicy = policyRef(r)
	resp.RuleIndex = r.RuleIndex
	resp.Rule = controlplane.RuleRef{Direction: controlplane.Direction(r.Direction), Name: r.Name}
	if r.Action != nil {
		a := controlplane.RuleAction(*r.Action)
		resp.Rule.Action = &a
	}
	if r.TierPriority != nil {
		t := *r.TierPriority
		resp.TierPriority = &t
	}
}

func sideResponse(dir controlplane.Direction, e end, res verdict.Result, notInstalled []string) controlplane.EvaluationSide {
	out := controlplane.EvaluationSide{Direction: dir, NodeName: e.node, Verdict: string(res.Verdict),
		DecidedBy: string(res.Decider), Isolated: res.Isolated, Passed: res.Passed, NotInstalled: notInstalled,
		DependsOnDNS: len(res.DNSDependent()) > 0}
	if e.ip.IsValid() {
		out.IP = e.ip.String()
	}
	if e.pod != nil {
		out.Pod = &controlplane.PodReference{Namespace: e.pod.Namespace, Name: e.pod.Name}
	}
	seen := map[controlplane.NetworkPolicyReference]bool{}
	for _, r := range res.Allowing {
		if ref := policyRef(r); !seen[ref] {
			seen[ref] = true
			out.AllowingPolicies = append(out.AllowingPolicies, ref)
		}
	}
	for _, st := range res.Steps {
		out.Steps = append(out.Steps, step(st))
	}
	return out
}

func step(st verdict.Step) controlplane.EvaluationStep {
	r := st.Rule
	out := controlplane.EvaluationStep{NetworkPolicy: policyRef(r), RuleIndex: r.RuleIndex, RuleName: r.Name,
		Action: string(v1beta2.RuleActionAllow), Stage: st.Stage.String(), Outcome: string(st.Outcome)}
	if r.Action != nil {
		out.Action = string(*r.Action)
	}
	if r.TierPriority != nil {
		t := *r.TierPriority
		out.TierPriority = &t
	}
	if r.PolicyPriority != nil {
		out.PolicyPriority = strconv.FormatFloat(*r.PolicyPriority, 'g', -1, 64)
	}
	return out
}

func policyRef(r *types.CompletedRule) controlplane.NetworkPolicyReference {
	return controlplane.NetworkPolicyReference{Type: controlplane.NetworkPolicyType(r.Policy.Type),
		Namespace: r.Policy.Namespace, Name: r.Policy.Name, UID: r.Policy.UID}
}
