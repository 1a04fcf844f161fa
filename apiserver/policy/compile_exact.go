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
	"github.com/strata-net/strata/apis/crd/support"
	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
)

// exactRule returns the part of a rule this version enforces exactly, or nil when
// no part of it can be: a rule is never enforced more loosely than written.
// Objects written by an older version may carry fields or values admission now
// refuses (apis/crd/support). An Allow or Pass rule with any of them is not
// installed at all (anything else would widen what it lets through or skips); a
// Drop or Reject rule keeps its exact peers, appliedTo entries, ports (not those of
// protocol SCTP) and protocols, and is dropped when that leaves a list empty that
// was not (an empty list would match everything; ports and protocols are one list:
// the rule matches either).
// An egress rule's toServices entries are one more list (scope ClusterSet ones
// are refused).
// specRefused tells whether the rule uses the policy's appliedTo and that has a
// refused entry.
func exactRule(r *crdv1beta1.Rule, specRefused, ingress bool) *crdv1beta1.Rule {
	refused := specRefused || support.RuleRefused(r, ingress)
	if !refused {
		return r
	}
	if support.RuleWideRefused(r, ingress) || r.Action == nil ||
		(*r.Action != crdv1beta1.RuleActionDrop && *r.Action != crdv1beta1.RuleActionReject) {
		return nil
	}
	out := *r
	out.From = keepPeers(r.From)
	out.To = keepPeers(r.To)
	out.AppliedTo = keepAppliedTo(r.AppliedTo)
	out.Ports = keepPorts(r.Ports)
	out.Protocols = keepProtocols(r.Protocols)
	out.ToServices = keepServices(r.ToServices)
	if len(out.From) < len(r.From) && len(out.From) == 0 ||
		len(out.ToServices) < len(r.ToServices) && len(out.ToServices) == 0 ||
		len(out.To) < len(r.To) && len(out.To) == 0 ||
		len(out.AppliedTo) < len(r.AppliedTo) && len(out.AppliedTo) == 0 ||
		(len(out.Ports) < len(r.Ports) || len(out.Protocols) < len(r.Protocols)) && len(out.Ports)+len(out.Protocols) == 0 {
		return nil
	}
	return &out
}

func keepPeers(in []crdv1beta1.NetworkPolicyPeer) []crdv1beta1.NetworkPolicyPeer {
	var out []crdv1beta1.NetworkPolicyPeer
	for i := range in {
		if !support.PeerRefused(&in[i]) {
			out = append(out, in[i])
		}
	}
	return out
}

func keepServices(in []crdv1beta1.PeerService) []crdv1beta1.PeerService {
	var out []crdv1beta1.PeerService
	for i := range in {
		if !support.ServiceRefused(&in[i]) {
			out = append(out, in[i])
		}
	}
	return out
}

func keepAppliedTo(in []crdv1beta1.AppliedTo) []crdv1beta1.AppliedTo {
	var out []crdv1beta1.AppliedTo
	for i := range in {
		if !support.AppliedToRefused(&in[i]) {
			out = append(out, in[i])
		}
	}
	return out
}

func keepPorts(in []crdv1beta1.NetworkPolicyPort) []crdv1beta1.NetworkPolicyPort {
	var out []crdv1beta1.NetworkPolicyPort
	for i := range in {
		if !support.PortRefused(&in[i]) {
			out = append(out, in[i])
		}
	}
	return out
}

func keepProtocols(in []crdv1beta1.NetworkPolicyProtocol) []crdv1beta1.NetworkPolicyProtocol {
	var out []crdv1beta1.NetworkPolicyProtocol
	for i := range in {
		if !support.ProtocolRefused(&in[i]) {
			out = append(out, in[i])
		}
	}
	return out
}

// appliedToRefused tells whether an appliedTo list has an entry this version does
// not enforce.
func appliedToRefused(list []crdv1beta1.AppliedTo) bool {
	return len(keepAppliedTo(list)) < len(list)
}
