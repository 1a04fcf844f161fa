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

package nodenet

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

// netnsDir is where "ip netns" keeps named namespaces.
const netnsDir = "/run/netns"

// NetNSPath resolves a host namespace setting: "" stays "" (the caller's
// namespace), a name without "/" is /run/netns/<name>, anything else is a
// path.
func NetNSPath(netNS string) string {
	if netNS == "" || strings.Contains(netNS, "/") {
		return netNS
	}
	return filepath.Join(netnsDir, netNS)
}

// openHandle returns a netlink handle whose sockets live in the namespace
// at path ("" = the caller's). Close it when done.
func openHandle(path string) (*netlink.Handle, error) {
	if path == "" {
		h, err := netlink.NewHandle()
		if err != nil {
			return nil, fmt.Errorf("opening a netlink handle: %w", err)
		}
		return h, nil
	}
	nsh, err := netns.GetFromPath(path)
	if err != nil {
		return nil, fmt.Errorf("opening network namespace %s: %w", path, err)
	}
	defer nsh.Close()
	h, err := netlink.NewHandleAt(nsh)
	if err != nil {
		return nil, fmt.Errorf("opening a netlink handle in %s: %w", path, err)
	}
	return h, nil
}

// inNetNS runs fn on a thread that joined the namespace at path ("" runs
// fn directly). Used for /proc/sys/net, which follows the thread's
// namespace.
func inNetNS(path string, fn func() error) error {
	if path == "" {
		return fn()
	}
	return ns.WithNetNSPath(path, func(ns.NetNS) error { return fn() })
}
