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

package cniserver

import (
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/containernetworking/plugins/pkg/ip"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/vishvananda/netlink"
)

// podNamePrefixLen and hashLen make host veth names of at most 15 characters
// (IFNAMSIZ-1): 8 of the Pod name, "-", 6 hex digits of sha1(container id).
const (
	podNamePrefixLen = 8
	hashLen          = 6
)

// HostVethName is the host end's name of a container's veth: the first 8
// characters of the Pod name (leading '-' and '.' trimmed), '-', and the first
// 6 hex digits of sha1(containerID). Retries of one container get the same
// name; different containers of one Pod differ.
func HostVethName(podName, containerID string) string {
	prefix := strings.TrimLeft(podName, "-.")
	if len(prefix) > podNamePrefixLen {
		prefix = prefix[:podNamePrefixLen]
	}
	sum := sha1.Sum([]byte(containerID))
	return prefix + "-" + hex.EncodeToString(sum[:])[:hashLen]
}

// openHostNS opens the host network namespace (the agent's own if path is
// empty).
func openHostNS(path string) (ns.NetNS, error) {
	if path == "" {
		return ns.GetCurrentNS()
	}
	return ns.GetNS(path)
}

// vethPair is a created veth: the host end and the container end.
type vethPair struct {
	host, cont net.Interface
}

// setupVeth creates the veth from inside podNS with the host end moved into
// hostNS, both ends up and with transmit checksum offload off.
func setupVeth(podNS, hostNS ns.NetNS, ifName, hostName string, mtu int) (vethPair, error) {
	var v vethPair
	err := podNS.Do(func(ns.NetNS) error {
		var err error
		if v.host, v.cont, err = ip.SetupVethWithName(ifName, hostName, mtu, "", hostNS); err != nil {
			return err
		}
		if err := disableTXChecksum(ifName); err != nil {
			return fmt.Errorf("container end %s: %w", ifName, err)
		}
		return nil
	})
	if err != nil {
		return vethPair{}, err
	}
	err = hostNS.Do(func(ns.NetNS) error {
		if err := disableTXChecksum(hostName); err != nil {
			return fmt.Errorf("host end %s: %w", hostName, err)
		}
		return nil
	})
	return v, err
}

// deleteVeth deletes a veth end in netns (its peer goes with it); a missing
// link succeeds, a link that is not a veth is left alone.
func deleteVeth(netns ns.NetNS, name string) (bool, error) {
	deleted := false
	err := netns.Do(func(ns.NetNS) error {
		link, err := netlink.LinkByName(name)
		if err != nil {
			if isLinkNotFound(err) {
				return nil
			}
			return fmt.Errorf("looking up %s: %w", name, err)
		}
		if link.Type() != "veth" {
			return nil
		}
		if err := netlink.LinkDel(link); err != nil && !isLinkNotFound(err) {
			return fmt.Errorf("deleting %s: %w", name, err)
		}
		deleted = true
		return nil
	})
	return deleted, err
}

// vethLink returns the veth name in netns, or an error saying why it is not
// usable.
func vethLink(netns ns.NetNS, name string) (netlink.Link, error) {
	var link netlink.Link
	err := netns.Do(func(ns.NetNS) error {
		var err error
		if link, err = netlink.LinkByName(name); err != nil {
			return fmt.Errorf("interface %s: %w", name, err)
		}
		if link.Type() != "veth" {
			return fmt.Errorf("interface %s is a %s, not a veth", name, link.Type())
		}
		return nil
	})
	return link, err
}

func isLinkNotFound(err error) bool {
	var nf netlink.LinkNotFoundError
	return errors.As(err, &nf)
}
