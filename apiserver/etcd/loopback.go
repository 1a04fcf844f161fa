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

package etcd

import (
	"fmt"
	"net"
	"net/netip"
)

// CheckLoopback refuses an address the embedded etcd would serve beyond this host.
// The embedded etcd speaks plain HTTP without client authentication: whoever
// reaches it reads and writes every policy, so it listens only on loopback
// (127.0.0.0/8, ::1 or localhost). Use an external etcd with TLS client
// authentication (--etcd-servers, --etcd-cafile, --etcd-certfile, --etcd-keyfile)
// to serve etcd on the network.
func CheckLoopback(hostport string) error {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return fmt.Errorf("%q is not host:port: %w", hostport, err)
	}
	if host == "localhost" {
		return nil
	}
	addr, err := netip.ParseAddr(host)
	if err != nil || !addr.IsLoopback() {
		return fmt.Errorf("%q is not a loopback address: the embedded etcd has no TLS client authentication, so it listens only on 127.0.0.1, ::1 or localhost (use --etcd-servers with TLS to serve etcd beyond this host)", hostport)
	}
	return nil
}
