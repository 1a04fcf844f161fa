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

package proxy

import (
	"net/netip"
	"strings"

	corev1 "k8s.io/api/core/v1"
	netutils "k8s.io/utils/net"
)

// parseIP parses an IPv4 or IPv6 address as kube-proxy does (leniently:
// IPv4 with leading zeros, which old API servers accepted, is read as
// decimal). IPv6 zones are refused; an IPv4 address stays IPv4.
func parseIP(s string) (netip.Addr, bool) {
	if ip, err := netip.ParseAddr(s); err == nil {
		return ip, ip.Zone() == "" && !ip.IsUnspecified()
	}
	if strings.Contains(s, ":") {
		return netip.Addr{}, false
	}
	ip, ok := netip.AddrFromSlice(netutils.ParseIPSloppy(s))
	if !ok {
		return netip.Addr{}, false
	}
	ip = ip.Unmap()
	return ip, !ip.IsUnspecified()
}

// hasFamily tells whether ips has an address of ip's family.
func hasFamily(ips []netip.Addr, ip netip.Addr) bool {
	for _, o := range ips {
		if o.Is4() == ip.Is4() {
			return true
		}
	}
	return false
}

// parseProtocol maps an API protocol; empty is TCP, the API's default.
func parseProtocol(p corev1.Protocol) (Protocol, bool) {
	switch p {
	case corev1.ProtocolTCP, "":
		return TCP, true
	case corev1.ProtocolUDP:
		return UDP, true
	case corev1.ProtocolSCTP:
		return SCTP, true
	}
	return "", false
}

// portNumber checks that p is a port number no less than least.
func portNumber(p int32, least int32) (uint16, bool) {
	if p < least || p > 65535 {
		return 0, false
	}
	return uint16(p), true
}
