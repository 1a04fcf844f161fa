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
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/klog/v2"

	"k8s.io/client-go/kubernetes"
)

// DefaultPodCIDRTimeout bounds the wait for the Node's Pod CIDR.
const DefaultPodCIDRTimeout = 5 * time.Minute

// HostConfig configures the node's host network for the Pod network.
type HostConfig struct {
	// NodeName is this node. Required.
	NodeName string
	// Kube reads and watches Nodes. Required.
	Kube kubernetes.Interface
	// NetNS is the node's host network namespace (see NetNSPath).
	NetNS string
	// Bridge is the OVS bridge. Required.
	Bridge string
	// GatewayName, GatewayOFPort and MTU: see GatewayConfig (defaults
	// strata-gw0, 2, 1500).
	GatewayName   string
	GatewayOFPort int32
	MTU           int
	// PodCIDRTimeout bounds the wait for the Node's spec.podCIDR. Default 5m.
	PodCIDRTimeout time.Duration
	// IsolateNewLinks: see ForwardingConfig (set it with the netdev datapath).
	IsolateNewLinks bool
	// NodePorts steers NodePort traffic to the Node's IPv4 InternalIPs into
	// the gateway (SetupNodePorts), with this NodePort range (0, 0: the
	// default).
	NodePorts                bool
	NodePortMin, NodePortMax uint16
}

// Validate reports every invalid field (the parts' own configs check
// the rest).
func (c *HostConfig) Validate() error {
	var errs []error
	if c.NodeName == "" {
		errs = append(errs, errors.New("nodenet: HostConfig.NodeName is required"))
	}
	if c.Kube == nil {
		errs = append(errs, errors.New("nodenet: HostConfig.Kube is required"))
	}
	if c.Bridge == "" {
		errs = append(errs, errors.New("nodenet: HostConfig.Bridge is required"))
	}
	if c.PodCIDRTimeout < 0 {
		errs = append(errs, fmt.Errorf("nodenet: HostConfig.PodCIDRTimeout is negative (%s)", c.PodCIDRTimeout))
	}
	return errors.Join(errs...)
}

// Host is a node's configured host network: the gateway, forwarding, and
// the route controller (Run).
type Host struct {
	gw      *Gateway
	routes  *RouteController
	nodeIPs []netip.Addr
}

// SetupHost waits for the Node's Pod CIDRs, sets up the gateway and
// forwarding, and prepares the route controller; Run keeps the routes.
func SetupHost(ctx context.Context, db PortDB, cfg HostConfig) (*Host, error) {
	if cfg.PodCIDRTimeout == 0 {
		cfg.PodCIDRTimeout = DefaultPodCIDRTimeout
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cidrs, err := WaitForPodCIDRs(ctx, cfg.Kube, cfg.NodeName, cfg.PodCIDRTimeout)
	if err != nil {
		return nil, err
	}
	gw, err := SetupGateway(ctx, db, GatewayConfig{NetNS: cfg.NetNS, Bridge: cfg.Bridge, Name: cfg.GatewayName,
		OFPortRequest: cfg.GatewayOFPort, MTU: cfg.MTU, PodCIDRs: cidrs})
	if err != nil {
		return nil, err
	}
	err = EnableForwarding(ForwardingConfig{NetNS: cfg.NetNS, IPv6: gw.HasIPv6(), Gateway: gw.Name,
		IsolateNewLinks: cfg.IsolateNewLinks})
	if err != nil {
		return nil, err
	}
	routes, err := NewRouteController(RouteControllerConfig{NodeName: cfg.NodeName, Kube: cfg.Kube, NetNS: cfg.NetNS,
		LocalPodCIDRs: cidrs})
	if err != nil {
		return nil, err
	}
	h := &Host{gw: gw, routes: routes}
	if cfg.NodePorts {
		if h.nodeIPs, err = setupHostNodePorts(ctx, cfg, gw); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// setupHostNodePorts steers NodePorts on the Node's IPv4 InternalIPs into
// the gateway; none without an IPv4 gateway IP or InternalIP.
func setupHostNodePorts(ctx context.Context, cfg HostConfig, gw *Gateway) ([]netip.Addr, error) {
	node, err := cfg.Kube.CoreV1().Nodes().Get(ctx, cfg.NodeName, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("reading node %s for its NodePort addresses: %w", cfg.NodeName, err)
	}
	nodeIPs := NodeInternalIPv4s(node)
	var gwIP netip.Addr
	for _, a := range gw.IPs {
		if a.Is4() {
			gwIP = a
		}
	}
	if len(nodeIPs) == 0 || !gwIP.IsValid() {
		klog.FromContext(ctx).Info("Not serving NodePorts: no IPv4 InternalIP or gateway IP", "node", cfg.NodeName)
		return nil, nil
	}
	err = SetupNodePorts(NodePortConfig{NetNS: cfg.NetNS, Gateway: gw.Name, GatewayMAC: gw.MAC, GatewayIP: gwIP,
		NodeIPs: nodeIPs, PortMin: cfg.NodePortMin, PortMax: cfg.NodePortMax})
	if err != nil {
		return nil, fmt.Errorf("steering the NodePorts of node %s: %w", cfg.NodeName, err)
	}
	return nodeIPs, nil
}

// NodeIPs are the addresses whose NodePorts are steered into the gateway
// (empty when NodePorts are not served).
func (h *Host) NodeIPs() []netip.Addr { return h.nodeIPs }

// Gateway is the node's gateway.
func (h *Host) Gateway() *Gateway { return h.gw }

// PodNetwork is what the CNI server needs.
func (h *Host) PodNetwork() PodNetwork { return h.gw.PodNetwork() }

// Run keeps the routes to the other nodes' Pods until ctx ends.
func (h *Host) Run(ctx context.Context) error { return h.routes.Run(ctx) }

// RoutesSynced tells whether the routes were reconciled with every Node once.
func (h *Host) RoutesSynced() bool { return h.routes.HasSynced() }
