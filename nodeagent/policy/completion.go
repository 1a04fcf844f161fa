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
	"cmp"
	"crypto/sha1" //nolint:gosec // an identity, not a security boundary
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	k8stypes "k8s.io/apimachinery/pkg/types"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/nodeagent/types"
)

// cachedRule is one rule of a cached NetworkPolicy with the groups it needs.
type cachedRule struct {
	id     types.RuleID
	policy string // internal name of the NetworkPolicy
	rule   *v1beta2.NetworkPolicyRule
	// appliedTo are the rule-level AppliedToGroups, or the policy-level ones.
	appliedTo []string
	// addressGroups are the peer's AddressGroups (From for In, To for Out).
	addressGroups []string
}

// policyRules derives the rules of a NetworkPolicy, keyed by ID. Identical rules
// share an ID and are kept once.
func policyRules(np *v1beta2.NetworkPolicy) map[types.RuleID]*cachedRule {
	out := make(map[types.RuleID]*cachedRule, len(np.Rules))
	for i := range np.Rules {
		r := &np.Rules[i]
		appliedTo := r.AppliedToGroups
		if len(appliedTo) == 0 {
			appliedTo = np.AppliedToGroups
		}
		id := ruleID(np, r, appliedTo)
		out[id] = &cachedRule{id: id, policy: np.Name, rule: r,
			appliedTo: appliedTo, addressGroups: rulePeer(r).AddressGroups}
	}
	return out
}

// rulePeer is the peer side of a rule: From for ingress, To for egress.
func rulePeer(r *v1beta2.NetworkPolicyRule) *v1beta2.NetworkPolicyPeer {
	if r.Direction == v1beta2.DirectionOut {
		return &r.To
	}
	return &r.From
}

// ruleIdentity is what a rule ID hashes: everything that makes the rule, so a
// rule whose peers, services, direction, action, appliedTo or priorities change
// is another rule. The policy generation is not part of it: a policy update keeps
// the IDs of its unchanged rules.
type ruleIdentity struct {
	Policy         string                          `json:"policy"`
	PolicyUID      k8stypes.UID                    `json:"policyUID"`
	SourceRef      *v1beta2.NetworkPolicyReference `json:"sourceRef,omitempty"`
	TierPriority   *int32                          `json:"tierPriority,omitempty"`
	PolicyPriority string                          `json:"policyPriority,omitempty"` // formatted: json rejects NaN
	AppliedTo      []string                        `json:"appliedTo"`
	Rule           *v1beta2.NetworkPolicyRule      `json:"rule"`
	// Audit is part of the identity: switching a policy between audit and
	// enforce replaces its rules (and only its rules) in the pipeline.
	Audit bool `json:"audit,omitempty"`
}

// ruleID is the first 16 hex digits of the SHA-1 of the rule's identity in JSON.
func ruleID(np *v1beta2.NetworkPolicy, r *v1beta2.NetworkPolicyRule, appliedTo []string) types.RuleID {
	ident := ruleIdentity{Policy: np.Name, PolicyUID: np.UID, SourceRef: np.SourceRef,
		TierPriority: np.TierPriority, AppliedTo: appliedTo, Rule: r, Audit: np.Audit}
	if np.Priority != nil {
		ident.PolicyPriority = strconv.FormatFloat(*np.Priority, 'g', -1, 64)
	}
	b, err := json.Marshal(&ident)
	if err != nil { // plain data: cannot happen; still give a distinct, stable ID
		b = fmt.Appendf(nil, "%#v", ident)
	}
	sum := sha1.Sum(b) //nolint:gosec // an identity, not a security boundary
	return types.RuleID(hex.EncodeToString(sum[:8]))
}

// groupLookup returns a known group by name.
type groupLookup func(name string) (*group, bool)

// completeRule converts a cached rule whose groups are known into the rule the
// Reconciler installs.
//
// A rule that cannot be enforced as written (checkEnforceable) gives a
// *notEnforcedError, with no rule, except that of a K8s NetworkPolicy, which
// isolates its Pods whatever its rules allow: that comes with the rule
// matching no peer, which installs the isolation and allows nothing.
func completeRule(np *v1beta2.NetworkPolicy, r *cachedRule, atgs, ags groupLookup) (*types.CompletedRule, error) {
	var peers []types.Address
	notEnforced := checkEnforceable(r.rule)
	switch {
	case notEnforced != nil && np.TierPriority != nil:
		return nil, fmt.Errorf("rule %s of NetworkPolicy %s: %w", r.id, np.Name, notEnforced)
	case notEnforced != nil:
		peers = []types.Address{}
		notEnforced = fmt.Errorf("rule %s of NetworkPolicy %s: %w; only the isolation of its Pods is installed", r.id, np.Name, notEnforced)
	default:
		var err error
		if peers, err = rulePeers(rulePeer(r.rule), ags); err != nil {
			return nil, fmt.Errorf("rule %s of NetworkPolicy %s: %w", r.id, np.Name, err)
		}
	}
	out := &types.CompletedRule{
		ID:             r.id,
		Policy:         policyRef(np),
		Direction:      r.rule.Direction,
		TierPriority:   cloneValue(np.TierPriority),
		PolicyPriority: cloneValue(np.Priority),
		RuleIndex:      r.rule.Priority,
		Name:           r.rule.Name,
		Targets:        ruleTargets(r.appliedTo, atgs),
		Peers:          peers,
		ToServices:     ruleToServices(r.rule, notEnforced),
		Services:       cloneServices(r.rule.Services),
		Action:         cloneValue(r.rule.Action),
		EnableLogging:  r.rule.EnableLogging,
		LogLabel:       r.rule.LogLabel,
		Audit:          np.Audit,
	}
	if notEnforced == nil {
		out.FQDNs = ruleFQDNs(r.rule)
	}
	return out, notEnforced
}

func policyRef(np *v1beta2.NetworkPolicy) types.PolicyRef {
	ref := types.PolicyRef{Name: np.Name, Generation: np.Generation, InternalName: np.Name}
	if s := np.SourceRef; s != nil {
		ref.Type, ref.Namespace, ref.Name, ref.UID = s.Type, s.Namespace, s.Name, s.UID
	}
	return ref
}

// ruleTargets are the Pods of the known AppliedToGroups, each once (with the
// named ports of all its members), sorted. Members that are not Pods (Services,
// ExternalEntities) are not targets.
func ruleTargets(names []string, atgs groupLookup) []types.Member {
	ports := map[types.PodRef][]v1beta2.NamedPort{}
	for _, name := range names {
		g, ok := atgs(name)
		if !ok {
			continue
		}
		for _, m := range g.members {
			if m.Pod != nil {
				ref := types.PodRef{Namespace: m.Pod.Namespace, Name: m.Pod.Name}
				ports[ref] = append(ports[ref], m.Ports...)
			}
		}
	}
	out := make([]types.Member, 0, len(ports))
	for ref, p := range ports {
		out = append(out, types.Member{Pod: ref, Ports: uniquePorts(p)})
	}
	slices.SortFunc(out, func(a, b types.Member) int {
		return cmp.Or(cmp.Compare(a.Pod.Namespace, b.Pod.Namespace), cmp.Compare(a.Pod.Name, b.Pod.Name))
	})
	return out
}

// ruleToServices are the Services of an egress rule's toServices (none when
// the rule is not enforced: only a K8s rule's isolation is then installed).
func ruleToServices(r *v1beta2.NetworkPolicyRule, notEnforced error) []v1beta2.ServiceReference {
	if notEnforced != nil || r.Direction != v1beta2.DirectionOut || len(r.To.ToServices) == 0 {
		return nil
	}
	return slices.Clone(r.To.ToServices)
}

// notEnforcedError is the completion error of a rule that uses fields this
// agent does not enforce (l7Protocols; labelIdentities in a peer, fqdns and
// toServices in an ingress rule's from; an egress rule's fqdns and toServices
// are enforced, as the completed rule's FQDNs and ToServices) where installing
// the rest would match more than written: an Allow, Pass or K8s NetworkPolicy rule with any of them (it would allow more,
// or skip more tiers), a Drop or Reject rule with l7Protocols, or one whose
// peer has nothing else (no addressGroups, no ipBlocks, no egress fqdns or toServices). Nothing of the rule
// is installed, and its policy's status reports it failed. The rule's ID
// covers its content, so retrying cannot help: the rule is not retried.
//
// Strata refuses these fields at admission; a policy stored by an older version
// can still carry them.
type notEnforcedError struct {
	// Fields are the fields not enforced, as paths of the controlplane rule
	// ("l7Protocols", "to.fqdns", ...).
	Fields []string
	// Action is the rule's action ("Allow", "Drop", ...; "K8s NetworkPolicy
	// allow" for a K8s NetworkPolicy rule).
	Action string
	// why the rest of the rule is not installed either.
	why string
}

func (e *notEnforcedError) Error() string {
	verb := "is"
	if len(e.Fields) > 1 {
		verb = "are"
	}
	return fmt.Sprintf("%s %s not enforced by this Strata version: the %s rule is not installed (%s)",
		strings.Join(e.Fields, ", "), verb, e.Action, e.why)
}

// checkEnforceable returns a *notEnforcedError when the rule cannot be
// installed without matching more than written (see notEnforcedError). A
// Drop or Reject rule whose peer has addressGroups or ipBlocks besides fqdns,
// toServices or labelIdentities is enforceable: those parts are installed and
// the others ignored, which drops less than written, never more.
func checkEnforceable(r *v1beta2.NetworkPolicyRule) error {
	action := "K8s NetworkPolicy allow"
	if r.Action != nil {
		action = string(*r.Action)
	}
	deny := r.Action != nil && (*r.Action == v1beta2.RuleActionDrop || *r.Action == v1beta2.RuleActionReject)
	var fields []string
	if len(r.L7Protocols) > 0 {
		fields = append(fields, "l7Protocols")
	}
	peerFields := append(notEnforcedPeerFields("from", &r.From), notEnforcedPeerFields("to", &r.To)...)
	if deny && len(fields) == 0 {
		if peer := rulePeer(r); len(peer.AddressGroups) > 0 || len(peer.IPBlocks) > 0 || len(ruleFQDNs(r)) > 0 ||
			r.Direction == v1beta2.DirectionOut && len(peer.ToServices) > 0 {
			return nil // the exact part is installed, the rest ignored
		}
	}
	var why string
	switch {
	case len(fields) > 0:
		why = "without l7Protocols it would match more than written"
	case len(peerFields) == 0:
		return nil
	case deny:
		why = "its peer has nothing else to match"
	default:
		why = "a rule that allows or passes is installed as written or not at all"
	}
	return &notEnforcedError{Fields: append(fields, peerFields...), Action: action, why: why}
}

// ruleFQDNs are the FQDN patterns of an egress rule's peer (enforced from
// the DNS responses its Pods receive; nodeagent/fqdn).
func ruleFQDNs(r *v1beta2.NetworkPolicyRule) []string {
	if r.Direction != v1beta2.DirectionOut {
		return nil
	}
	return slices.Clone(r.To.FQDNs)
}

// notEnforcedPeerFields names the fields of a peer this agent does not enforce.
func notEnforcedPeerFields(side string, p *v1beta2.NetworkPolicyPeer) []string {
	var out []string
	if len(p.FQDNs) > 0 && side != "to" { // to.fqdns: enforced (types.CompletedRule.FQDNs)
		out = append(out, side+".fqdns")
	}
	if len(p.ToServices) > 0 && side != "to" { // an egress rule's toServices are enforced
		out = append(out, side+".toServices")
	}
	if len(p.LabelIdentities) > 0 {
		out = append(out, side+".labelIdentities")
	}
	return out
}

// rulePeers are the addresses of the peer: member IPs of its AddressGroups as
// host prefixes with the member's named ports, and its ipBlocks minus their
// exceptions. Each prefix appears once (the named ports of members sharing an IP
// are merged), sorted. A peer with neither gives an empty, non-nil list: the
// rule matches no address (an egress rule's toServices come separately, see
// ruleToServices). FQDNs and label identities are not enforced: checkEnforceable lets only Drop and Reject rules through with them,
// which then match their other parts only.
func rulePeers(peer *v1beta2.NetworkPolicyPeer, ags groupLookup) ([]types.Address, error) {
	ports := map[netip.Prefix][]v1beta2.NamedPort{}
	for _, name := range peer.AddressGroups {
		g, ok := ags(name)
		if !ok {
			return nil, fmt.Errorf("AddressGroup %s is unknown", name)
		}
		for _, m := range g.members {
			for _, ip := range m.IPs {
				a, err := addrFromIP(ip)
				if err != nil {
					return nil, fmt.Errorf("AddressGroup %s member %s: %w", name, memberKey(m), err)
				}
				p := netip.PrefixFrom(a, a.BitLen())
				ports[p] = append(ports[p], m.Ports...)
			}
		}
	}
	for _, b := range peer.IPBlocks {
		prefixes, err := ipBlockPrefixes(b)
		if err != nil {
			return nil, err
		}
		for _, p := range prefixes {
			if _, ok := ports[p]; !ok {
				ports[p] = nil
			}
		}
	}
	return addresses(ports), nil
}

// addresses turns prefixes with their named ports into sorted Addresses.
func addresses(ports map[netip.Prefix][]v1beta2.NamedPort) []types.Address {
	prefixes := make([]netip.Prefix, 0, len(ports))
	for p := range ports {
		prefixes = append(prefixes, p)
	}
	slices.SortFunc(prefixes, comparePrefixes)
	out := make([]types.Address, 0, len(prefixes))
	for _, p := range prefixes {
		out = append(out, types.Address{CIDR: p.String(), Ports: uniquePorts(ports[p])})
	}
	return out
}

// uniquePorts sorts named ports and drops duplicates; nil when there are none.
func uniquePorts(ports []v1beta2.NamedPort) []v1beta2.NamedPort {
	if len(ports) == 0 {
		return nil
	}
	out := slices.Clone(ports)
	slices.SortFunc(out, func(a, b v1beta2.NamedPort) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Protocol, b.Protocol), cmp.Compare(a.Port, b.Port))
	})
	return slices.Compact(out)
}

func cloneServices(in []v1beta2.Service) []v1beta2.Service {
	if in == nil {
		return nil
	}
	out := make([]v1beta2.Service, len(in))
	for i := range in {
		in[i].DeepCopyInto(&out[i])
	}
	return out
}

func cloneValue[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
