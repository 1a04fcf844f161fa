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

package standalone

import (
	"net"
	"net/netip"
)

// ServerURL is the URL a local client should dial for a server listening on addr.
// A listener bound to an unspecified address (0.0.0.0 or ::, the default
// --bind-address) accepts on every interface, but "https://[::]:8443" names no
// host the serving certificate covers: the loopback of the same family does
// (Ensure always puts 127.0.0.1 and ::1 in the certificate).
func ServerURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "https://" + addr.String()
	}
	if ip, err := netip.ParseAddr(host); err == nil && ip.IsUnspecified() {
		host = "127.0.0.1"
		if ip.Is6() && !ip.Is4In6() {
			host = "::1"
		}
	}
	return "https://" + net.JoinHostPort(host, port)
}
