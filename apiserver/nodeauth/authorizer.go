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
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/selection"
	"k8s.io/apiserver/pkg/authorization/authorizer"

	"github.com/strata-net/strata/apis/controlplane"
)

// The rules of the authorizer, named in its 403 messages.
const (
	// RuleNodeIdentity: an agent identity must name a valid Node.
	RuleNodeIdentity = "agent-node-identity"
	// RuleOwnNodeSelector: list and watch only with fieldSelector=nodeName=<own Node>.
	RuleOwnNodeSelector = "agent-own-node-selector"
	// RuleInSpan: get only an object whose span holds the agent's Node.
	RuleInSpan = "agent-get-in-span"
	// RuleOwnNodeReport: reports only for the agent's own Node.
	RuleOwnNodeReport = "agent-own-node-report"
	// RuleNothingElse: no other request of an agent in controlplane.antrea.io.
	RuleNothingElse = "agent-nothing-else"
)

// fieldNodeName is the field selector of a Node's slice.
const fieldNodeName = "nodeName"

// SpanChecker tells whether a computed object (networkpolicies, addressgroups,
// appliedtogroups) named name exists with node in its span.
type SpanChecker interface {
	InSpan(resource, name, node string) bool
}

// computed are the resources an agent reads, only its Node's slice of them.
var computed = map[string]bool{"networkpolicies": true, "addressgroups": true, "appliedtogroups": true}

// report is a resource an agent creates for its own Node.
type report struct {
	// nameIsNode: the object's name is the Node's name.
	nameIsNode bool
}

// reports are the resources (resource or resource/subresource) an agent creates.
// Their bodies name a Node that Admission checks.
var reports = map[string]report{
	"networkpolicies/status": {},
	"podstartups":            {},
	"nodesyncreports":        {nameIsNode: true},
	"nodestatssummaries":     {nameIsNode: true},
}

// Config configures the Authorizer.
type Config struct {
	// Identities tell agents apart.
	Identities Identities
	// Spans answers the gets of computed objects. Required.
	Spans SpanChecker
}

// Defaults sets the agent ServiceAccount when none is given.
func (c *Config) Defaults() {
	if c.Identities.ServiceAccounts == nil {
		c.Identities.ServiceAccounts = []string{DefaultAgentServiceAccount}
	}
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	if c.Spans == nil {
		return errors.New("nodeauth: Spans is required")
	}
	return c.Identities.Validate()
}

// Authorizer denies every request of an agent identity in controlplane.antrea.io
// outside its Node's bounds. It never allows: a request within bounds, and any
// request of another user, goes on to the next authorizer (RBAC), so an agent needs
// both its RBAC and its bounds.
type Authorizer struct {
	ids   Identities
	spans SpanChecker
}

var _ authorizer.Authorizer = &Authorizer{}

// New returns the authorizer of cfg (Defaults applied).
func New(cfg Config) (*Authorizer, error) {
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Authorizer{ids: cfg.Identities, spans: cfg.Spans}, nil
}

// Authorize implements authorizer.Authorizer.
func (a *Authorizer) Authorize(_ context.Context, attrs authorizer.Attributes) (authorizer.Decision, string, error) {
	if !attrs.IsResourceRequest() || attrs.GetAPIGroup() != controlplane.GroupName {
		return authorizer.DecisionNoOpinion, "", nil
	}
	node, agent := a.ids.NodeOf(attrs.GetUser())
	if !agent {
		return authorizer.DecisionNoOpinion, "", nil
	}
	if node == "" {
		return deny(RuleNodeIdentity, "the agent identity %q names no valid Node", attrs.GetUser().GetName())
	}
	return a.decide(node, attrs)
}

func (a *Authorizer) decide(node string, attrs authorizer.Attributes) (authorizer.Decision, string, error) {
	resource, verb := resourcePath(attrs), attrs.GetVerb()
	if computed[resource] {
		switch verb {
		case "list", "watch":
			return ownNodeSelector(node, resource, verb, attrs)
		case "get":
			if a.spans.InSpan(resource, attrs.GetName(), node) {
				return pass()
			}
			return deny(RuleInSpan, "the agent of Node %q may get only the %s its Node needs; %q is not one of them",
				node, resource, attrs.GetName())
		}
	}
	if r, ok := reports[resource]; ok && verb == "create" {
		if r.nameIsNode && attrs.GetName() != "" && attrs.GetName() != node {
			return deny(RuleOwnNodeReport, "the agent of Node %q may create %s only for its own Node, not %q",
				node, resource, attrs.GetName())
		}
		return pass()
	}
	return deny(RuleNothingElse, "the agent of Node %q may not %s %s", node, verb, resource)
}

// ownNodeSelector allows a list or watch whose field selector requires nodeName to
// be node, and nothing else of nodeName.
func ownNodeSelector(node, resource, verb string, attrs authorizer.Attributes) (authorizer.Decision, string, error) {
	reqs, err := attrs.GetFieldSelector()
	if err != nil {
		return deny(RuleOwnNodeSelector, "the agent of Node %q: invalid field selector: %v", node, err)
	}
	found := false
	for _, r := range reqs {
		if r.Field != fieldNodeName {
			continue
		}
		if (r.Operator != selection.Equals && r.Operator != selection.DoubleEquals) || r.Value != node {
			found = false
			break
		}
		found = true
	}
	if !found {
		return deny(RuleOwnNodeSelector, "the agent of Node %q may %s %s only with fieldSelector=nodeName=%s",
			node, verb, resource, node)
	}
	return pass()
}

func resourcePath(attrs authorizer.Attributes) string {
	if attrs.GetSubresource() == "" {
		return attrs.GetResource()
	}
	return attrs.GetResource() + "/" + attrs.GetSubresource()
}

// pass leaves a request within the agent's bounds to the next authorizer (RBAC):
// this authorizer only narrows what RBAC grants, it never grants.
func pass() (authorizer.Decision, string, error) {
	return authorizer.DecisionNoOpinion, "", nil
}

func deny(rule, format string, args ...any) (authorizer.Decision, string, error) {
	return authorizer.DecisionDeny, fmt.Sprintf("strata node authorizer, rule %s: %s", rule, fmt.Sprintf(format, args...)), nil
}

// ConditionsAwareAuthorize implements authorizer.Authorizer: the decisions are
// unconditional.
func (a *Authorizer) ConditionsAwareAuthorize(ctx context.Context, attrs authorizer.Attributes) authorizer.ConditionsAwareDecision {
	return authorizer.ConditionsAwareDecisionFromParts(a.Authorize(ctx, attrs))
}

// EvaluateConditions implements authorizer.Authorizer: there are no conditions to
// evaluate.
func (a *Authorizer) EvaluateConditions(context.Context, authorizer.ConditionsAwareDecision, authorizer.ConditionsData) (authorizer.Decision, string, error) {
	return authorizer.DecisionDeny, "", authorizer.ErrorConditionEvaluationNotSupported
}
