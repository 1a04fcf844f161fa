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
	"net"
	"strings"

	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/strata-net/strata/apis/crd"
)

// IGMP message types.
const (
	IGMPQuery    int32 = 0x11
	IGMPReportV1 int32 = 0x12
	IGMPReportV2 int32 = 0x16
	IGMPReportV3 int32 = 0x22
)

var (
	ingressIGMPTypes = []int32{IGMPQuery}
	egressIGMPTypes  = []int32{IGMPReportV1, IGMPReportV2, IGMPReportV3}
	httpMethods      = sets.New("GET", "POST", "PUT", "HEAD", "DELETE", "TRACE", "OPTIONS", "CONNECT", "PATCH")
)

// validateProtocols validates the ICMP and IGMP protocols of a rule.
func validateProtocols(r *crd.Rule, c ruleContext) field.ErrorList {
	var allErrs field.ErrorList
	path := c.path.Child("protocols")
	hasICMP, hasIGMP := false, false
	for i := range r.Protocols {
		p := path.Index(i)
		proto := &r.Protocols[i]
		switch {
		case proto.ICMP == nil && proto.IGMP == nil:
			allErrs = append(allErrs, field.Required(p, "set icmp or igmp"))
		case proto.ICMP != nil && proto.IGMP != nil:
			allErrs = append(allErrs, field.Forbidden(p.Child("igmp"), "set either icmp or igmp, not both"))
		}
		if proto.ICMP != nil {
			hasICMP = true
			allErrs = append(allErrs, validateByte(proto.ICMP.ICMPType, p.Child("icmp", "icmpType"))...)
			allErrs = append(allErrs, validateByte(proto.ICMP.ICMPCode, p.Child("icmp", "icmpCode"))...)
		}
		if proto.IGMP != nil {
			hasIGMP = true
			allErrs = append(allErrs, validateIGMP(proto.IGMP, c, p.Child("igmp"))...)
		}
	}
	if hasIGMP {
		allErrs = append(allErrs, validateIGMPRule(r, c, hasICMP)...)
	}
	return allErrs
}

func validateByte(v *int32, path *field.Path) field.ErrorList {
	if v != nil && (*v < 0 || *v > 255) {
		return field.ErrorList{field.Invalid(path, *v, "must be between 0 and 255")}
	}
	return nil
}

func validateIGMP(igmp *crd.IGMPProtocol, c ruleContext, path *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	if igmp.IGMPType != nil {
		allowed := ingressIGMPTypes
		if c.dir == egress {
			allowed = egressIGMPTypes
		}
		if !contains(allowed, *igmp.IGMPType) {
			allErrs = append(allErrs, field.Invalid(path.Child("igmpType"), *igmp.IGMPType, igmpTypeMessage(c.dir)))
		}
	}
	if igmp.GroupAddress != "" {
		ip := net.ParseIP(igmp.GroupAddress)
		if ip == nil || !ip.IsMulticast() {
			allErrs = append(allErrs, field.Invalid(path.Child("groupAddress"), igmp.GroupAddress, "must be a multicast IP address"))
		}
	}
	return allErrs
}

// validateIGMPRule: an IGMP rule has no other protocol, port or peer and cannot
// Pass or Reject.
func validateIGMPRule(r *crd.Rule, c ruleContext, hasICMP bool) field.ErrorList {
	var allErrs field.ErrorList
	if r.Action != nil && (*r.Action == crd.RuleActionPass || *r.Action == crd.RuleActionReject) {
		allErrs = append(allErrs, field.Invalid(c.path.Child("action"), *r.Action, "protocol IGMP does not support Pass or Reject"))
	}
	others := []struct {
		name string
		set  bool
	}{
		{"ports", len(r.Ports) > 0}, {"toServices", len(r.ToServices) > 0},
		{"from", len(r.From) > 0}, {"to", len(r.To) > 0}, {"protocols", hasICMP},
	}
	for _, o := range others {
		if o.set {
			allErrs = append(allErrs, field.Forbidden(c.path.Child(o.name),
				"protocol IGMP cannot be used with other protocols, ports or peers (from, to, toServices)"))
		}
	}
	return allErrs
}

// validateL7Protocols validates the layer-7 protocols of an Allow rule.
func validateL7Protocols(r *crd.Rule, c ruleContext) field.ErrorList {
	if len(r.L7Protocols) == 0 {
		return nil
	}
	var allErrs field.ErrorList
	path := c.path.Child("l7Protocols")
	if r.Action != nil && *r.Action != crd.RuleActionAllow {
		allErrs = append(allErrs, field.Invalid(c.path.Child("action"), *r.Action, "layer 7 protocols only support Allow"))
	}
	if len(r.ToServices) > 0 {
		allErrs = append(allErrs, field.Forbidden(path, "layer 7 protocols cannot be used with toServices"))
	}
	for i := range r.L7Protocols {
		allErrs = append(allErrs, validateL7Protocol(&r.L7Protocols[i], r, path.Index(i))...)
	}
	return allErrs
}

func validateL7Protocol(l7 *crd.L7Protocol, r *crd.Rule, path *field.Path) field.ErrorList {
	switch {
	case l7.HTTP == nil && l7.TLS == nil:
		return field.ErrorList{field.Required(path, "set http or tls")}
	case l7.HTTP != nil && l7.TLS != nil:
		return field.ErrorList{field.Forbidden(path.Child("tls"), "set either http or tls, not both")}
	case l7.TLS != nil:
		return nil
	}
	var allErrs field.ErrorList
	if l7.HTTP.Method != "" && !httpMethods.Has(strings.ToUpper(l7.HTTP.Method)) {
		allErrs = append(allErrs, field.NotSupported(path.Child("http", "method"), l7.HTTP.Method, sets.List(httpMethods)))
	}
	for _, p := range r.Ports {
		if p.Protocol != nil && *p.Protocol != crd.ProtocolTCP {
			allErrs = append(allErrs, field.Forbidden(path.Child("http"), "HTTP can only be used with TCP ports"))
			break
		}
	}
	if len(r.Protocols) > 0 {
		allErrs = append(allErrs, field.Forbidden(path.Child("http"), "HTTP cannot be used with ICMP or IGMP protocols"))
	}
	return allErrs
}

func igmpTypeMessage(dir direction) string {
	if dir == ingress {
		return "an ingress rule matches IGMP queries: igmpType must be 0x11 (17)"
	}
	return "an egress rule matches IGMP reports: igmpType must be 0x12 (18), 0x16 (22) or 0x22 (34)"
}

func contains(list []int32, v int32) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
