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
	"fmt"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/nodeagent/ovs/openflow"
)

// portFields builds the exact and the masked match of one port field;
// index 0 of the arrays below is the source port, 1 the destination port.
type portFields struct {
	exact  func(uint16) openflow.MatchField
	masked func(v, m uint16) openflow.MatchField
}

var (
	tcpPorts  = [2]portFields{{openflow.TCPSrc, openflow.TCPSrcMasked}, {openflow.TCPDst, openflow.TCPDstMasked}}
	udpPorts  = [2]portFields{{openflow.UDPSrc, openflow.UDPSrcMasked}, {openflow.UDPDst, openflow.UDPDstMasked}}
	sctpPorts = [2]portFields{{openflow.SCTPSrc, openflow.SCTPSrcMasked}, {openflow.SCTPDst, openflow.SCTPDstMasked}}
)

func protocolOf(s v1beta2.Service) v1beta2.Protocol {
	if s.Protocol == nil {
		return v1beta2.ProtocolTCP
	}
	return *s.Protocol
}

// serviceMatches returns the service clause values of svcs for the IP
// families fams: protocol plus destination ports (ranges as value/mask),
// source ports, or ICMP type and code. IGMP services match nothing here.
func serviceMatches(svcs []v1beta2.Service, fams family) ([]openflow.Match, error) {
	var out []openflow.Match
	seen := map[openflow.Match]bool{}
	var err error
	fams.each(func(f family) {
		for _, s := range svcs {
			fields, ferr := serviceFields(s, f)
			if ferr != nil {
				err = ferr
				return
			}
			for _, fs := range fields {
				m, merr := openflow.NewMatch(fs...)
				if merr != nil {
					err = fmt.Errorf("service %s: %w", serviceString(s), merr)
					return
				}
				if !seen[m] {
					seen[m] = true
					out = append(out, m)
				}
			}
		}
	})
	return out, err
}

// serviceFields returns the match field lists of one service in family f.
func serviceFields(s v1beta2.Service, f family) ([][]openflow.MatchField, error) {
	eth := openflow.EthType(f.ethType())
	switch p := protocolOf(s); p {
	case v1beta2.ProtocolTCP:
		return portServiceFields(s, eth, openflow.IPProtoTCP, tcpPorts)
	case v1beta2.ProtocolUDP:
		return portServiceFields(s, eth, openflow.IPProtoUDP, udpPorts)
	case v1beta2.ProtocolSCTP:
		return portServiceFields(s, eth, openflow.IPProtoSCTP, sctpPorts)
	case v1beta2.ProtocolICMP:
		return [][]openflow.MatchField{icmpFields(s, f, eth)}, nil
	case v1beta2.ProtocolIGMP:
		return nil, nil
	default:
		return nil, fmt.Errorf("unsupported protocol %q", p)
	}
}

func icmpFields(s v1beta2.Service, f family, eth openflow.MatchField) []openflow.MatchField {
	proto, typ, code := openflow.IPProtoICMP, openflow.ICMPType, openflow.ICMPCode
	if f == ipv6 {
		proto, typ, code = openflow.IPProtoICMPv6, openflow.ICMPv6Type, openflow.ICMPv6Code
	}
	fields := []openflow.MatchField{eth, openflow.IPProto(proto)}
	if s.ICMPType != nil {
		fields = append(fields, typ(uint8(*s.ICMPType)))
		if s.ICMPCode != nil {
			fields = append(fields, code(uint8(*s.ICMPCode)))
		}
	}
	return fields
}

// portServiceFields is the cross product of destination and source port
// ranges, each range split into value/mask matches.
func portServiceFields(s v1beta2.Service, eth openflow.MatchField, proto uint8, pf [2]portFields) ([][]openflow.MatchField, error) {
	if s.Port != nil && s.Port.Type == intstr.String {
		return nil, nil // an unresolved named port matches nothing
	}
	dsts, err := portRange(pf[1], intPort(s.Port), s.EndPort)
	if err != nil {
		return nil, fmt.Errorf("service %s: %w", serviceString(s), err)
	}
	srcs, err := portRange(pf[0], s.SrcPort, s.SrcEndPort)
	if err != nil {
		return nil, fmt.Errorf("service %s: %w", serviceString(s), err)
	}
	var out [][]openflow.MatchField
	for _, d := range dsts {
		for _, sp := range srcs {
			fields := []openflow.MatchField{eth, openflow.IPProto(proto)}
			if d != nil {
				fields = append(fields, *d)
			}
			if sp != nil {
				fields = append(fields, *sp)
			}
			out = append(out, fields)
		}
	}
	return out, nil
}

func intPort(p *intstr.IntOrString) *int32 {
	if p == nil || p.IntVal == 0 {
		return nil
	}
	v := p.IntVal
	return &v
}

// portRange returns the matches of [port, end] ([nil] without a port).
func portRange(pf portFields, port, end *int32) ([]*openflow.MatchField, error) {
	if port == nil || *port == 0 {
		return []*openflow.MatchField{nil}, nil
	}
	lo, hi := *port, *port
	if end != nil {
		hi = *end
	}
	if lo < 0 || hi > 65535 || lo > hi {
		return nil, fmt.Errorf("invalid port range %d-%d", lo, hi)
	}
	var out []*openflow.MatchField
	for _, pm := range openflow.PortRangeMasks(uint16(lo), uint16(hi)) {
		mf := pf.masked(pm.Value, pm.Mask)
		if pm.Mask == 0xffff {
			mf = pf.exact(pm.Value)
		}
		out = append(out, &mf)
	}
	return out, nil
}

func serviceString(s v1beta2.Service) string {
	var b strings.Builder
	b.WriteString(string(protocolOf(s)))
	if s.Port != nil {
		b.WriteString("/" + s.Port.String())
	}
	if s.EndPort != nil {
		b.WriteString("-" + strconv.Itoa(int(*s.EndPort)))
	}
	return b.String()
}

// resolveNamedPorts replaces the named ports of svcs with the numbers of
// ports (a target Pod's or a peer's); services whose name does not resolve
// are dropped. key identifies the resolution ("" without named ports).
func resolveNamedPorts(svcs []v1beta2.Service, ports []v1beta2.NamedPort) (resolved []v1beta2.Service, key string) {
	var kb strings.Builder
	for i, s := range svcs {
		if s.Port == nil || s.Port.Type != intstr.String {
			resolved = append(resolved, s)
			continue
		}
		num, ok := lookupNamedPort(ports, s.Port.StrVal, protocolOf(s))
		fmt.Fprintf(&kb, "%d:%d;", i, num)
		if !ok {
			continue
		}
		port := intstr.FromInt32(num)
		s.Port = &port
		resolved = append(resolved, s)
	}
	return resolved, kb.String()
}

func lookupNamedPort(ports []v1beta2.NamedPort, name string, proto v1beta2.Protocol) (int32, bool) {
	for _, p := range ports {
		pp := p.Protocol
		if pp == "" {
			pp = v1beta2.ProtocolTCP
		}
		if p.Name == name && pp == proto {
			return p.Port, true
		}
	}
	return 0, false
}

func hasNamedPort(svcs []v1beta2.Service) bool {
	for _, s := range svcs {
		if s.Port != nil && s.Port.Type == intstr.String {
			return true
		}
	}
	return false
}
