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

package validation

import (
	"errors"
	"fmt"
	"net/netip"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/strata-net/strata/apis/crd"
)

// The default bounds of a policy's estimated flows per Node.
const (
	DefaultFlowWarning = 10000
	DefaultFlowLimit   = 50000
)

// FlowLimits bound the flows one policy may cost each Node it applies to: above
// Warning, admission accepts the policy with a warning; above Limit, it refuses it.
type FlowLimits struct {
	Warning int
	Limit   int
}

// Defaults sets the unset bounds.
func (l *FlowLimits) Defaults() {
	if l.Warning == 0 {
		l.Warning = DefaultFlowWarning
	}
	if l.Limit == 0 {
		l.Limit = DefaultFlowLimit
	}
}

// Validate requires 0 < Warning <= Limit.
func (l FlowLimits) Validate() error {
	if l.Warning <= 0 || l.Limit <= 0 {
		return fmt.Errorf("the flow warning threshold (%d) and limit (%d) must be positive", l.Warning, l.Limit)
	}
	if l.Warning > l.Limit {
		return errors.New("the flow warning threshold must not exceed the flow limit")
	}
	return nil
}

// Check returns the warning or the error of a policy spec's flow estimate.
func (l FlowLimits) Check(estimate int) (warnings []string, errs field.ErrorList) {
	l.Defaults()
	switch {
	case estimate > l.Limit:
		return nil, field.ErrorList{field.Forbidden(specPath, fmt.Sprintf(
			"the policy needs an estimated %d flows on every Node it applies to, more than the limit of %d: split it, or use fewer rules, peers, ports or ipBlock excepts (docs/least-privilege.md)",
			estimate, l.Limit))}
	case estimate > l.Warning:
		return []string{fmt.Sprintf("spec: the policy needs an estimated %d flows on every Node it applies to, above the warning threshold of %d (the limit is %d)",
			estimate, l.Warning, l.Limit)}, nil
	}
	return nil, nil
}

// EstimateClusterNetworkPolicyFlows estimates the flows a ClusterNetworkPolicy
// installs on each Node it applies to (see estimateFlows).
func EstimateClusterNetworkPolicyFlows(s *crd.ClusterNetworkPolicySpec) int {
	return estimateFlows(clusterSpec(s))
}

// EstimateNetworkPolicyFlows estimates the flows of an Antrea NetworkPolicy.
func EstimateNetworkPolicyFlows(s *crd.NetworkPolicySpec) int {
	return estimateFlows(namespacedSpec(s))
}

// estimateFlows counts what a policy costs each Node independently of the members
// of its selectors: a rule is a conjunction, whose flows add up across its
// dimensions (docs/least-privilege.md): one flow per address term (an ipBlock with
// excepts is split into up to one prefix per bit each except adds; a selector, a
// group or an FQDN counts one), one per appliedTo entry, one per port/mask pair of
// each port range, and one for the action.
func estimateFlows(s policySpec) int {
	total := 0
	for _, rules := range [][]crd.Rule{s.ingress, s.egress} {
		for i := range rules {
			r := &rules[i]
			appliedTo := len(r.AppliedTo)
			if appliedTo == 0 {
				appliedTo = len(s.appliedTo)
			}
			total += peerTerms(r.From) + peerTerms(r.To) + len(r.ToServices) + max(appliedTo, 1) + portTerms(r) + 1
		}
	}
	return total
}

func peerTerms(peers []crd.NetworkPolicyPeer) int {
	n := 0
	for i := range peers {
		if b := peers[i].IPBlock; b != nil {
			n += ipBlockPrefixes(b)
			continue
		}
		n++
	}
	return n
}

// ipBlockPrefixes bounds the prefixes of CIDR minus the excepts: each except adds
// at most as many prefixes as the bits it is longer than the CIDR.
func ipBlockPrefixes(b *crd.IPBlock) int {
	base, err := netip.ParsePrefix(b.CIDR)
	if err != nil || len(b.Except) == 0 {
		return 1
	}
	n := 0
	for _, ex := range b.Except {
		if e, err := netip.ParsePrefix(ex); err == nil && e.Bits() > base.Bits() {
			n += e.Bits() - base.Bits()
		}
	}
	return max(n, 1)
}

func portTerms(r *crd.Rule) int {
	n := len(r.Protocols)
	for i := range r.Ports {
		p := &r.Ports[i]
		dst := 1
		if p.Port != nil && p.EndPort != nil && p.Port.IntVal > 0 {
			dst = rangeMasks(p.Port.IntVal, *p.EndPort)
		}
		src := 1
		if p.SourcePort != nil && p.SourceEndPort != nil {
			src = rangeMasks(*p.SourcePort, *p.SourceEndPort)
		}
		n += dst * src
	}
	return max(n, 1)
}

// rangeMasks counts the port/mask pairs that cover start..end exactly.
func rangeMasks(start, end int32) int {
	if end < start {
		return 1
	}
	n := 0
	for lo := int64(start); lo <= int64(end); n++ {
		size := int64(1)
		for lo%(size*2) == 0 && lo+size*2-1 <= int64(end) {
			size *= 2
		}
		lo += size
	}
	return n
}
