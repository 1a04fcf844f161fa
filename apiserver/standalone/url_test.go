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
	"testing"
)

func TestServerURL(t *testing.T) {
	tests := []struct {
		name string
		addr net.Addr
		want string
	}{
		{"all IPv6 interfaces (the default bind address)", &net.TCPAddr{IP: net.IPv6unspecified, Port: 8443}, "https://[::1]:8443"},
		{"all IPv4 interfaces", &net.TCPAddr{IP: net.IPv4zero, Port: 8443}, "https://127.0.0.1:8443"},
		{"IPv4 loopback", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 6443}, "https://127.0.0.1:6443"},
		{"IPv6 loopback", &net.TCPAddr{IP: net.IPv6loopback, Port: 6443}, "https://[::1]:6443"},
		{"a specific address is kept", &net.TCPAddr{IP: net.IPv4(192, 0, 2, 7), Port: 443}, "https://192.0.2.7:443"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ServerURL(tt.addr); got != tt.want {
				t.Errorf("ServerURL(%s) = %q, want %q", tt.addr, got, tt.want)
			}
		})
	}
}
