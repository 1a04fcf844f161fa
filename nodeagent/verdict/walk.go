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

package verdict

import (
	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/nodeagent/types"
)

// Verdict is the fate of a connection on one side, or overall.
type Verdict string

const (
	Allow  Verdict = "Allow"
	Drop   Verdict = "Drop"
	Reject Verdict = "Reject"
)

// Decider is what decided a side.
type Decider string

const (
	// DecidedByRule: a rule's action (Tiered or Baseline), or a K8s rule
	// that allows.
	DecidedByRule Decider = "Rule"
	// DecidedByIsolation: a K8s NetworkPolicy isolates the Pod and none of
	// its rules allows the connection.
	DecidedByIsolation Decider = "K8sIsolation"
	// DecidedByDefault: no rule matched and the Pod is not isolated.
	DecidedByDefault Decider = "Default"
)

// Outcome is what a considered rule did with the packet.
type Outcome string

const (
	OutcomeNoMatch Outcome = "NoMatch"
	OutcomeAllow   Outcome = "Allow"
	OutcomeDrop    Outcome = "Drop"
	OutcomeReject  Outcome = "Reject"
	OutcomePass    Outcome = "Pass"
	// OutcomeSkipped: the rule comes after a Pass, in the tiers it skips.
	OutcomeSkipped Outcome = "Skipped"
	// OutcomeNotReached: an earlier rule decided (for an audit rule: an
	// earlier audit rule was hit in the audit table).
	OutcomeNotReached Outcome = "NotReached"
	// The outcomes of an audit rule that matches: the action it would take,
	// which is logged and counted but decides nothing.
	OutcomeAuditAllow  Outcome = "AuditAllow"
	OutcomeAuditDrop   Outcome = "AuditDrop"
	OutcomeAuditReject Outcome = "AuditReject"
	OutcomeAuditPass   Outcome = "AuditPass"
	// OutcomeDependsOnDNS: an egress rule with FQDN peers whose other peers
	// do not hold the destination but whose ports match. The agent matches
	// FQDN peers against the addresses it learnt from the DNS answers its Pods
	// received, which the server does not know: the rule matches if the
	// destination's address was such an answer.
	OutcomeDependsOnDNS Outcome = "DependsOnDNS"
)

// Step is one rule considered, in evaluation order.
type Step struct {
	Rule    *types.CompletedRule
	Stage   Stage
	Outcome Outcome
}

// Result is the walk of one direction.
type Result struct {
	Verdict Verdict
	Decider Decider
	// Rule is the deciding rule (nil for isolation and default; for a K8s
	// allow, the first allowing rule).
	Rule *types.CompletedRule
	// Steps are every rule of the direction that applies to the Pod.
	Steps []Step
	// Isolated: a K8s NetworkPolicy selects the Pod for this direction.
	Isolated bool
	// Allowing are the K8s NetworkPolicy rules that allow the connection.
	Allowing []*types.CompletedRule
	// Passed: a Pass rule sent the packet on to the K8s stage.
	Passed bool
	// Audited is the audit rule the packet hits (nil: none): it logs and
	// counts the packet and decides nothing.
	Audited *types.CompletedRule
}

// Evaluate walks the packet through the rules of direction dir (rules of
// other directions, and rules that do not apply to the direction's Pod, are
// ignored) in the pipeline's order, and returns the verdict of that side.
// rules are not modified.
func Evaluate(dir v1beta2.Direction, rules []*types.CompletedRule, pkt Packet) Result {
	pod, _ := pkt.sides(dir)
	var sorted []*types.CompletedRule
	members := map[*types.CompletedRule]*types.Member{}
	for _, r := range rules {
		if r.Direction != dir {
			continue
		}
		if m, ok := appliesTo(r, pod); ok {
			sorted = append(sorted, r)
			members[r] = m
		}
	}
	Sort(sorted)
	res := Result{Verdict: Allow, Decider: DecidedByDefault}
	decided := false
	for _, r := range sorted {
		st := Step{Rule: r, Stage: StageOf(r), Outcome: OutcomeNoMatch}
		switch {
		case st.Stage == StageAudit:
			st.Outcome = auditStep(&res, r, members[r], pkt)
		case st.Stage == StageK8s:
			res.Isolated = true
			if decided {
				st.Outcome = OutcomeNotReached
			} else if ruleMatches(r, members[r], pkt) {
				st.Outcome = OutcomeAllow
				res.Allowing = append(res.Allowing, r)
			}
		case decided:
			st.Outcome = OutcomeNotReached
		case res.Passed && st.Stage == StageTiered:
			st.Outcome = OutcomeSkipped
		case ruleMatches(r, members[r], pkt):
			st.Outcome = actionOutcome(r)
			decided = takeAction(&res, st)
		case fqdnMayMatch(r, pkt):
			st.Outcome = OutcomeDependsOnDNS
		}
		res.Steps = append(res.Steps, st)
	}
	if decided && StageOf(res.Rule) == StageTiered {
		return res
	}
	return k8sAndBaseline(res)
}

// takeAction applies the matching tiered or baseline rule of st: a Pass
// sends the packet on; a baseline rule below the isolation drop or after a
// K8s allow waits (see k8sAndBaseline); any other rule decides (true).
func takeAction(res *Result, st Step) bool {
	if st.Outcome == OutcomePass {
		res.Passed = true
		return false
	}
	if st.Stage == StageBaseline && (res.Isolated || len(res.Allowing) > 0) {
		return false
	}
	res.Verdict, res.Decider, res.Rule = Verdict(st.Outcome), DecidedByRule, st.Rule
	return true
}

// k8sAndBaseline settles a walk that no tiered rule decided: a K8s allow,
// else the isolation drop, else the baseline rule found, else the default.
func k8sAndBaseline(res Result) Result {
	switch {
	case len(res.Allowing) > 0:
		res.Verdict, res.Decider, res.Rule = Allow, DecidedByRule, res.Allowing[0]
	case res.Isolated:
		res.Verdict, res.Decider, res.Rule = Drop, DecidedByIsolation, nil
	default:
		return res // the baseline rule, or the default
	}
	for i := range res.Steps { // baseline rules are below: not reached
		if res.Steps[i].Stage == StageBaseline && res.Steps[i].Outcome != OutcomeNoMatch {
			res.Steps[i].Outcome = OutcomeNotReached
		}
	}
	return res
}

// auditStep is the outcome of an audit rule: the first that matches is hit
// (its would-be action), later ones are not reached; res only records it.
func auditStep(res *Result, r *types.CompletedRule, m *types.Member, pkt Packet) Outcome {
	switch {
	case res.Audited != nil:
		return OutcomeNotReached
	case !ruleMatches(r, m, pkt):
		return OutcomeNoMatch
	}
	res.Audited = r
	return "Audit" + actionOutcome(r)
}

func actionOutcome(r *types.CompletedRule) Outcome {
	if r.Action == nil {
		return OutcomeAllow
	}
	switch *r.Action {
	case v1beta2.RuleActionDrop:
		return OutcomeDrop
	case v1beta2.RuleActionReject:
		return OutcomeReject
	case v1beta2.RuleActionPass:
		return OutcomePass
	}
	return OutcomeAllow
}
