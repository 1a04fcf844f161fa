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
	"net"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
)

func goodNodePortConfig() NodePortConfig {
	c := NodePortConfig{Gateway: "strata-gw0", GatewayMAC: net.HardwareAddr{0x0a, 0x58, 0x0a, 0xf4, 0, 1},
		GatewayIP: netip.MustParseAddr("10.244.0.1"), NodeIPs: []netip.Addr{netip.MustParseAddr("172.30.0.11")}}
	c.Defaults()
	return c
}

func TestNodePortConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(c *NodePortConfig)
		want   string // "" means valid
	}{
		{"valid", func(*NodePortConfig) {}, ""},
		{"no gateway", func(c *NodePortConfig) { c.Gateway = "" }, "NodePortConfig.Gateway is required"},
		{"short MAC", func(c *NodePortConfig) { c.GatewayMAC = net.HardwareAddr{1} }, "NodePortConfig.GatewayMAC"},
		{"IPv6 gateway IP", func(c *NodePortConfig) { c.GatewayIP = netip.MustParseAddr("fd00::1") }, "NodePortConfig.GatewayIP"},
		{"no node IP", func(c *NodePortConfig) { c.NodeIPs = nil }, "NodePortConfig.NodeIPs is empty"},
		{"IPv6 node IP", func(c *NodePortConfig) { c.NodeIPs = []netip.Addr{netip.MustParseAddr("fd30::11")} }, "NodePortConfig.NodeIPs has"},
		{"empty range", func(c *NodePortConfig) { c.PortMin, c.PortMax = 32000, 31000 }, "port range 32000-31000"},
		{"main table", func(c *NodePortConfig) { c.Table = 254 }, "NodePortConfig.Table 254"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := goodNodePortConfig()
			tc.change(&c)
			err := c.Validate()
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tc.want)
		})
	}
}

// TestNodePortRules: the host's own traffic and what comes back from OVS
// keep the local table first; the gateway IP and each node IP's NodePort
// range (TCP and UDP) go to the NodePort table.
func TestNodePortRules(t *testing.T) {
	c := goodNodePortConfig()
	var got []string
	for _, r := range nodePortRules(c) {
		s := fmt.Sprintf("%d:", r.Priority)
		if r.IifName != "" {
			s += " iif " + r.IifName
		}
		if r.Dst != nil {
			s += " to " + r.Dst.String()
		}
		if r.IPProto != 0 {
			s += fmt.Sprintf(" ipproto %d", r.IPProto)
		}
		if r.Dport != nil {
			s += fmt.Sprintf(" dport %d-%d", r.Dport.Start, r.Dport.End)
		}
		got = append(got, s+fmt.Sprintf(" table %d", r.Table))
	}
	require.Equal(t, []string{
		"100: iif strata-gw0 table 255",
		"101: iif lo table 255",
		"110: to 10.244.0.1/32 table 21364",
		"111: to 172.30.0.11/32 ipproto 6 dport 30000-32767 table 21364",
		"111: to 172.30.0.11/32 ipproto 17 dport 30000-32767 table 21364",
	}, got)
}

func TestNodeInternalIPv4s(t *testing.T) {
	node := &corev1.Node{Status: corev1.NodeStatus{Addresses: []corev1.NodeAddress{
		{Type: corev1.NodeInternalIP, Address: "172.30.0.11"}, {Type: corev1.NodeInternalIP, Address: "fd30::11"},
		{Type: corev1.NodeExternalIP, Address: "198.51.100.1"}, {Type: corev1.NodeHostName, Address: "worker1"},
	}}}
	require.Equal(t, []netip.Addr{netip.MustParseAddr("172.30.0.11")}, NodeInternalIPv4s(node))
}
