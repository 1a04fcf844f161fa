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
	"errors"
	"fmt"
	"net"
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/nodeagent/types"
	"github.com/strata-net/strata/nodeagent/verdict"
)

// TracePacket is the first packet of a connection leaving a local Pod, as
// ofproto/trace takes it.
type TracePacket struct {
	InPort         int32
	SrcMAC, DstMAC net.HardwareAddr
	Src, Dst       netip.Addr
	Protocol       v1beta2.Protocol
	Port           uint16
}

// traceSrcPort is the source port of traced packets.
const traceSrcPort = 40000

// TraceArgs are the ovs-appctl arguments that trace the packet through
// bridge: a new connection (every ct action answers trk,new).
func (t TracePacket) TraceArgs(bridge string) []string {
	proto := strings.ToLower(string(t.Protocol))
	if proto == "" {
		proto = "tcp"
	}
	if t.Src.Is6() {
		proto += "6"
	}
	nw := "nw"
	if t.Src.Is6() {
		nw = "ipv6"
	}
	flow := fmt.Sprintf("%s,in_port=%d,dl_src=%s,dl_dst=%s,%s_src=%s,%s_dst=%s,tp_src=%d,tp_dst=%d",
		proto, t.InPort, t.SrcMAC, t.DstMAC, nw, t.Src, nw, t.Dst, traceSrcPort, t.Port)
	args := []string{"ofproto/trace", bridge, flow}
	for range 4 { // conntrack zone, commit, and the Service proxy's lookups
		args = append(args, "--ct-next", "trk,new")
	}
	return args
}

// TraceHit is one flow a traced packet hit.
type TraceHit struct {
	Table    uint8
	Priority uint16
	Cookie   uint64
}

// hitLine is a flow line of ofproto/trace: " 8. ip,reg0=..., priority 100, cookie 0x2..."
var hitLine = regexp.MustCompile(`^\s*(\d+)\. .*priority (\d+)(?:, cookie (0x[0-9a-f]+))?\s*$`)

// ParseTrace returns the flows the trace hit, in order, and its final
// datapath actions.
func ParseTrace(out string) ([]TraceHit, string) {
	var hits []TraceHit
	dp := ""
	for _, line := range strings.Split(out, "\n") {
		if m := hitLine.FindStringSubmatch(line); m != nil {
			table, _ := strconv.ParseUint(m[1], 10, 8)
			prio, _ := strconv.ParseUint(m[2], 10, 16)
			var cookie uint64
			if m[3] != "" {
				cookie, _ = strconv.ParseUint(m[3][2:], 16, 64)
			}
			hits = append(hits, TraceHit{Table: uint8(table), Priority: uint16(prio), Cookie: cookie})
			continue
		}
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "Datapath actions:"); ok {
			dp = strings.TrimSpace(rest)
		}
	}
	return hits, dp
}

// TraceSide is what the datapath did in one direction.
type TraceSide struct {
	// Reached: the trace entered this direction's policy tables.
	Reached bool
	Verdict verdict.Verdict
	// Rule is the rule of the last conjunction the direction hit ("" for
	// none); Isolation: a K8s isolation drop decided.
	Rule      types.RuleID
	Isolation bool
	// Policy and RuleName name Rule as np.log does.
	Policy, RuleName string
	// Audited is the audit rule the packet hit in the direction's audit
	// table ("" for none): it logged and counted the packet, and decided
	// nothing. AuditedPolicy and AuditedRuleName name it as np.log does.
	Audited                        types.RuleID
	AuditedPolicy, AuditedRuleName string
}

// TraceResult is the datapath's verdict on both directions of a traced packet.
type TraceResult struct {
	Egress, Ingress TraceSide
	Hits            []TraceHit
	DatapathActions string
}

// InterpretTrace maps the flows of a trace back to this pipeline's rules:
// each direction's verdict (Allow when the packet left its metric table for
// the next stage), the rule of the last conjunction action flow it hit in
// the direction's policy tables (cookies carry the conjunction id), or a K8s
// isolation drop.
func (pf *PolicyFlows) InterpretTrace(hits []TraceHit, datapathActions string) TraceResult {
	res := TraceResult{Hits: hits, DatapathActions: datapathActions}
	res.Egress = pf.traceSide(egress, hits)
	res.Ingress = pf.traceSide(ingress, hits)
	return res
}

func (pf *PolicyFlows) traceSide(dir direction, hits []TraceHit) TraceSide {
	t := directions[dir]
	side := TraceSide{Verdict: verdict.Drop}
	var last *TraceHit
	for i := range hits {
		h := &hits[i]
		switch h.Table {
		case t.audit:
			if c, ok := pf.conjIdx.get(uint32(h.Cookie)); ok && uint8((h.Cookie&categoryMask)>>categoryShift) == categoryPolicy {
				side.Audited, side.AuditedPolicy, side.AuditedRuleName = c.rule, c.info.PolicyRef, c.info.RuleName
			}
		case t.policy, t.k8s, t.deflt:
			side.Reached = true
			if uint8((h.Cookie&categoryMask)>>categoryShift) == categoryPolicy {
				last = h
			}
		case t.afterMetric:
			if side.Reached {
				side.Verdict = verdict.Allow
			}
		}
	}
	if last != nil {
		id := uint32(last.Cookie)
		if id == 0 && last.Table == t.deflt && last.Priority == isolationPriority {
			side.Isolation = true
		} else if c, ok := pf.conjIdx.get(id); ok {
			side.Rule, side.Policy, side.RuleName = c.rule, c.info.PolicyRef, c.info.RuleName
			if side.Verdict != verdict.Allow && pf.ruleAction(c.rule) == v1beta2.RuleActionReject {
				side.Verdict = verdict.Reject
			}
		}
	}
	return side
}

// ruleAction is the action of an installed rule.
func (pf *PolicyFlows) ruleAction(id types.RuleID) v1beta2.RuleAction {
	pf.p.mu.Lock()
	defer pf.p.mu.Unlock()
	if r, ok := pf.rules[id]; ok {
		return r.action
	}
	return ""
}

// ErrNotLocal is returned (wrapped) by Trace when neither end of the
// connection is a local Pod.
var ErrNotLocal = errors.New("not a connection of a local Pod")

// AppCtl runs an ovs-appctl command on ovs-vswitchd (nodeagent/unixctl.Call
// with the daemon's socket, or ovstest.Instance.AppCtl).
type AppCtl func(args ...string) (string, error)

// Trace traces the first packet of a connection from src to dst through
// this Node's installed pipeline on bridge and interprets it. The packet
// enters from src's port when src is a local Pod, else from the gateway
// (a connection from another Node, whose egress that Node enforced); it is
// addressed to dst's MAC when dst is a local Pod, else to the gateway's.
func (p *Pipeline) Trace(appctl AppCtl, bridge string, src, dst netip.Addr, proto v1beta2.Protocol, port uint16) (TraceResult, error) {
	tp := TracePacket{Src: src, Dst: dst, Protocol: proto, Port: port}
	gw := p.cfg.Gateway
	srcIf, srcLocal := p.localInterface(src)
	dstIf, dstLocal := p.localInterface(dst)
	switch {
	case srcLocal:
		tp.InPort, tp.SrcMAC = srcIf.OFPort, srcIf.MAC
	case gw != nil && dstLocal:
		tp.InPort, tp.SrcMAC = gw.OFPort, gw.MAC
	default:
		return TraceResult{}, fmt.Errorf("%w: neither %s nor %s is a local Pod reachable through this Node's pipeline", ErrNotLocal, src, dst)
	}
	switch {
	case dstLocal:
		tp.DstMAC = dstIf.MAC
	case gw != nil:
		tp.DstMAC = gw.MAC
	default:
		return TraceResult{}, fmt.Errorf("%w: %s is not a local Pod and this Node has no gateway", ErrNotLocal, dst)
	}
	out, err := appctl(tp.TraceArgs(bridge)...)
	if err != nil {
		return TraceResult{}, fmt.Errorf("ofproto/trace %s: %w", strings.Join(tp.TraceArgs(bridge)[2:3], ""), err)
	}
	res := p.policies.InterpretTrace(ParseTrace(out))
	if !srcLocal { // the source's Node enforced egress
		res.Egress = TraceSide{}
	}
	if !dstLocal { // the destination's Node enforces ingress
		res.Ingress = TraceSide{}
	}
	return res, nil
}

// localInterface is the interface of the local Pod with address a.
func (p *Pipeline) localInterface(a netip.Addr) (Interface, bool) {
	pp, ok := p.pods.PodByIP(a.AsSlice())
	if !ok {
		return Interface{}, false
	}
	return p.pods.Lookup(types.PodRef{Namespace: pp.Namespace, Name: pp.Name})
}
