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

package pipeline

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"

	"k8s.io/klog/v2"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/nodeagent/fqdn"
	"github.com/strata-net/strata/nodeagent/ovs/openflow"
	"github.com/strata-net/strata/nodeagent/types"
)

// FQDN peers (egress rules' `to[].fqdn`): the peer addresses of a rule are
// its static addresses plus the addresses its patterns' names currently
// have in the FQDNResolver (nodeagent/fqdn.Cache); a rule whose patterns
// have no address yet matches none of them (an Allow allows nothing there,
// a Drop drops nothing there). While a rule with FQDN peers applies to a
// Pod, the DNS responses to that Pod (UDP and TCP from port 53, replies of
// a tracked connection, after conntrack un-NATed them from the DNS
// Service's endpoint) are paused in the Output table and sent to the
// controller with userdata [PacketInCategoryDNS]: the agent learns their
// addresses, refreshes the rules (RefreshFQDNs, one bundle) and resumes
// the packet, whose remaining action outputs it to the Pod.

// PacketInCategoryDNS is the userdata category of paused DNS responses.
const PacketInCategoryDNS byte = 2

// dnsInterceptPriority is above the Output table's port output and below
// its hairpin output (a Pod's DNS answer from itself through a Service is
// not intercepted: it leaves by IN_PORT, which output:reg1 cannot do).
const dnsInterceptPriority = hairpinOutPriority - 5

// FQDNResolver gives the current addresses of the names a pattern matches.
type FQDNResolver interface {
	Addresses(pattern string) []netip.Addr
}

// fqdnPeers are the learnt addresses of a rule's patterns as host prefixes.
func (c *compiler) fqdnPeers(r *types.CompletedRule) ([]peer, error) {
	if len(r.FQDNs) == 0 {
		return nil, nil
	}
	if r.Direction != v1beta2.DirectionOut {
		return nil, errors.New("FQDN peers are only valid in egress rules")
	}
	if c.fqdns == nil {
		return nil, errors.New("FQDN peers need the DNS interception, which this pipeline was not configured with (Config.FQDNs)")
	}
	var out []peer
	for _, pattern := range r.FQDNs {
		for _, a := range c.fqdns.Addresses(pattern) {
			out = append(out, peer{prefix: netip.PrefixFrom(a, a.BitLen())})
		}
	}
	return out, nil
}

// dnsInterceptFlows pause the DNS responses to one Pod port (see above).
func (c baseConfig) dnsInterceptFlows(ofport uint32) []openflow.Flow {
	ctrl := openflow.Controller{Reason: openflow.ReasonAction, ID: c.controllerID, Pause: true,
		Userdata: []byte{PacketInCategoryDNS}}
	var acts []openflow.Action
	if c.meter {
		acts = append(acts, openflow.Meter{ID: PacketInMeterID})
	}
	acts = append(acts, ctrl, openflow.OutputToReg(TargetOFPortField.Reg))
	var out []openflow.Flow
	for _, f := range []family{ipv4, ipv6} {
		for _, l4 := range []struct {
			proto uint8
			src   openflow.MatchField
		}{{openflow.IPProtoUDP, openflow.UDPSrc(53)}, {openflow.IPProtoTCP, openflow.TCPSrc(53)}} {
			m := openflow.MustMatch(openflow.EthType(f.ethType()), openflow.IPProto(l4.proto), l4.src,
				openflow.CTState(openflow.CTStateRpl|openflow.CTStateTrk, openflow.CTStateRpl|openflow.CTStateTrk),
				OutputField.Match(OutputToPort), TargetOFPortField.Match(ofport))
			out = append(out, openflow.Flow{Table: Output, Priority: dnsInterceptPriority,
				Cookie: cookie(c.round, categoryPolicy, 0), Match: m, Instructions: openflow.Apply(acts...)})
		}
	}
	return out
}

// dnsOwner owns the DNS interception flows of a rule's target Pods.
func (r *compiledRule) dnsOwner() ownerKey { return ownerKey("fqdn/" + string(r.src.ID)) }

// applyDNSIntercept adds (or removes) the interception flows of a rule's
// target Pods; Pods shared by several FQDN rules keep theirs until the
// last one goes.
func (pf *PolicyFlows) applyDNSIntercept(r *compiledRule, add bool) {
	for _, port := range r.dnsPorts {
		for _, f := range pf.p.base.dnsInterceptFlows(port) {
			if add {
				pf.p.flows.addOwned(r.dnsOwner(), f)
			} else {
				pf.p.flows.removeOwned(r.dnsOwner(), f.Key())
			}
		}
	}
}

// RefreshFQDNs is RefreshFQDNRules without the report (fqdn.OnChange).
func (pf *PolicyFlows) RefreshFQDNs(ctx context.Context, names []string) error {
	_, err := pf.RefreshFQDNRules(ctx, names)
	return err
}

// RefreshFQDNRules recompiles the installed rules with a pattern matching
// one of the names (whose addresses changed), installs the difference as
// one bundle, and tells whether there were such rules. Rules that fail to
// compile keep their installed version and are reported in the error.
func (pf *PolicyFlows) RefreshFQDNRules(ctx context.Context, names []string) (bool, error) {
	if len(names) == 0 {
		return false, nil
	}
	var errs []error
	n := 0
	err := pf.p.update(ctx, func() error {
		c := pf.newCompiler()
		var compiled []*compiledRule
		for _, r := range pf.rules {
			if !matchesAny(r.src.FQDNs, names) {
				continue
			}
			cr, err := c.compile(r.src)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			compiled = append(compiled, cr)
		}
		n = len(compiled)
		return pf.replace(compiled)
	})
	if err := errors.Join(append(errs, err)...); err != nil {
		return n > 0, fmt.Errorf("refreshing the FQDN rules of %d names: %w", len(names), err)
	}
	if n > 0 {
		klog.FromContext(ctx).V(2).Info("Refreshed FQDN rules", "names", names, "rules", n)
	}
	return n > 0, nil
}

func matchesAny(patterns, names []string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool {
		return slices.ContainsFunc(names, func(n string) bool { return fqdn.Matches(p, n) })
	})
}
