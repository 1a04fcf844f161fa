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
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// procSysNet is the sysctl tree of the current thread's network namespace.
const procSysNet = "/proc/sys/net"

// ForwardingConfig says how the host forwards between nodes' Pods.
type ForwardingConfig struct {
	// NetNS is the node's host network namespace (see NetNSPath).
	NetNS string
	// IPv6 turns on IPv6 forwarding too.
	IPv6 bool
	// Gateway is the gateway interface, which always forwards.
	Gateway string
	// IsolateNewLinks makes interfaces created afterwards (the host ends of
	// Pod veths) not forward IPv4. With the userspace (netdev) datapath the
	// host end of a Pod's veth stays a kernel interface in the host
	// namespace that sees every frame of the Pod: a Pod that sends to that
	// interface's MAC would otherwise be routed by the kernel around OVS and
	// its policies. Interfaces that exist already (the uplink) keep
	// forwarding. Leave it off with the kernel datapath and on real hosts,
	// where it would affect every interface created later.
	IsolateNewLinks bool
}

// sysctl is one setting under /proc/sys/net.
type sysctl struct {
	key, value string
	perLink    bool   // of one interface, which may go away meanwhile
	unlessNow  string // leave the value alone when it is this
}

// forwardingSysctls are the settings a routing node needs:
//   - forwarding on; "all" is written only when it is off, since writing it
//     sets every interface, which would undo IsolateNewLinks for the Pod
//     veths of an earlier agent run;
//   - arp_ignore=1: ARP is answered only for addresses of the receiving
//     interface, so the kernel never answers a Pod's ARP for the gateway IP
//     from the host end of the Pod's veth (netdev datapath, see
//     IsolateNewLinks);
//   - the reverse path filter off on "all", "default" and every existing
//     interface (the effective value is the maximum of "all" and the
//     interface's): packets between Pods of different nodes enter and leave
//     through different interfaces and must not be dropped as martians.
func forwardingSysctls(cfg ForwardingConfig, links []string) []sysctl {
	out := []sysctl{
		{key: "ipv4/conf/all/forwarding", value: "1", unlessNow: "1"},
		{key: "ipv4/conf/all/arp_ignore", value: "1"},
	}
	if cfg.IsolateNewLinks {
		out = append(out, sysctl{key: "ipv4/conf/default/forwarding", value: "0"})
	}
	if cfg.Gateway != "" {
		out = append(out, sysctl{key: "ipv4/conf/" + cfg.Gateway + "/forwarding", value: "1"})
	}
	if cfg.IPv6 {
		out = append(out, sysctl{key: "ipv6/conf/all/forwarding", value: "1", unlessNow: "1"})
	}
	for _, name := range links {
		out = append(out, sysctl{key: filepath.Join("ipv4/conf", name, "rp_filter"), value: "0",
			perLink: name != "all" && name != "default"})
	}
	return out
}

// EnableForwarding configures the host namespace to route between the
// nodes' Pods (forwardingSysctls). Call it after the gateway exists.
func EnableForwarding(cfg ForwardingConfig) error {
	err := inNetNS(NetNSPath(cfg.NetNS), func() error {
		dirs, err := os.ReadDir(filepath.Join(procSysNet, "ipv4", "conf"))
		if err != nil {
			return fmt.Errorf("listing the interfaces' sysctls: %w", err)
		}
		links := make([]string, len(dirs))
		for i, d := range dirs {
			links[i] = d.Name()
		}
		var errs []error
		for _, s := range forwardingSysctls(cfg, links) {
			if err := s.apply(); err != nil {
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	})
	if err != nil {
		return fmt.Errorf("enabling forwarding in network namespace %q: %w", cfg.NetNS, err)
	}
	return nil
}

func (s sysctl) apply() error {
	path := filepath.Join(procSysNet, s.key)
	if s.unlessNow != "" {
		if cur, err := os.ReadFile(path); err == nil && strings.TrimSpace(string(cur)) == s.unlessNow {
			return nil
		}
	}
	err := os.WriteFile(path, []byte(s.value), 0o644)
	if err != nil && !(s.perLink && errors.Is(err, os.ErrNotExist)) {
		return fmt.Errorf("setting net/%s=%s: %w", s.key, s.value, err)
	}
	return nil
}
