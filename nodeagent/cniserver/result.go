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
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
)

// Indexes of the interfaces in a result.
const (
	hostIfIndex = 0
	contIfIndex = 1
)

// attachment is what a container's interface should look like: its veth ends,
// addresses and routes. ADD builds it, CHECK reads it from prevResult, and a
// retried ADD from the OVS port.
type attachment struct {
	hostName string
	hostMAC  string
	contMAC  string
	ips      []*current.IPConfig
	routes   []*types.Route
}

// newAttachment adds a default route per family via its gateway.
func newAttachment(hostName, hostMAC, contMAC string, ips []*current.IPConfig) attachment {
	a := attachment{hostName: hostName, hostMAC: hostMAC, contMAC: contMAC, ips: ips}
	for _, ipc := range ips {
		idx := contIfIndex
		ipc.Interface = &idx
		dst := net.IPNet{IP: net.IPv4zero.To4(), Mask: net.CIDRMask(0, 32)}
		if ipc.Address.IP.To4() == nil {
			dst = net.IPNet{IP: net.IPv6zero, Mask: net.CIDRMask(0, 128)}
		}
		a.routes = append(a.routes, &types.Route{Dst: dst, GW: ipc.Gateway})
	}
	return a
}

// result is the CNI result of the attachment.
func (a attachment) result(r *podRequest) *current.Result {
	return &current.Result{
		CNIVersion: current.ImplementedSpecVersion,
		Interfaces: []*current.Interface{
			{Name: a.hostName, Mac: a.hostMAC},
			{Name: r.IfName, Mac: a.contMAC, Sandbox: r.Netns},
		},
		IPs:    a.ips,
		Routes: a.routes,
	}
}

// encodeResult converts the result to the config's CNI version.
func encodeResult(res *current.Result, cniVersion string) ([]byte, error) {
	versioned, err := res.GetAsVersion(cniVersion)
	if err != nil {
		return nil, fmt.Errorf("converting the result to CNI %s: %w", cniVersion, err)
	}
	return json.Marshal(versioned)
}

// attachmentFromResult reads the container interface named ifName, its host
// peer, addresses and routes from a (prev) result.
func attachmentFromResult(res *current.Result, ifName string) (attachment, error) {
	var a attachment
	cont := -1
	for i, itf := range res.Interfaces {
		switch {
		case itf.Sandbox != "" && itf.Name == ifName:
			cont, a.contMAC = i, itf.Mac
		case itf.Sandbox == "" && a.hostName == "":
			a.hostName, a.hostMAC = itf.Name, itf.Mac
		}
	}
	if cont < 0 {
		return attachment{}, fmt.Errorf("prevResult has no interface %s in a sandbox", ifName)
	}
	if a.hostName == "" {
		return attachment{}, errors.New("prevResult has no host interface")
	}
	for _, ipc := range res.IPs {
		if ipc.Interface == nil || *ipc.Interface == cont {
			a.ips = append(a.ips, ipc)
		}
	}
	if len(a.ips) == 0 {
		return attachment{}, fmt.Errorf("prevResult has no address on %s", ifName)
	}
	a.routes = res.Routes
	return a, nil
}

func (a attachment) addrs() []net.IP {
	out := make([]net.IP, len(a.ips))
	for i, ipc := range a.ips {
		out[i] = ipc.Address.IP
	}
	return out
}

func sameMAC(a, b string) bool { return strings.EqualFold(a, b) && a != "" }
