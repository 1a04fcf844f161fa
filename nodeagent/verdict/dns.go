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

// fqdnMayMatch tells whether the egress rule r, which its addresses do not
// match, has FQDN peers and ports that match the packet: it matches if the
// destination's address is one the agent learnt for those names from DNS.
// An FQDN peer names no ports of its own, so named ports do not resolve.
func fqdnMayMatch(r *types.CompletedRule, pkt Packet) bool {
	if r.Direction != v1beta2.DirectionOut || len(r.FQDNs) == 0 || !pkt.Dst.IsValid() {
		return false
	}
	return servicesMatch(r.Services, pkt.Protocol, pkt.Port, nil)
}

// DNSDependent returns the rules of the walk whose outcome depends on the
// agent's DNS cache (OutcomeDependsOnDNS) and which, if they matched, would
// give another verdict than r's: a Drop or Reject before an Allow, an Allow
// before a Drop, a Pass. Rules after the deciding one are NotReached, so
// they are not among them. Empty: the verdict does not depend on DNS.
func (r Result) DNSDependent() []*types.CompletedRule {
	var out []*types.CompletedRule
	for _, st := range r.Steps {
		if st.Outcome == OutcomeDependsOnDNS && Verdict(actionOutcome(st.Rule)) != r.Verdict {
			out = append(out, st.Rule)
		}
	}
	return out
}
